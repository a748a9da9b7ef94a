from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from welfarelab.territories.models import (
    AmbitoImport,
    DataQualityIssue,
    DatasetLoad,
    PopulationByAge,
    Territory,
)
from welfarelab.territories.reports import data_quality_report


@admin.register(Territory)
class TerritoryAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "code", "provincia", "regione", "ambito", "inner_area_class", "degurba")
    list_filter = ("kind", "regione", "altimetric_zone", "degurba", "inner_area_class", "crosswalk_2026")
    search_fields = ("name", "name_folded", "code", "cadastral_code")
    list_select_related = ("provincia", "regione", "ambito")
    autocomplete_fields = ("regione", "provincia", "ambito")
    readonly_fields = ("name_folded",)
    fieldsets = (
        (
            None,
            {"fields": ("kind", "code", "name", "name_folded", "regione", "provincia", "ambito", "area_km2")},
        ),
        (
            _("Attributes of a comune"),
            {
                "fields": (
                    "cadastral_code",
                    "province_abbreviation",
                    "tax_code",
                    "altimetric_zone",
                    "altitude_m",
                    "is_coastal",
                    "is_island",
                    "is_coastal_area",
                    "degurba",
                    "inner_area_class",
                    "inner_area_code_2020",
                    "travel_minutes_to_hub",
                    "code_2026",
                    "crosswalk_2026",
                )
            },
        ),
    )


@admin.register(PopulationByAge)
class PopulationByAgeAdmin(admin.ModelAdmin):
    list_display = ("territory", "year", "age", "males", "females")
    list_filter = ("year", "territory__kind")
    search_fields = ("territory__name", "territory__code")
    raw_id_fields = ("territory",)
    list_select_related = ("territory",)
    show_full_result_count = False  # counting 1.6 million rows on every page is slow on SQLite


@admin.register(DataQualityIssue)
class DataQualityIssueAdmin(admin.ModelAdmin):
    """The data-quality report: what the loaders found, with a summary of what was loaded."""

    change_list_template = "admin/territories/dataqualityissue/change_list.html"
    list_display = ("dataset", "category", "code", "name", "people_2023", "resolution")
    list_filter = ("dataset", "category")
    search_fields = ("code", "name", "resolution")

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        return super().changelist_view(request, {**(extra_context or {}), "report": data_quality_report()})

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # written by the loaders only


@admin.register(DatasetLoad)
class DatasetLoadAdmin(admin.ModelAdmin):
    list_display = ("dataset", "rows", "seconds", "created_at")
    readonly_fields = ("dataset", "rows", "seconds", "source_files", "created_at")


@admin.register(AmbitoImport)
class AmbitoImportAdmin(admin.ModelAdmin):
    list_display = ("filename", "ambiti", "comuni", "imported_by", "created_at")
    readonly_fields = ("filename", "ambiti", "comuni", "imported_by", "created_at")
