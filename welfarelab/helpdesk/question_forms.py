"""Forms of the questions' pages: they read what was typed; the rules are in `question_services` and
`attachments` (the same checks, so that a page and a service refuse with the same words)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from welfarelab.accounts.models import User
from welfarelab.helpdesk.attachments import ACCEPT, AttachmentRefused, check_attachment, max_bytes, megabytes
from welfarelab.helpdesk.models import ARTICLE_CODE_PATTERN, Article, Question
from welfarelab.helpdesk.question_services import (
    MESSAGE_MAX_LENGTH,
    NAME_MAX_LENGTH,
    QUESTION_MAX_LENGTH,
    clean_plain_text,
    clean_question_text,
)
from welfarelab.organisations.models import Organisation

ETS_TYPE_CHOICES = [
    (value, label)
    for value, label in Organisation.LegalForm.choices
    if value != Organisation.LegalForm.UNKNOWN
]


def _field_error(error: ValidationError, field: str) -> forms.ValidationError:
    """A service's ValidationError on `field` as the form field's own error."""
    if hasattr(error, "error_dict"):
        return forms.ValidationError(error.message_dict.get(field) or error.messages)
    return forms.ValidationError(error.messages)


class EmailForm(forms.Form):
    email = forms.EmailField(
        label=_("Your email address"),
        max_length=254,
        help_text=_(
            "We send a link to it: open it to confirm the address is yours, then write your question."
        ),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "class": "form-control"}),
    )


class QuestionForm(forms.Form):
    """Theme, text and who asks; on the second step (`confirming`) the same values travel hidden, and the
    attachment is chosen there (a browser never keeps a chosen file from one page to the next)."""

    theme = forms.ChoiceField(label=_("Theme"), choices=[("", _("Choose a theme")), *Article.Theme.choices])
    text = forms.CharField(
        label=_("Your question"),
        required=False,  # `clean_question_text` says "empty" in its own words
        strip=False,
        max_length=QUESTION_MAX_LENGTH + 1000,  # the service's own limit gives the clearer message
        widget=forms.Textarea(attrs={"rows": 8, "class": "form-control"}),
        help_text=_(
            "Plain text, without HTML. Describe your organisation's situation; do not write health data "
            "or other sensitive data."
        ),
    )
    organisation = forms.ModelChoiceField(
        label=_("On behalf of"),
        queryset=Organisation.objects.none(),
        required=False,
        empty_label=_("Nobody: I ask personally"),
        help_text=_("The members of the organisation can read the question and its answers."),
    )
    asker_name = forms.CharField(
        label=_("Your name (optional)"),
        required=False,
        max_length=NAME_MAX_LENGTH,
        widget=forms.TextInput(attrs={"autocomplete": "name", "class": "form-control"}),
    )
    attachment = forms.FileField(
        label=_("Attachment (optional)"),
        required=False,
        allow_empty_file=True,  # `check_attachment` says it in its own words
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
    )

    def __init__(self, *args: Any, user: User | None, confirming: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.confirming = confirming
        if user is not None and user.is_authenticated:
            self.fields["organisation"].queryset = Organisation.objects.filter(  # type: ignore[attr-defined]
                memberships__user=user
            ).order_by("name_folded")
            del self.fields["asker_name"]
        else:
            del self.fields["organisation"]
        if confirming:
            for name in ("theme", "text", "organisation", "asker_name"):
                if name in self.fields:
                    self.fields[name].widget = forms.HiddenInput()
            self.fields["attachment"].help_text = _(
                "One PDF, PNG or JPEG file, up to %(limit)s. Its content is checked: a file that is not "
                "what its name says is refused."
            ) % {"limit": megabytes(max_bytes())}
        else:
            del self.fields["attachment"]

    def clean_text(self) -> str:
        try:
            return clean_question_text(self.cleaned_data["text"])
        except ValidationError as error:
            raise _field_error(error, "text") from None

    def clean_asker_name(self) -> str:
        name = self.cleaned_data.get("asker_name", "")
        if not name.strip():
            return ""
        try:
            return clean_plain_text(name, field="asker_name", maximum=NAME_MAX_LENGTH)
        except ValidationError as error:
            raise _field_error(error, "asker_name") from None

    def clean_attachment(self) -> Any:
        upload = self.cleaned_data.get("attachment")
        if not upload:
            return None
        try:
            return check_attachment(upload, name=upload.name or "", size=upload.size or 0)
        except AttachmentRefused as refused:
            raise forms.ValidationError(refused.message, code="attachment") from None


class MessageForm(forms.Form):
    text = forms.CharField(
        label=_("Message"),
        strip=False,
        max_length=MESSAGE_MAX_LENGTH + 1000,
        widget=forms.Textarea(attrs={"rows": 6, "class": "form-control"}),
        help_text=_("Plain text, without HTML."),
    )

    def __init__(self, *args: Any, label: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if label:
            self.fields["text"].label = label

    def clean_text(self) -> str:
        try:
            return clean_plain_text(self.cleaned_data["text"], field="text")
        except ValidationError as error:
            raise _field_error(error, "text") from None


REPLY_ACTIONS = ("reply", "reply_close", "ask")


class QueueFilterForm(forms.Form):
    STATUS_CHOICES = [
        ("open", _("Open (new, being answered, waiting)")),
        ("", _("Every status")),
        *Question.Status.choices,
    ]
    DUE_CHOICES = [
        ("", _("Any due date")),
        ("near", _("Due today or on the next working day")),
        ("past", _("Past due")),
    ]

    stato = forms.ChoiceField(label=_("Status"), choices=STATUS_CHOICES, required=False)
    tema = forms.ChoiceField(
        label=_("Theme"), choices=[("", _("Every theme")), *Article.Theme.choices], required=False
    )
    scadenza = forms.ChoiceField(label=_("Due date"), choices=DUE_CHOICES, required=False)
    mie = forms.BooleanField(label=_("Only those I have taken"), required=False)
    q = forms.CharField(
        label=_("Text, reference or asker"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control", "type": "search"}),
    )


class ArticleDraftForm(forms.Form):
    code = forms.RegexField(
        label=_("Code"),
        regex=ARTICLE_CODE_PATTERN,
        max_length=20,
        widget=forms.TextInput(attrs={"class": "form-control"}),
        error_messages={"invalid": _("A code looks like sp-001: letters, a dash, digits.")},
    )
    title = forms.CharField(
        label=_("Title"), max_length=200, widget=forms.TextInput(attrs={"class": "form-control"})
    )
    question = forms.CharField(
        label=_("The question, as people ask it"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
    )
    answer_markdown = forms.CharField(
        label=_("The answer (Markdown)"),
        widget=forms.Textarea(attrs={"rows": 12, "class": "form-control"}),
        strip=False,
    )
    theme = forms.ChoiceField(label=_("Theme"), choices=Article.Theme.choices)
    ets_types = forms.MultipleChoiceField(
        label=_("ETS types concerned"),
        choices=ETS_TYPE_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: the answer concerns every ETS."),
    )
