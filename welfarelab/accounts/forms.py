"""Forms of the accounts pages, styled for Bootstrap Italia; input validation only."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from typing import Any

from django import forms
from django.contrib.auth import forms as auth_forms
from django.utils.translation import gettext_lazy as _

from welfarelab.accounts.models import Membership, User

_TEXT_WIDGETS = (forms.widgets.Input, forms.Textarea)
_NOT_TEXT = (forms.CheckboxInput, forms.FileInput, forms.HiddenInput, forms.RadioSelect)


def _folded(email: str) -> str:
    return unicodedata.normalize("NFKC", email).casefold()


class ItaliaFormMixin:
    """Give text inputs the `form-control` class Bootstrap Italia expects.

    Render the fields with `{% include "components/form_fields.html" %}`; select, checkbox and
    textarea wrappers are chosen there from `field.widget_type`.
    """

    fields: dict[str, forms.Field]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, _TEXT_WIDGETS) and not isinstance(widget, _NOT_TEXT):
                css = widget.attrs.get("class", "")
                widget.attrs["class"] = f"{css} form-control".strip()


class EmailAuthenticationForm(ItaliaFormMixin, auth_forms.AuthenticationForm):
    """Sign in with email address and password."""

    username = forms.EmailField(
        label=_("Email address"),
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )


class ItaliaPasswordResetForm(ItaliaFormMixin, auth_forms.PasswordResetForm):
    """Django's reset form, that also reaches people invited by email who never chose a password.

    Django skips accounts without a usable password (meant for external sign-in); here such an
    account only means "invited, password not chosen yet", so the link is sent to them too.
    """

    def get_users(self, email: str) -> Iterable[User]:
        # As Django does: the database match is case-insensitive, then the address must be the same
        # after Unicode folding too, so that a look-alike address cannot receive somebody else's link.
        wanted = _folded(email)
        return (
            u for u in User.objects.filter(email__iexact=email, is_active=True) if _folded(u.email) == wanted
        )


class ItaliaSetPasswordForm(ItaliaFormMixin, auth_forms.SetPasswordForm):
    pass


class ItaliaPasswordChangeForm(ItaliaFormMixin, auth_forms.PasswordChangeForm):
    pass


class MembershipAddForm(ItaliaFormMixin, forms.Form):
    email = forms.EmailField(
        label=_("Email address"),
        help_text=_("If the person has no account yet, one is created and an invitation is emailed."),
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role.choices, initial=Membership.Role.VIEWER)


class MembershipRoleForm(ItaliaFormMixin, forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role.choices)
