"""Admin of the knowledge base: articles with their legal references inline, tags, feedback (read-only)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from welfarelab.helpdesk.models import Article, Feedback, LegalReference, ServiceLevel, Tag
from welfarelab.organisations.models import Organisation

ETS_TYPE_CHOICES = [
    (value, label)
    for value, label in Organisation.LegalForm.choices
    if value != Organisation.LegalForm.UNKNOWN
]


class ArticleForm(forms.ModelForm):
    ets_types = forms.TypedMultipleChoiceField(
        label=_("ETS types"),
        choices=ETS_TYPE_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: the answer concerns every ETS."),
    )

    class Meta:
        model = Article
        fields = [
            "code",
            "title",
            "question",
            "answer_markdown",
            "theme",
            "ets_types",
            "tags",
            "needs_review",
            "review_reason",
            "reviewed_by",
            "last_reviewed_on",
            "is_published",
            "author",
        ]


class LegalReferenceInline(admin.TabularInline):
    model = LegalReference
    extra = 1
    fields = (
        "position",
        "label",
        "act_type",
        "act_number",
        "act_year",
        "act_date",
        "law_article",
        "comma",
        "link",
    )
    readonly_fields = ("link",)

    @admin.display(description=_("Official text"))
    def link(self, reference: LegalReference) -> str:
        url = reference.normattiva_url
        return format_html('<a href="{}" rel="noopener" target="_blank">Normattiva</a>', url) if url else "–"


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    form = ArticleForm
    list_display = ("code", "title", "theme", "needs_review", "is_published", "last_reviewed_on")
    list_filter = ("theme", "needs_review", "is_published", "origin", "tags")
    search_fields = ("code", "title", "question", "answer_markdown")
    filter_horizontal = ("tags",)
    raw_id_fields = ("author", "reviewed_by")
    readonly_fields = ("origin", "created_at", "updated_at")
    inlines = [LegalReferenceInline]
    fieldsets = (
        (None, {"fields": ("code", "title", "question", "answer_markdown", "theme", "ets_types", "tags")}),
        (_("Review"), {"fields": ("needs_review", "review_reason", "reviewed_by", "last_reviewed_on")}),
        (_("Publication"), {"fields": ("is_published", "author", "origin", "created_at", "updated_at")}),
    )

    def save_model(self, request: HttpRequest, obj: Article, form: Any, change: bool) -> None:
        if not change and obj.author_id is None:
            obj.author = request.user  # type: ignore[assignment]
        super().save_model(request, obj, form, change)


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ("name", "slug")
    search_fields = ("name",)
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Feedback)
class FeedbackAdmin(admin.ModelAdmin):
    list_display = ("article", "useful", "created_at")
    list_filter = ("useful",)
    raw_id_fields = ("article",)
    readonly_fields = ("article", "voter", "useful", "created_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[Feedback]:
        return super().get_queryset(request).select_related("article")


@admin.register(ServiceLevel)
class ServiceLevelAdmin(admin.ModelAdmin):
    """Working days to answer a question of each theme; a theme without a row gets the default
    (WELFARELAB_QUESTION_DUE_WORKING_DAYS). Questions are read and answered on /sportello/domande/, not here:
    they hold personal data."""

    list_display = ("theme", "working_days")
