"""Views (thin): sign-in and password pages are Django's, configured in urls.py; here "my account"."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from welfarelab.accounts.selectors import membership_list_for_user


@require_safe
@login_required
def my_account(request: HttpRequest) -> HttpResponse:
    memberships = membership_list_for_user(user=request.user)  # type: ignore[arg-type]
    context = {"memberships": memberships, "breadcrumb": [(_("My account"), None)]}
    return render(request, "accounts/my_account.html", context)
