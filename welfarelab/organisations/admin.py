"""Admin of the organisation directory (about 58,000 rows: searches and lists stay index-friendly)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from welfarelab.accounts.models import Membership
from welfarelab.core.text import fold
from welfarelab.organisations.models import Organisation


class MembershipOfOrganisationInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ("user",)
    verbose_name = _("member")
    verbose_name_plural = _("members")


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "legal_form", "territory", "tax_code", "is_public", "source")
    list_filter = ("kind", "legal_form", "source", "is_public")
    search_fields = ("name_folded", "tax_code")
    list_select_related = ("territory",)
    autocomplete_fields = ("territory",)
    readonly_fields = ("name_folded", "created_at", "updated_at")
    show_full_result_count = False  # no second COUNT(*) of the whole directory on every search
    list_per_page = 50
    inlines = (MembershipOfOrganisationInline,)
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fieldsets = (
        (None, {"fields": ("kind", "name", "name_folded", "territory", "is_public")}),
        (_("Third Sector"), {"fields": ("legal_form", "runts_id")}),
        (_("Contacts"), {"fields": ("description", "website", "email", "tax_code")}),
        (_("Open data"), {"fields": ("source", "five_per_mille_choices", "five_per_mille_amount")}),
        (_("History"), {"fields": ("created_at", "updated_at")}),
    )

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Organisation], search_term: str
    ) -> tuple[QuerySet[Organisation], bool]:
        # Names are searched folded, like the public directory: "forli" finds "Comune di Forlì".
        return super().get_search_results(request, queryset, fold(search_term))

    def save_model(self, request: HttpRequest, obj: Organisation, form: ModelForm[Any], change: bool) -> None:
        obj.name_folded = fold(obj.name)  # derived column, not editable: kept in step with the name
        super().save_model(request, obj, form, change)
