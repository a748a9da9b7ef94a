"""Views (thin) of the rounds: the coordinators' list, form, board and members; the members' pages.

Reads go through `selectors`, writes through `services`; the doors are in `permissions` (403 for the
coordinators' pages, 404 for a member page the user has nothing to do with).
"""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django_htmx.middleware import HtmxDetails

from welfarelab.accounts.models import User
from welfarelab.core.importing import ImportRejected, RowError
from welfarelab.indicators.importers import COLUMNS
from welfarelab.reports.tabular import XLSX_CONTENT_TYPE
from welfarelab.rounds import selectors, services
from welfarelab.rounds.forms import (
    ACCEPTED_TYPES,
    BoardFilterForm,
    MembersByCodeForm,
    MembersWithinForm,
    RoundForm,
    UploadForm,
    ValuesForm,
)
from welfarelab.rounds.models import Round, RoundMember
from welfarelab.rounds.permissions import access_round_for_manager, access_round_member, require_round_manager
from welfarelab.territories.models import Territory

BOARD_TARGET = "board-table"
# A rejected file may have an error on every row: the page lists the first ones and says how many.
ERRORS_SHOWN = 300


class HtmxHttpRequest(HttpRequest):
    """The request as django-htmx's middleware decorates it (for type checkers)."""

    htmx: HtmxDetails


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _add_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """A service's ValidationError on the form: on its field when the form has it, else on top."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _trail(round: Round | None = None, current: str | None = None) -> list[tuple[str, str | None]]:
    """Rounds [› the round] [› `current`], as base.html's breadcrumb expects."""
    trail: list[tuple[str, str | None]] = [(_("Data-collection rounds"), reverse("rounds:round-list"))]
    if round is not None:
        trail.append((round.title, reverse("rounds:round-board", args=[round.pk]) if current else None))
    if current:
        trail.append((current, None))
    if len(trail) == 1:
        trail[0] = (trail[0][0], None)
    return trail


# --- coordinators ------------------------------------------------------------------------------------


@require_safe
@login_required
def round_list(request: HttpRequest) -> HttpResponse:
    require_round_manager(request.user)
    return render(
        request,
        "rounds/round_list.html",
        {"rounds": selectors.round_list(), "breadcrumb": _trail()},
    )


def _round_fields(form: RoundForm) -> dict[str, Any]:
    data = form.cleaned_data
    return {key: data[key] for key in ("title", "period", "opens_on", "deadline", "indicators", "note")}


@require_http_methods(["GET", "POST"])
@login_required
def round_create(request: HttpRequest) -> HttpResponse:
    require_round_manager(request.user)
    today = timezone.localdate()
    form = RoundForm(
        request.POST or None,
        initial={"period": today.year - 1, "opens_on": today, "deadline": today + dt.timedelta(days=30)},
    )
    if request.method == "POST" and form.is_valid():
        try:
            round = services.round_create(created_by=_user(request), **_round_fields(form))
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(
                request,
                _("The round “%(title)s” is saved as a draft: add its members, then open it.")
                % {"title": round.title},
            )
            return redirect("rounds:round-members", pk=round.pk)
    return render(
        request,
        "rounds/round_form.html",
        {"form": form, "round": None, "breadcrumb": _trail(current=_("New round"))},
    )


@require_http_methods(["GET", "POST"])
@login_required
def round_update(request: HttpRequest, pk: int) -> HttpResponse:
    round = access_round_for_manager(user=request.user, pk=pk)
    if request.method == "POST":
        # The form validates a copy: the service reads the round as stored.
        form = RoundForm(request.POST, instance=copy.copy(round))
        if form.is_valid():
            try:
                services.round_update(round=round, changed_by=_user(request), **_round_fields(form))
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, _("The changes are saved."))
                return redirect("rounds:round-board", pk=round.pk)
    else:
        form = RoundForm(instance=round)
    return render(
        request,
        "rounds/round_form.html",
        {"form": form, "round": round, "breadcrumb": _trail(round, _("Edit"))},
    )


@require_safe
@login_required
def round_board(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """The completeness board: members × indicators, with the filter "only members with missing values"."""
    round = access_round_for_manager(user=request.user, pk=pk)
    filter_form = BoardFilterForm(request.GET)
    missing_only = filter_form.is_valid() and filter_form.cleaned_data["mancanti"]
    progress = selectors.round_progress(round=round)
    rows = [member for member in progress.members if not (missing_only and member.is_complete)]
    context = {
        "round": round,
        "progress": progress,
        "rows": rows,
        "missing_only": missing_only,
        "filter_form": filter_form,
        "today": timezone.localdate(),
        "days_left": (round.deadline - timezone.localdate()).days,
        "board_target": BOARD_TARGET,
        "breadcrumb": _trail(round),
    }
    template = "rounds/round_board.html"
    if request.htmx and request.htmx.target == BOARD_TARGET:
        template = f"{template}#{BOARD_TARGET}"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request", "HX-Target"])  # caches must not mix pages and fragments
    return response


@require_POST
@login_required
def round_open(request: HttpRequest, pk: int) -> HttpResponse:
    round = access_round_for_manager(user=request.user, pk=pk)
    try:
        services.round_open(round=round, opened_by=_user(request))
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The round is open: its members see it on their “My rounds” page."))
    return redirect("rounds:round-board", pk=round.pk)


@require_POST
@login_required
def round_close(request: HttpRequest, pk: int) -> HttpResponse:
    round = access_round_for_manager(user=request.user, pk=pk)
    try:
        services.round_close(round=round, closed_by=_user(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The round is closed: it accepts no more values and sends no reminders."))
    return redirect("rounds:round-board", pk=round.pk)


@require_POST
@login_required
def round_remind(request: HttpRequest, pk: int) -> HttpResponse:
    round = access_round_for_manager(user=request.user, pk=pk)
    try:
        services.round_reminders_request(round=round, requested_by=_user(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _(
                "The reminders are on their way to the members with missing values (not to those already "
                "reminded today)."
            ),
        )
    return redirect("rounds:round-board", pk=round.pk)


def _report_added(request: HttpRequest, result: services.MembersAdded) -> None:
    if result.added:
        messages.success(
            request,
            ngettext("%(count)s member added.", "%(count)s members added.", len(result.added))
            % {"count": len(result.added)},
        )
    for refusal in result.refused:
        messages.warning(request, f"{refusal.name}: {refusal.reason}")
    if not result.added and not result.refused:
        messages.info(request, _("Nobody to add."))


@require_http_methods(["GET", "POST"])
@login_required
def round_members(request: HttpRequest, pk: int) -> HttpResponse:
    """The members of the round, with the forms to add some by code or every comune of a territory."""
    round = access_round_for_manager(user=request.user, pk=pk)
    action = request.POST.get("action")
    by_code = MembersByCodeForm(request.POST if action == "codes" else None, prefix="codes")
    within = MembersWithinForm(request.POST if action == "within" else None, prefix="within")
    form = by_code if action == "codes" else within if action == "within" else None
    if form is not None and form.is_valid():
        try:
            if form is by_code:
                result = services.round_members_add_for_territories(
                    round=round,
                    territories=Territory.objects.filter(pk__in=[t.pk for t in form.cleaned_data["codes"]]),
                    added_by=_user(request),
                )
            else:
                result = services.round_members_add_within(
                    round=round, within=form.cleaned_data["within"], added_by=_user(request)
                )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            _report_added(request, result)
            return redirect("rounds:round-members", pk=round.pk)
    members = round.members.select_related("organisation", "territory").order_by(
        "territory__kind", "territory__code"
    )
    return render(
        request,
        "rounds/round_members.html",
        {
            "round": round,
            "members": members,
            "by_code": by_code,
            "within": within,
            "breadcrumb": _trail(round, _("Members")),
        },
    )


@require_POST
@login_required
def round_member_remove(request: HttpRequest, pk: int, member_pk: int) -> HttpResponse:
    round = access_round_for_manager(user=request.user, pk=pk)
    member = get_object_or_404(
        RoundMember.objects.select_related("organisation", "round"), pk=member_pk, round=round
    )
    try:
        services.round_member_remove(member=member, removed_by=_user(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("%(name)s is no longer asked.") % {"name": member.organisation.name})
    return redirect("rounds:round-members", pk=round.pk)


# --- members -----------------------------------------------------------------------------------------


@require_safe
@login_required
def my_rounds(request: HttpRequest) -> HttpResponse:
    """What the organisations the user edits are asked for, the nearest deadline first."""
    owed = selectors.rounds_owed_by(user=_user(request))
    return render(
        request,
        "rounds/my_rounds.html",
        {
            "open_rounds": [o for o in owed if o.round.status == Round.Status.OPEN],
            "closed_rounds": [o for o in owed if o.round.status == Round.Status.CLOSED],
            "breadcrumb": [(_("My rounds"), None)],
        },
    )


def _member_page(
    request: HttpRequest,
    member: RoundMember,
    *,
    values_form: ValuesForm | None = None,
    upload_form: UploadForm | None = None,
    upload_errors: list[RowError] | None = None,
) -> HttpResponse:
    values_form = values_form or ValuesForm(indicators=selectors.round_indicators(round=member.round))
    progress = selectors.member_progress(member=member)
    values = selectors.member_values(member=member)
    today = timezone.localdate()
    errors = upload_errors or []
    return render(
        request,
        "rounds/member_round.html",
        {
            "member": member,
            "round": member.round,
            "progress": progress,
            "rows": [
                (indicator, fields, values.get(indicator.pk)) for indicator, fields in values_form.rows()
            ],
            "values_form": values_form,
            "upload_form": upload_form or UploadForm(),
            "upload_errors": errors[:ERRORS_SHOWN],
            "upload_errors_count": len(errors),
            "accepted_types": ACCEPTED_TYPES,
            "columns": COLUMNS,
            "accepts_data": member.round.accepts_data(today=today),
            "days_left": (member.round.deadline - today).days,
            "submissions": selectors.member_submissions(member=member),
            "breadcrumb": [(_("My rounds"), reverse("rounds:my-rounds")), (member.round.title, None)],
        },
    )


def _member_url(member: RoundMember) -> str:
    return reverse("rounds:member", kwargs={"pk": member.round_id, "organisation_pk": member.organisation_id})


def _submitted(request: HttpRequest, member: RoundMember, rows: int) -> HttpResponse:
    messages.success(
        request,
        ngettext("%(count)s value received, thank you.", "%(count)s values received, thank you.", rows)
        % {"count": rows},
    )
    return redirect(_member_url(member))


@require_http_methods(["GET", "POST"])
@login_required
def member_page(request: HttpRequest, pk: int, organisation_pk: int) -> HttpResponse:
    """What the member owes, the form to fill in, the template to download and the upload."""
    member = access_round_member(user=request.user, round_pk=pk, organisation_pk=organisation_pk)
    if request.method != "POST":
        return _member_page(request, member)
    form = ValuesForm(request.POST, indicators=selectors.round_indicators(round=member.round))
    if form.is_valid():
        try:
            submission = services.round_submit_form(
                member=member, user=_user(request), entries=form.entries()
            )
        except services.FormRejected as rejected:
            form.add_import_errors(rejected.by_indicator, rejected.general)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            return _submitted(request, member, submission.batch.rows if submission.batch else 0)
    return _member_page(request, member, values_form=form)


@require_POST
@login_required
def member_upload(request: HttpRequest, pk: int, organisation_pk: int) -> HttpResponse:
    member = access_round_member(user=request.user, round_pk=pk, organisation_pk=organisation_pk)
    form = UploadForm(request.POST, request.FILES)
    errors: list[RowError] = []
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            submission = services.round_submit_file(
                member=member, user=_user(request), content=upload.read(), filename=upload.name
            )
        except ImportRejected as rejected:
            errors = rejected.errors
        except ValidationError as error:
            _add_errors(form, error)
        else:
            return _submitted(request, member, submission.batch.rows if submission.batch else 0)
    return _member_page(request, member, upload_form=form, upload_errors=errors)


@require_safe
@login_required
def member_template(request: HttpRequest, pk: int, organisation_pk: int) -> HttpResponse:
    """The workbook to fill in: the round's indicators for the member's territory and year."""
    member = access_round_member(user=request.user, round_pk=pk, organisation_pk=organisation_pk)
    response = HttpResponse(services.round_template_xlsx(member=member), content_type=XLSX_CONTENT_TYPE)
    filename = f"rilevazione-{member.round_id}-{member.territory.kind}-{member.territory.code}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
