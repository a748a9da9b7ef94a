"""Views (thin) of the calls: the public catalogue and a call's page; the editors' forms, history and
import log; an organisation's matching calls and themes.

Reads go through `selectors` and `matching`, writes through `services`; the editors' pages answer 403 to
anybody else (`permissions.require_call_editor`), an organisation's themes page follows the organisation's
own rules (404 when hidden, 403 when not the user's to change).
"""

from __future__ import annotations

import copy

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from welfarelab.accounts.models import User
from welfarelab.accounts.permissions import can_change
from welfarelab.calls import selectors, services
from welfarelab.calls.forms import CallFilterForm, CallForm, OrganisationThemesForm
from welfarelab.calls.matching import matching_calls
from welfarelab.calls.models import Call, OrganisationProfile
from welfarelab.calls.permissions import can_edit_calls, require_call_editor
from welfarelab.organisations.selectors import organisation_get, organisation_get_for_change

PAGE_SIZE = 20


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _add_errors(form: forms.BaseForm, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _trail(*steps: tuple[str, str | None]) -> list[tuple[str, str | None]]:
    trail: list[tuple[str, str | None]] = [(_("Funding calls"), reverse("calls:list") if steps else None)]
    return [*trail, *steps]


@require_safe
def call_list(request: HttpRequest) -> HttpResponse:
    form = CallFilterForm(request.GET)
    corrected = None
    if form.is_valid():
        found = selectors.call_list(filters=form.cleaned_data)
        calls, corrected = found.calls, found.corrected_query
    else:
        calls = Call.objects.none()
    page = Paginator(calls, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "now": timezone.now(),
        "corrected_query": corrected,
        "may_edit": can_edit_calls(request.user),
        "breadcrumb": _trail(),
    }
    return render(request, "calls/call_list.html", context)


@require_safe
def call_detail(request: HttpRequest, pk: int) -> HttpResponse:
    call = selectors.call_get(pk=pk)
    may_edit = can_edit_calls(request.user)
    context = {
        "call": call,
        "now": timezone.now(),
        "may_edit": may_edit,
        "history": selectors.call_history(call=call) if may_edit else None,
        "breadcrumb": _trail((call.title, None)),
    }
    return render(request, "calls/call_detail.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def call_create(request: HttpRequest) -> HttpResponse:
    require_call_editor(request.user)
    form = CallForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            call = services.call_create(created_by=_user(request), data=form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The call is in the catalogue."))
            return redirect("calls:detail", pk=call.pk)
    context = {"form": form, "call": None, "breadcrumb": _trail((_("New call"), None))}
    return render(request, "calls/call_form.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def call_update(request: HttpRequest, pk: int) -> HttpResponse:
    require_call_editor(request.user)
    call = selectors.call_get(pk=pk)
    if request.method == "POST":
        # The form validates a copy: the service compares with the untouched call and saves it.
        form = CallForm(request.POST, instance=copy.copy(call))
        if form.is_valid():
            try:
                services.call_update(call=call, changed_by=_user(request), data=form.cleaned_data)
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, _("The changes are saved."))
                return redirect("calls:detail", pk=call.pk)
    else:
        form = CallForm(instance=call)
    context = {
        "form": form,
        "call": call,
        "breadcrumb": _trail((call.title, reverse("calls:detail", args=[call.pk])), (_("Edit"), None)),
    }
    return render(request, "calls/call_form.html", context)


@require_POST
@login_required
def call_release(request: HttpRequest, pk: int) -> HttpResponse:
    require_call_editor(request.user)
    call = selectors.call_get(pk=pk)
    services.call_release_to_source(call=call, changed_by=_user(request))
    messages.success(request, _("The next import of its source will update every field."))
    return redirect("calls:detail", pk=call.pk)


@require_safe
@login_required
def import_run_list(request: HttpRequest) -> HttpResponse:
    require_call_editor(request.user)
    context = {"runs": selectors.import_runs(), "breadcrumb": _trail((_("Imports"), None))}
    return render(request, "calls/import_runs.html", context)


@require_safe
def organisation_matches(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = organisation_get(user=request.user, pk=pk)
    context = {
        "organisation": organisation,
        "matches": matching_calls(organisation=organisation),
        "may_change": can_change(request.user, organisation),
        "breadcrumb": [
            (_("Organisations"), reverse("organisations:list")),
            (organisation.name, reverse("organisations:detail", args=[organisation.pk])),
            (_("Calls it may apply to"), None),
        ],
    }
    return render(request, "calls/organisation_matches.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def organisation_themes(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = organisation_get_for_change(user=request.user, pk=pk)
    profile = OrganisationProfile.objects.filter(organisation=organisation).first()
    initial = {"themes": list(profile.themes.all()) if profile else []}
    form = OrganisationThemesForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.organisation_themes_set(
            organisation=organisation, changed_by=_user(request), themes=list(form.cleaned_data["themes"])
        )
        messages.success(request, _("The themes of %(name)s are saved.") % {"name": organisation.name})
        return redirect("calls:organisation-matches", pk=organisation.pk)
    context = {
        "organisation": organisation,
        "form": form,
        "breadcrumb": [
            (_("Organisations"), reverse("organisations:list")),
            (organisation.name, reverse("organisations:detail", args=[organisation.pk])),
            (_("Themes"), None),
        ],
    }
    return render(request, "calls/organisation_themes.html", context)
