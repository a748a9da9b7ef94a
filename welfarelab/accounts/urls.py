"""Sign-in, sign-out, passwords and "my account" (Italian URL segments, names under `accounts:`)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from welfarelab.accounts import forms, views

app_name = "accounts"

PASSWORD_RESET = _("Reset your password")
PASSWORD_CHANGE = _("Change your password")


def _trail(*labels: Promise, account: bool = False) -> dict[str, Any]:
    """The `breadcrumb` base.html shows: [My account ›] … › the page (its last label)."""
    crumbs: list[tuple[Promise, Any]] = (
        [(_("My account"), reverse_lazy("accounts:my-account"))] if account else []
    )
    crumbs += [(label, None) for label in labels]
    return {"breadcrumb": crumbs}


urlpatterns = [
    path("", views.my_account, name="my-account"),
    path(
        "accedi/",
        auth_views.LoginView.as_view(
            authentication_form=forms.EmailAuthenticationForm,
            redirect_authenticated_user=True,
            extra_context=_trail(_("Log in")),
        ),
        name="login",
    ),
    path("esci/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password/reimposta/",
        auth_views.PasswordResetView.as_view(
            form_class=forms.ItaliaPasswordResetForm,
            email_template_name="registration/password_reset_email.txt",
            subject_template_name="registration/password_reset_subject.txt",
            extra_email_context={"lab_name": settings.WELFARELAB_LAB_NAME},
            success_url=reverse_lazy("accounts:password-reset-done"),
            extra_context=_trail(PASSWORD_RESET),
        ),
        name="password-reset",
    ),
    path(
        "password/reimposta/inviata/",
        auth_views.PasswordResetDoneView.as_view(extra_context=_trail(PASSWORD_RESET)),
        name="password-reset-done",
    ),
    path(
        "password/reimposta/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            form_class=forms.ItaliaSetPasswordForm,
            success_url=reverse_lazy("accounts:password-reset-complete"),
            extra_context=_trail(PASSWORD_RESET),
        ),
        name="password-reset-confirm",
    ),
    path(
        "password/reimposta/completata/",
        auth_views.PasswordResetCompleteView.as_view(extra_context=_trail(PASSWORD_RESET)),
        name="password-reset-complete",
    ),
    path(
        "password/cambia/",
        auth_views.PasswordChangeView.as_view(
            form_class=forms.ItaliaPasswordChangeForm,
            success_url=reverse_lazy("accounts:password-change-done"),
            extra_context=_trail(PASSWORD_CHANGE, account=True),
        ),
        name="password-change",
    ),
    path(
        "password/cambia/fatto/",
        auth_views.PasswordChangeDoneView.as_view(extra_context=_trail(PASSWORD_CHANGE, account=True)),
        name="password-change-done",
    ),
]
