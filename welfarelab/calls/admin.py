"""Admin of the calls catalogue. Changes made here are recorded in each call's history, as on the pages."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models
from django.http import HttpRequest

from welfarelab.calls.history import call_snapshot
from welfarelab.calls.models import (
    ApplicantType,
    Call,
    CallAttachment,
    CallChange,
    FeedSource,
    ImportRun,
    OrganisationProfile,
    Theme,
)
from welfarelab.calls.services import call_change_record

# "www.example.it" means https://, as browsers assume (and as Django 6 will).
HTTPS_LINKS: dict[type[models.Field[Any, Any]], dict[str, Any]] = {
    models.URLField: {"assume_scheme": "https"}
}


class CallAttachmentInline(admin.TabularInline):
    model = CallAttachment
    formfield_overrides = HTTPS_LINKS
    extra = 0
    fields = ("title", "url", "file", "position", "from_source")
    readonly_fields = ("from_source",)


class CallChangeInline(admin.TabularInline):
    model = CallChange
    extra = 0
    can_delete = False
    fields = ("changed_at", "action", "changed_by", "import_run", "changes")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Call)
class CallAdmin(admin.ModelAdmin):
    formfield_overrides = HTTPS_LINKS
    list_display = (
        "title",
        "issuer",
        "issuer_type",
        "opens_at",
        "closes_at",
        "source_name",
        "flagged_missing_from_source",
    )
    list_filter = (
        "issuer_type",
        "source",
        "source_name",
        "flagged_missing_from_source",
        "closed_early",
        "themes",
    )
    search_fields = ("title", "issuer", "source_id")
    filter_horizontal = ("themes", "eligible_applicants", "territories")
    date_hierarchy = "closes_at"
    readonly_fields = (
        "source",
        "source_name",
        "source_id",
        "source_data",
        "missing_since",
        "published_at",
        "edited_fields",
    )
    inlines = [CallAttachmentInline, CallChangeInline]

    def save_model(self, request: HttpRequest, obj: Call, form: Any, change: bool) -> None:
        obj._history_before = call_snapshot(Call.objects.get(pk=obj.pk)) if change else None  # type: ignore[attr-defined]
        super().save_model(request, obj, form, change)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        call = form.instance
        call_change_record(call=call, before=getattr(call, "_history_before", None), changed_by=request.user)  # type: ignore[arg-type]


@admin.register(Theme, ApplicantType)
class VocabularyAdmin(admin.ModelAdmin):
    list_display = ("slug", "name_it", "name_en", "position")
    ordering = ("position", "slug")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return ("slug",) if obj is not None else ()  # links and subscriptions rely on the slug


@admin.register(FeedSource)
class FeedSourceAdmin(admin.ModelAdmin):
    formfield_overrides = HTTPS_LINKS
    list_display = ("name", "key", "url", "issuer", "is_active")
    list_filter = ("is_active", "issuer_type")
    filter_horizontal = ("default_themes", "default_applicants", "territories")
    prepopulated_fields = {"key": ("name",)}


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    list_display = (
        "started_at",
        "source_name",
        "state",
        "added",
        "changed",
        "unchanged",
        "flagged",
        "skipped",
    )
    list_filter = ("state", "source", "source_name")
    readonly_fields = [field.name for field in ImportRun._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(OrganisationProfile)
class OrganisationProfileAdmin(admin.ModelAdmin):
    list_display = ("organisation", "updated_at")
    raw_id_fields = ("organisation",)
    filter_horizontal = ("themes",)
