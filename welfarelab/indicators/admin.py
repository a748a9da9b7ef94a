"""Admin of the indicator catalogue. Built-in indicators are computed from open data: their code and kind
of statistic are fixed here (the catalogue file is their source), their texts can be corrected."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from welfarelab.indicators.models import ImportBatch, Indicator, NeedDomain, Observation


@admin.register(NeedDomain)
class NeedDomainAdmin(admin.ModelAdmin):
    list_display = ("name_it", "name_en", "code", "position")
    list_editable = ("position",)
    search_fields = ("code", "name_it", "name_en")


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ("code", "name_it", "statistic", "polarity", "period_type", "is_builtin", "is_published")
    list_filter = ("statistic", "polarity", "is_builtin", "is_published", "need_domains")
    search_fields = ("code", "name_it", "name_en")
    filter_horizontal = ("need_domains",)
    readonly_fields = ("is_builtin", "created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("code", "name_it", "name_en", "is_published", "position", "is_builtin")}),
        (
            _("Definition"),
            {
                "fields": (
                    "definition_it",
                    "definition_en",
                    "numerator_it",
                    "numerator_en",
                    "denominator_it",
                    "denominator_en",
                    "multiplier",
                    "unit_it",
                    "unit_en",
                    "decimals",
                )
            },
        ),
        (_("Reading"), {"fields": ("statistic", "polarity", "period_type", "need_domains")}),
        (_("Legal target"), {"fields": ("leps_code", "target_value", "target_direction")}),
        (_("Source"), {"fields": ("source", "source_url", "licence")}),
        (_("History"), {"fields": ("created_at", "updated_at")}),
    )

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        fields = tuple(super().get_readonly_fields(request, obj))
        if obj is not None and (obj.is_builtin or obj.observations.exists()):
            # Changing them would make the stored observations disagree with their definition.
            return (*fields, "code", "statistic", "multiplier")
        return fields


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    list_display = ("created_at", "origin", "filename", "source", "rows", "created_by")
    list_filter = ("origin",)
    search_fields = ("filename", "source")
    readonly_fields = tuple(f.name for f in ImportBatch._meta.fields)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # batches are made by imports, never by hand

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # the sums of comuni would go stale: values are replaced by a new import

    def get_queryset(self, request: HttpRequest) -> QuerySet[ImportBatch]:
        return super().get_queryset(request).select_related("created_by").annotate(Count("observations"))


@admin.register(Observation)
class ObservationAdmin(admin.ModelAdmin):
    list_display = ("indicator", "territory", "period", "value", "numerator", "denominator", "origin")
    list_filter = ("origin", "period", "indicator")
    list_select_related = ("indicator", "territory")
    autocomplete_fields = ("territory",)
    raw_id_fields = ("batch",)
    show_full_result_count = False  # hundreds of thousands of rows: no second COUNT(*)
    list_per_page = 50

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # observations arrive through imports, which keep numerators, limits and sums right

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
