"""The catalogue (read mostly: the YAML file is its source) and the declarations, for the lab coordinators.

Declarations are changed through the declaration page and the import, which recompute the supply
indicators; the admin only lists them.
"""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from welfarelab.services.models import ServiceMacroArea, SocialService, SupplyDeclaration, SupplyImport


@admin.register(ServiceMacroArea)
class ServiceMacroAreaAdmin(admin.ModelAdmin):
    list_display = ("code", "name_it", "confirmed")


@admin.register(SocialService)
class SocialServiceAdmin(admin.ModelAdmin):
    list_display = ("code", "name_it", "macro_area", "nomenclatore_code", "is_active")
    list_filter = ("macro_area", "is_active", "need_domains")
    search_fields = ("code", "name_it", "name_en")
    readonly_fields = ("code", "counts_as", "is_active")


@admin.register(SupplyDeclaration)
class SupplyDeclarationAdmin(admin.ModelAdmin):
    list_display = ("territory", "year", "service", "management", "places", "users_served", "spending_eur")
    list_filter = ("year", "management", "service__macro_area", "territory__kind")
    search_fields = ("territory__name", "territory__code", "service__code")
    list_select_related = ("territory", "service")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(SupplyImport)
class SupplyImportAdmin(admin.ModelAdmin):
    list_display = ("filename", "rows", "created_by", "created_at")
    readonly_fields = ("filename", "sha256", "rows", "created_by", "created_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
