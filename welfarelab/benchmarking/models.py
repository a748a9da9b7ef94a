"""Stored peer groups: the coordinator's peer model per kind of territory and each territory's peers.

Computing peers for all of Italy takes well under a second (analytics.peers), but pages, the profile and
the API read them hundreds of times a minute: they are stored, and recomputed whenever the model or the
data behind it change (`services.peers_compute`).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from welfarelab.core.models import TimeStampedModel
from welfarelab.territories.models import Territory


class PeerModel(TimeStampedModel):
    """The variables and weights that make territories of one kind comparable, as the coordinator set them."""

    class Kind(models.TextChoices):
        COMUNE = Territory.Kind.COMUNE.value, _("comuni")
        AMBITO = Territory.Kind.AMBITO.value, _("social districts (ATS)")

    kind = models.CharField(_("kind of territory"), max_length=20, choices=Kind.choices, unique=True)
    weights = models.JSONField(
        _("weights"), default=dict, help_text=_("Variable name → weight ≥ 0; 0 leaves the variable out.")
    )
    k = models.PositiveSmallIntegerField(_("peers per territory"), default=15)
    period = models.PositiveSmallIntegerField(_("year of the population data"), null=True, blank=True)
    computed_at = models.DateTimeField(_("computed at"), null=True, blank=True)
    computed_seconds = models.FloatField(_("seconds to compute"), null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("peer model")
        verbose_name_plural = _("peer models")

    def __str__(self) -> str:
        return str(self.get_kind_display())


class StructuralValues(models.Model):
    """The structural variables of one territory as the last computation read them (shown beside peers)."""

    territory = models.OneToOneField(
        Territory, on_delete=models.CASCADE, primary_key=True, related_name="structural_values"
    )
    values = models.JSONField(_("values"), default=dict)

    class Meta:
        verbose_name = _("structural values")
        verbose_name_plural = _("structural values")

    def __str__(self) -> str:
        return str(self.territory_id)


class Peer(models.Model):
    """One of a territory's nearest neighbours, with what makes the pair close (analytics.peers)."""

    territory = models.ForeignKey(Territory, on_delete=models.CASCADE, related_name="peer_links")
    peer = models.ForeignKey(Territory, on_delete=models.CASCADE, related_name="+")
    rank = models.PositiveSmallIntegerField(_("rank"))
    distance = models.FloatField(_("distance"))
    similarity = models.FloatField(_("similarity (0–100)"))
    variables_used = models.PositiveSmallIntegerField(_("variables compared"))
    closest_on = models.JSONField(_("closest on"), default=list)
    differs_most_on = models.CharField(_("differs most on"), max_length=40, blank=True)
    contributions = models.JSONField(_("share of the distance by variable"), default=dict)

    class Meta:
        verbose_name = _("peer")
        verbose_name_plural = _("peers")
        ordering = ["territory", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["territory", "rank"], name="peer_unique_rank"),
            models.UniqueConstraint(fields=["territory", "peer"], name="peer_unique_pair"),
        ]

    def __str__(self) -> str:
        return f"{self.territory_id} → {self.peer_id} (#{self.rank})"
