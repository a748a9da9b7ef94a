"""Views (thin): the directory, one organisation, its edit page and its members.

Reads go through `selectors` (scoped to what the user may see), writes through the services;
a refused request answers 404 when the organisation is hidden from the user, 403 when it is
visible but not the user's to change, and writes nothing.
"""

from __future__ import annotations

import copy

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from welfarelab.accounts.forms import MembershipAddForm, MembershipRoleForm
from welfarelab.accounts.models import Membership
from welfarelab.accounts.permissions import can_change, can_manage_members
from welfarelab.accounts.services import (
    MAY_NOT_MANAGE_MEMBERS,
    membership_add,
    membership_change_role,
    membership_remove,
)
from welfarelab.organisations.forms import OrganisationFilterForm, OrganisationForm
from welfarelab.organisations.models import Organisation
from welfarelab.organisations.selectors import (
    membership_get,
    organisation_get,
    organisation_get_for_change,
    organisation_list,
    organisation_members,
)
from welfarelab.organisations.services import organisation_update as organisation_update_service

PAGE_SIZE = 25


def _add_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Put a service's ValidationError on the form: on its field when the form has it, else on top."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _breadcrumb(organisation: Organisation, current: str | None = None) -> list[tuple[str, str | None]]:
    """Organisations › the organisation [› `current`], as base.html's breadcrumb expects."""
    trail: list[tuple[str, str | None]] = [(_("Organisations"), reverse("organisations:list"))]
    if current is None:
        return [*trail, (organisation.name, None)]
    return [
        *trail,
        (organisation.name, reverse("organisations:detail", args=[organisation.pk])),
        (current, None),
    ]


@require_safe
def organisation_list_view(request: HttpRequest) -> HttpResponse:
    form = OrganisationFilterForm(request.GET)
    if form.is_valid():
        organisations = organisation_list(user=request.user, filters=form.cleaned_data)
    else:
        organisations = Organisation.objects.none()
    page = Paginator(organisations, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"form": form, "page": page, "breadcrumb": [(_("Organisations"), None)]}
    return render(request, "organisations/organisation_list.html", context)


@require_safe
def organisation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = organisation_get(user=request.user, pk=pk)
    context = {
        "organisation": organisation,
        "members": organisation_members(user=request.user, organisation=organisation),
        "may_change": can_change(request.user, organisation),
        "may_manage_members": can_manage_members(request.user, organisation),
        "breadcrumb": _breadcrumb(organisation),
    }
    return render(request, "organisations/organisation_detail.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def organisation_update(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = organisation_get_for_change(user=request.user, pk=pk)
    if request.method == "POST":
        # The form validates a copy: the service compares and saves the untouched instance.
        form = OrganisationForm(request.POST, instance=copy.copy(organisation))
        if form.is_valid():
            try:
                organisation = organisation_update_service(
                    organisation=organisation,
                    changed_by=request.user,  # type: ignore[arg-type]
                    data=form.cleaned_data,
                )
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(
                    request, _("The changes to %(name)s are saved.") % {"name": organisation.name}
                )
                return redirect("organisations:detail", pk=organisation.pk)
    else:
        form = OrganisationForm(instance=organisation)
    context = {"organisation": organisation, "form": form, "breadcrumb": _breadcrumb(organisation, _("Edit"))}
    return render(request, "organisations/organisation_form.html", context)


def _organisation_for_members(request: HttpRequest, pk: int) -> Organisation:
    """The organisation if the user may manage its members; 404 when hidden, 403 when only visible."""
    organisation = organisation_get(user=request.user, pk=pk)
    if not can_manage_members(request.user, organisation):
        raise PermissionDenied(MAY_NOT_MANAGE_MEMBERS)
    return organisation


@require_http_methods(["GET", "POST"])
@login_required
def organisation_members_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The members of an organisation, with the form to add one (POST)."""
    organisation = _organisation_for_members(request, pk)
    form = MembershipAddForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            membership = membership_add(
                organisation=organisation,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                added_by=request.user,  # type: ignore[arg-type]
                base_url=request.build_absolute_uri("/"),
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(
                request,
                _("%(person)s is now a member of %(organisation)s.")
                % {"person": membership.user.email, "organisation": organisation.name},
            )
            return redirect("organisations:members", pk=organisation.pk)
    members = organisation_members(user=request.user, organisation=organisation)
    rows = [
        (membership, MembershipRoleForm(initial={"role": membership.role}, prefix=f"m{membership.pk}"))
        for membership in members or []
    ]
    return render(
        request,
        "organisations/organisation_members.html",
        {
            "organisation": organisation,
            "form": form,
            "rows": rows,
            "breadcrumb": _breadcrumb(organisation, _("Members")),
        },
    )


@require_POST
@login_required
def membership_role_update(request: HttpRequest, pk: int, membership_pk: int) -> HttpResponse:
    organisation = _organisation_for_members(request, pk)
    membership = membership_get(organisation=organisation, pk=membership_pk)
    form = MembershipRoleForm(request.POST, prefix=f"m{membership.pk}")
    if not form.is_valid():
        messages.error(request, _("Choose one of the roles."))
        return redirect("organisations:members", pk=organisation.pk)
    try:
        membership_change_role(membership=membership, role=form.cleaned_data["role"], changed_by=request.user)  # type: ignore[arg-type]
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("%(person)s is now %(role)s.")
            % {"person": membership.user.email, "role": Membership.Role(membership.role).label},
        )
    return redirect("organisations:members", pk=organisation.pk)


@require_POST
@login_required
def membership_delete(request: HttpRequest, pk: int, membership_pk: int) -> HttpResponse:
    organisation = _organisation_for_members(request, pk)
    membership = membership_get(organisation=organisation, pk=membership_pk)
    try:
        membership_remove(membership=membership, removed_by=request.user)  # type: ignore[arg-type]
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("%(person)s is no longer a member of %(organisation)s.")
            % {"person": membership.user.email, "organisation": organisation.name},
        )
    return redirect("organisations:members", pk=organisation.pk)
