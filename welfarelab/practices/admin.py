"""The practices in the Django admin: for coordinators fixing a detail. The workflow runs on the site
(its steps are recorded as events, which the admin only shows)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from welfarelab.practices.models import (
    Practice,
    PracticeAttachment,
    PracticeContact,
    PracticeEvent,
    PracticeEvidence,
    PracticePartner,
)


class PartnerInline(admin.TabularInline):
    model = PracticePartner
    extra = 0
    raw_id_fields = ("organisation",)


class ContactInline(admin.TabularInline):
    model = PracticeContact
    extra = 0


class EvidenceInline(admin.TabularInline):
    model = PracticeEvidence
    extra = 0
    raw_id_fields = ("territory",)


class AttachmentInline(admin.TabularInline):
    model = PracticeAttachment
    extra = 0
    fields = ("title", "kind", "url", "file", "size")
    readonly_fields = ("kind", "url", "file", "size")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # attachments are checked (type, size) by the site's form only


class EventInline(admin.TabularInline):
    model = PracticeEvent
    extra = 0
    fields = ("created_at", "action", "from_status", "to_status", "actor", "comment")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Practice)
class PracticeAdmin(admin.ModelAdmin):
    list_display = ("title", "territory", "status", "is_example", "published_at")
    list_filter = ("status", "is_example", "need_domains", "licence")
    search_fields = ("title", "summary", "slug")
    raw_id_fields = ("territory", "other_territories", "owner_organisation", "submitted_by", "reviewer")
    filter_horizontal = ("need_domains",)
    readonly_fields = ("slug", "status", "submitted_at", "published_at", "created_at", "updated_at")
    inlines = (PartnerInline, ContactInline, EvidenceInline, AttachmentInline, EventInline)
