"""The knowledge base of the Third Sector help desk (*Sportello ETS*): articles, their legal references,
tags and the readers' "was this useful?" votes.

An article answers one question an ETS asks (`question`, as people put it) under a short `title`. Its
answer is Markdown, shown through `markup.markdown_to_html` (sanitised). It rests on legal references,
each an act (and an article and commas of it) linked to the official text on Normattiva
(`LegalReference.normattiva_url`). `needs_review` puts it in the operators' review queue and shows an
"under review" notice on its page; an operator who checks it sets `reviewed_by` and `last_reviewed_on`.

Articles seeded from the bundled FAQ (`seed.py`) keep the seed's code (`ts-001`); `seed_digest` lets the
seed tell whether anybody changed an article on the platform since (then the seed leaves it alone).

Questions to the desk (`Question`, its thread of `QuestionMessage`s, the `ServiceLevel` of each theme)
follow the articles; their rules are in `question_services.py` (see docs/helpdesk.md).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from welfarelab.core.models import TimeStampedModel
from welfarelab.helpdesk import legal
from welfarelab.helpdesk.markup import markdown_to_html, markdown_to_text
from welfarelab.organisations.models import Organisation

ARTICLE_CODE_PATTERN = r"^[a-z]{2,6}-[0-9]{3,5}$"


def validate_ets_types(value: object) -> None:
    """A list of distinct legal forms of ETS (Organisation.LegalForm values); empty means every ETS."""
    known = set(Organisation.LegalForm.values) - {Organisation.LegalForm.UNKNOWN}
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValidationError(_("The ETS types must be a list of legal forms."), code="invalid")
    unknown = sorted(set(value) - known)
    if unknown:
        raise ValidationError(
            _("Unknown ETS type(s): %(types)s."), code="invalid", params={"types": ", ".join(unknown)}
        )
    if len(set(value)) != len(value):
        raise ValidationError(_("Each ETS type may be listed once."), code="invalid")


class Tag(models.Model):
    name = models.CharField(_("name"), max_length=60, unique=True)
    slug = models.SlugField(_("slug"), max_length=70, unique=True)

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("helpdesk:tag-detail", kwargs={"slug": self.slug})


class Article(TimeStampedModel):
    class Theme(models.TextChoices):
        """The six themes of the help desk; the seed's finer topics map onto them (seed.TOPIC_THEMES)."""

        LEGISLATION = "normativa", _("Legislation")
        ADMINISTRATION = "amministrativa", _("Administration")
        TAX = "fiscale", _("Tax")
        WORK_AND_VOLUNTEERS = "lavoro_volontari", _("Work and volunteers")
        CALLS_AND_FUNDING = "bandi_finanziamenti", _("Calls and funding")
        OTHER = "altro", _("Other")

    class Origin(models.TextChoices):
        SEED = "seed", _("Help desk FAQ seed")
        PLATFORM = "platform", _("Written on the platform")

    code = models.CharField(
        _("code"),
        max_length=20,
        unique=True,
        validators=[
            RegexValidator(ARTICLE_CODE_PATTERN, _("A code looks like ts-001: letters, a dash, digits."))
        ],
        help_text=_("Stable identifier, shown in the API (e.g. ts-001)."),
    )
    title = models.CharField(_("title"), max_length=200)
    question = models.CharField(
        _("question"), max_length=500, help_text=_("The question as people ask it at the help desk.")
    )
    answer_markdown = models.TextField(
        _("answer"), help_text=_("Markdown. Scripts, styles and unsafe links are removed when shown.")
    )
    theme = models.CharField(_("theme"), max_length=30, choices=Theme.choices)
    ets_types = models.JSONField(
        _("ETS types"),
        default=list,
        blank=True,
        validators=[validate_ets_types],
        help_text=_("Legal forms the answer concerns (odv, aps, impresa_sociale…); empty for every ETS."),
    )
    tags = models.ManyToManyField(Tag, verbose_name=_("tags"), related_name="articles", blank=True)
    seed_topic = models.CharField(
        _("seed topic"), max_length=40, blank=True, help_text=_("The finer topic ('tema') of the seed.")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    last_reviewed_on = models.DateField(_("last reviewed on"), null=True, blank=True)
    needs_review = models.BooleanField(
        _("to be reviewed"),
        default=False,
        db_index=True,
        help_text=_("Shows an 'under review' notice and puts the article in the operators' queue."),
    )
    review_reason = models.TextField(_("why it is to be reviewed"), blank=True)
    is_published = models.BooleanField(_("published"), default=True)
    origin = models.CharField(_("origin"), max_length=10, choices=Origin.choices, default=Origin.PLATFORM)
    seed_digest = models.CharField(
        _("seed digest"),
        max_length=64,
        blank=True,
        editable=False,
        help_text=_("Fingerprint of the article as the seed last wrote it."),
    )

    class Meta:
        verbose_name = _("knowledge base article")
        verbose_name_plural = _("knowledge base articles")
        ordering = ["code"]
        indexes = [models.Index(fields=["theme", "is_published"], name="helpdesk_article_theme")]

    def __str__(self) -> str:
        return f"{self.code} – {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("helpdesk:article-detail", kwargs={"code": self.code})

    @property
    def answer_html(self) -> str:
        """The answer as sanitised HTML, safe to show as it is."""
        return markdown_to_html(self.answer_markdown)

    @property
    def answer_text(self) -> str:
        return markdown_to_text(self.answer_markdown)

    @property
    def ets_type_labels(self) -> list[str]:
        labels = dict(Organisation.LegalForm.choices)
        return [str(labels.get(value, value)) for value in self.ets_types]


class LegalReference(models.Model):
    """One act an article rests on, and optionally one article (and commas) of it.

    `label` is the reference as written (`CTS art. 79, c. 5`); the other fields are what `legal.parse_reference`
    read from it. A label it could not read has no act type and no link. A label naming several articles
    (`CTS artt. 61, 62`) gives one row per article, all with the same label.
    """

    class ActType(models.TextChoices):
        LEGISLATIVE_DECREE = legal.DLGS, "D.Lgs."
        LAW = legal.LEGGE, "L."
        DECREE_LAW = legal.DL, "D.L."
        PRESIDENTIAL_DECREE = legal.DPR, "D.P.R."
        PRIME_MINISTER_DECREE = legal.DPCM, "D.P.C.M."
        MINISTERIAL_DECREE = legal.DM, "DM"
        CIVIL_CODE = legal.CODICE_CIVILE, _("Civil code")
        CONSTITUTION = legal.COSTITUZIONE, _("Constitution")

    article = models.ForeignKey(
        Article, verbose_name=_("article"), on_delete=models.CASCADE, related_name="references"
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    label = models.CharField(_("as written"), max_length=300)
    act_type = models.CharField(
        _("act type"),
        max_length=20,
        choices=ActType.choices,
        blank=True,
        help_text=_("Empty when the reference is only a label (a circular, a ruling…): it has no link."),
    )
    act_number = models.CharField(_("act number"), max_length=20, blank=True)
    act_year = models.PositiveSmallIntegerField(_("act year"), null=True, blank=True)
    act_date = models.DateField(_("act date"), null=True, blank=True)
    law_article = models.CharField(_("article of the act"), max_length=20, blank=True)
    comma = models.CharField(_("comma"), max_length=60, blank=True)

    class Meta:
        verbose_name = _("legal reference")
        verbose_name_plural = _("legal references")
        ordering = ["article_id", "position", "pk"]
        indexes = [models.Index(fields=["act_type", "act_number", "act_year"], name="helpdesk_reference_act")]

    def __str__(self) -> str:
        return self.label

    @property
    def citation(self) -> legal.Citation | None:
        if not self.act_type:
            return None
        return legal.Citation(
            act_type=self.act_type,
            number=self.act_number,
            year=self.act_year,
            date=self.act_date,
            article=self.law_article,
            comma=self.comma,
        )

    @property
    def citation_text(self) -> str:
        """`D.Lgs. 117/2017, art. 79, c. 5`; the label when the reference was not read."""
        citation = self.citation
        return legal.citation_text(citation) if citation is not None else self.label

    @property
    def act_title(self) -> str:
        citation = self.citation
        act = citation.act if citation is not None else None
        return act.title if act is not None else ""

    @property
    def normattiva_url(self) -> str | None:
        """The official text on Normattiva, or None (see `legal.normattiva_url`)."""
        citation = self.citation
        return legal.normattiva_url(citation) if citation is not None else None


class Feedback(TimeStampedModel):
    """A reader's answer to "was this useful?": one per browser session and article (a new answer replaces it).

    `voter` is a keyed hash of the session key (never the key itself, which would let anyone who reads
    this table take over the session).
    """

    article = models.ForeignKey(
        Article, verbose_name=_("article"), on_delete=models.CASCADE, related_name="feedback"
    )
    voter = models.CharField(_("voter"), max_length=64, editable=False)
    useful = models.BooleanField(_("useful"))

    class Meta:
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")
        constraints = [
            models.UniqueConstraint(fields=["article", "voter"], name="helpdesk_feedback_one_per_voter"),
        ]

    def __str__(self) -> str:
        return f"{self.article.code}: {'yes' if self.useful else 'no'}"


# --- questions to the desk ---------------------------------------------------------------------------


class ServiceLevel(models.Model):
    """How many working days the desk gives itself to answer a question of one theme.

    A theme without a row gets `WELFARELAB_QUESTION_DUE_WORKING_DAYS` (5 by default). The due date is
    fixed when the question arrives: changing a service level does not move the questions already asked.
    """

    theme = models.CharField(_("theme"), max_length=30, choices=Article.Theme.choices, unique=True)
    working_days = models.PositiveSmallIntegerField(
        _("working days"),
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text=_("Saturdays, Sundays and Italian public holidays are not counted."),
    )

    class Meta:
        verbose_name = _("service level")
        verbose_name_plural = _("service levels")
        ordering = ["theme"]

    def __str__(self) -> str:
        return f"{self.get_theme_display()}: {self.working_days}"


class QuestionReferenceCounter(models.Model):
    """The last reference number given in a year (SP-2026-000123): numbers start again every year."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    last_number = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("question reference counter")
        verbose_name_plural = _("question reference counters")

    def __str__(self) -> str:
        return f"{self.year}: {self.last_number}"


QUESTION_REFERENCE_PATTERN = r"^SP-[0-9]{4}-[0-9]{6}$"


def question_attachment_path(instance: Question, filename: str) -> str:
    """Random names: the original one (which may hold a person's name) is kept in `attachment_name`."""
    return f"helpdesk/questions/{filename}"


class Question(TimeStampedModel):
    """A question asked to the desk by an ETS operator (signed in) or by a person with a verified email.

    Personal data: `text`, the attachment, `asker_*` and the messages. Only the asker, the members of
    `organisation` and the desk's operators read it (`permissions.question_access`). When closed for
    longer than the retention period it is anonymised (`question_services.questions_anonymise`).
    """

    class Status(models.TextChoices):
        NEW = "new", _("New")
        IN_PROGRESS = "in_progress", _("Being answered")
        WAITING = "waiting", _("Waiting for the asker")
        ANSWERED = "answered", _("Answered")
        CLOSED = "closed", _("Closed")

    reference = models.CharField(
        _("reference"),
        max_length=20,
        unique=True,
        validators=[RegexValidator(QUESTION_REFERENCE_PATTERN, _("A reference looks like SP-2026-000123."))],
    )
    theme = models.CharField(_("theme"), max_length=30, choices=Article.Theme.choices)
    text = models.TextField(_("question"), help_text=_("Plain text, shown escaped."))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.NEW, db_index=True
    )
    asker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("asked by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="helpdesk_questions",
        help_text=_("Empty when asked with a verified email address, without an account."),
    )
    asker_email = models.EmailField(_("asker's email"), blank=True)
    asker_name = models.CharField(_("asker's name"), max_length=150, blank=True)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="helpdesk_questions",
        help_text=_("The organisation the asker asked for: its members read the question."),
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("taken by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="helpdesk_assigned_questions",
    )
    due_on = models.DateField(_("due on"), db_index=True)
    paused_on = models.DateField(
        _("waiting since"), null=True, blank=True, help_text=_("The asker was asked for more information.")
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True, db_index=True)
    attachment = models.FileField(
        _("attachment"), upload_to=question_attachment_path, blank=True, max_length=200
    )
    attachment_name = models.CharField(_("attachment's name"), max_length=150, blank=True)
    attachment_type = models.CharField(_("attachment's type"), max_length=40, blank=True)
    attachment_size = models.PositiveIntegerField(_("attachment's size"), null=True, blank=True)
    receipt_sent_at = models.DateTimeField(_("receipt sent at"), null=True, blank=True, editable=False)
    article = models.ForeignKey(
        Article,
        verbose_name=_("article written from it"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="source_questions",
    )
    anonymised_at = models.DateTimeField(_("anonymised at"), null=True, blank=True)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["due_on", "created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(asker_email="") | Q(anonymised_at__isnull=False),
                name="helpdesk_question_has_asker_email",
                violation_error_message=_("A question needs the asker's email address."),
            ),
        ]
        indexes = [models.Index(fields=["status", "due_on"], name="helpdesk_question_queue")]

    def __str__(self) -> str:
        return self.reference

    def get_absolute_url(self) -> str:
        return reverse("helpdesk:question-detail", kwargs={"reference": self.reference})

    @property
    def is_open(self) -> bool:
        """The desk owes an answer: it counts against the due date."""
        return self.status in (self.Status.NEW, self.Status.IN_PROGRESS)


class QuestionMessage(TimeStampedModel):
    """One message of a question's thread: the desk's reply or request for information, the asker's answer."""

    class Kind(models.TextChoices):
        REPLY = "reply", _("Reply of the desk")
        INFO_REQUEST = "info_request", _("Request for more information")
        ASKER_ANSWER = "asker_answer", _("Answer of the asker")

    question = models.ForeignKey(
        Question, verbose_name=_("question"), on_delete=models.CASCADE, related_name="messages"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty for an asker without an account."),
    )
    text = models.TextField(_("text"), help_text=_("Plain text, shown escaped."))
    emailed_at = models.DateTimeField(_("emailed at"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("question message")
        verbose_name_plural = _("question messages")
        ordering = ["question_id", "created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.question.reference}: {self.get_kind_display()}"

    @property
    def from_desk(self) -> bool:
        return self.kind != self.Kind.ASKER_ANSWER
