"""Admin of people and roles: users sign in with their email address (there is no username)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin.options import InlineModelAdmin
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from welfarelab.accounts.models import Membership, User


class UserCreationForm(auth_forms.AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email",)


class UserChangeForm(auth_forms.UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


class MembershipOfUserInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ("organisation",)
    verbose_name = _("membership")
    verbose_name_plural = _("organisations and roles")


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserChangeForm
    add_form = UserCreationForm
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name")}),
        (_("Role in the lab"), {"fields": ("is_lab_coordinator", "is_desk_operator")}),
        (
            _("Permissions in the admin"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "first_name", "last_name", "usable_password", "password1", "password2"),
            },
        ),
    )
    list_display = (
        "email",
        "first_name",
        "last_name",
        "is_lab_coordinator",
        "is_staff",
        "is_active",
        "last_login",
    )
    list_filter = ("is_lab_coordinator", "is_staff", "is_superuser", "is_active")
    search_fields = ("email", "first_name", "last_name")
    ordering = ("email",)
    readonly_fields = ("last_login", "date_joined")
    inlines = (MembershipOfUserInline,)

    def get_inline_instances(self, request: HttpRequest, obj: Any = None) -> list[InlineModelAdmin]:
        # Memberships are added once the account exists (the add page asks only for the account).
        return super().get_inline_instances(request, obj) if obj is not None else []


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    """Raw access for coordinators. The web page of each organisation applies the rule that an
    organisation with an administrator keeps one; this admin does not."""

    list_display = ("user", "organisation", "role", "created_at")
    list_filter = ("role", "organisation__kind")
    search_fields = ("user__email", "user__last_name", "organisation__name_folded", "organisation__tax_code")
    autocomplete_fields = ("user", "organisation")
    list_select_related = ("user", "organisation")
    readonly_fields = ("created_at", "updated_at")
