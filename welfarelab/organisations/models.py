"""The directory of organisations: public bodies, partners and Third Sector Entities (ETS)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from welfarelab.core.models import TimeStampedModel


class Organisation(TimeStampedModel):
    class Kind(models.TextChoices):
        COMUNE = "comune", _("Municipality")
        AMBITO = "ambito", _("Social district (ATS)")
        PROVINCIA = "provincia", _("Province")
        REGIONE = "regione", _("Region")
        CSV = "csv", _("Volunteer service centre (CSV)")
        UNIVERSITY = "universita", _("University")
        TRAINING_BODY = "ente_formazione", _("Training body")
        ETS = "ets", _("Third Sector Entity (ETS)")
        OTHER = "altro", _("Other")

    class LegalForm(models.TextChoices):
        """The sections of the RUNTS (D.Lgs. 117/2017, art. 46), plus 'not known yet'."""

        ODV = "odv", _("Voluntary organisation (ODV)")
        APS = "aps", _("Social promotion association (APS)")
        SOCIAL_ENTERPRISE = "impresa_sociale", _("Social enterprise")
        PHILANTHROPIC = "ente_filantropico", _("Philanthropic body")
        NETWORK = "rete_associativa", _("Association network")
        MUTUAL_AID = "societa_mutuo_soccorso", _("Mutual aid society")
        OTHER_ETS = "altro_ets", _("Other ETS")
        UNKNOWN = "non_indicata", _("Not stated")

    class Source(models.TextChoices):
        MANUAL = "manual", _("Entered on the platform")
        FIVE_PER_MILLE = "5x1000_2022", _("5x1000 beneficiaries 2022 (Agenzia delle Entrate)")
        ISTAT = "istat", _("ISTAT list of public bodies")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=300)
    name_folded = models.CharField(_("name for search"), max_length=300, db_index=True, editable=False)
    tax_code = models.CharField(_("tax code"), max_length=16, blank=True)
    territory = models.ForeignKey(
        "territories.Territory",
        verbose_name=_("territory"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organisations",
        help_text=_("For a public body, the territory it governs; for the others, the comune of the seat."),
    )
    legal_form = models.CharField(
        _("legal form"),
        max_length=30,
        choices=LegalForm.choices,
        blank=True,
        help_text=_("Only for Third Sector Entities."),
    )
    runts_id = models.CharField(_("RUNTS number"), max_length=30, blank=True)
    description = models.TextField(_("description"), blank=True)
    website = models.URLField(_("website"), blank=True)
    email = models.EmailField(_("email"), blank=True)
    is_public = models.BooleanField(
        _("listed in the public directory"),
        default=True,
        help_text=_("Organisations not listed are seen only by their members and the lab coordinators."),
    )
    source = models.CharField(_("source"), max_length=20, choices=Source.choices, default=Source.MANUAL)
    five_per_mille_choices = models.PositiveIntegerField(_("5x1000 choices (2022)"), null=True, blank=True)
    five_per_mille_amount = models.DecimalField(
        _("5x1000 amount (2022, €)"), max_digits=14, decimal_places=2, null=True, blank=True
    )

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name_folded", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["tax_code"], condition=~Q(tax_code=""), name="organisation_unique_tax_code"
            ),
            models.CheckConstraint(
                condition=Q(kind="ets") | Q(legal_form=""), name="organisation_legal_form_only_for_ets"
            ),
        ]
        indexes = [models.Index(fields=["kind", "territory"], name="organisation_kind_territory")]

    def __str__(self) -> str:
        return self.name

    @property
    def owner_organisation_id(self) -> int | None:
        """An organisation owns its own data (see accounts.permissions)."""
        return self.pk
