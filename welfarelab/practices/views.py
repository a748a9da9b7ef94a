"""Pages of the good practices (thin): the list with its filters, one practice, the proposal and its edit,
the review queue and the steps of the review, the attachments.

Reads go through `selectors`, writes through `services`; who may do what is in `permissions`. A
practice the user may not see answers 404; a step the user may not take answers 403 and writes nothing.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from welfarelab.accounts.models import User
from welfarelab.practices import permissions, selectors, services
from welfarelab.practices.forms import (
    AttachmentFormSet,
    ContactFormSet,
    EvidenceFormSet,
    PartnerForm,
    PartnerFormSet,
    PracticeFilterForm,
    PracticeForm,
    RemoveAttachmentsForm,
    ReviewForm,
    practice_data,
    practice_initial,
)
from welfarelab.practices.models import Practice, PracticeAttachment
from welfarelab.practices.search import practice_search

PAGE_SIZE = 10


def _crumb() -> tuple[str, str]:
    return (_("Good practices"), reverse("practices:list"))


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _page_number(request: HttpRequest) -> int:
    try:
        return max(1, min(int(request.GET.get("page", "1")), 1000))
    except ValueError:
        return 1


@require_safe
def practice_list_view(request: HttpRequest) -> HttpResponse:
    form = PracticeFilterForm(request.GET)
    practices: QuerySet[Practice]
    hits: dict[str, Any] = {}
    corrected = None
    if form.is_valid():
        query = " ".join(form.cleaned_data["q"].replace("\x00", "").split())
        # Snippets only up to the page shown: they are the costly part of a search.
        wanted = PAGE_SIZE * _page_number(request)
        result = practice_search(query=query, snippets=wanted) if query else None
        practices = selectors.practice_list(filters={**form.cleaned_data, "q": query}, search=result)
        if result is not None:
            hits = {hit.slug: hit for hit in result.hits}
            corrected = result.corrected_query
    else:
        practices = Practice.objects.none()
    page = Paginator(practices, PAGE_SIZE).get_page(request.GET.get("page"))
    for practice in page.object_list:
        practice.search_hit = hits.get(practice.slug)
    context = {
        "form": form,
        "page": page,
        "corrected_query": corrected,
        "may_propose": permissions.may_propose(request.user),
        "may_review": permissions.may_review(request.user),
        "to_review": selectors.review_queue().count() if permissions.may_review(request.user) else 0,
        "breadcrumb": [(_("Good practices"), None)],
    }
    return render(request, "practices/practice_list.html", context)


@require_safe
def practice_detail(request: HttpRequest, slug: str) -> HttpResponse:
    practice = selectors.practice_get(user=request.user, slug=slug)
    user = request.user
    manages = permissions.may_manage_practice(user, practice)
    reviews = permissions.may_review(user)
    context = {
        "practice": practice,
        "evidence_rows": selectors.evidence_rows(practice=practice),
        # Contacts that did not agree are seen only by who handles the practice.
        "contacts": list(practice.contacts.all()) if (manages or reviews) else practice.public_contacts,  # type: ignore[attr-defined]
        "events": selectors.practice_events(practice=practice) if (manages or reviews) else [],
        "may_change": permissions.may_change_practice(user, practice),
        "may_resubmit": manages and practice.status == Practice.Status.RETURNED,
        "may_review_this": permissions.may_review_practice(user, practice),
        "took_part": reviews and not permissions.may_review_practice(user, practice),
        "may_withdraw": permissions.is_coordinator(user) and practice.is_published,
        "review_form": ReviewForm(),
        "breadcrumb": [_crumb(), (practice.title, None)],
    }
    return render(request, "practices/practice_detail.html", context)


def _formsets(request: HttpRequest, practice: Practice | None) -> dict[str, Any]:
    data = request.POST if request.method == "POST" else None
    files = request.FILES if request.method == "POST" else None
    initial: dict[str, list[dict[str, Any]]] = {"partners": [], "contacts": [], "evidence": []}
    if practice is not None:
        initial["partners"] = [
            PartnerForm.initial_of(p)
            for p in practice.partners.select_related("organisation")
            if p.organisation_id is None or p.organisation_id != practice.owner_organisation_id
        ]
        initial["contacts"] = [
            {"name": c.name, "role": c.role, "email": c.email, "phone": c.phone, "consent": c.consent}
            for c in practice.contacts.all()
        ]
        initial["evidence"] = [
            {
                "indicator": e.indicator.code,
                "territory": e.territory,
                "period_before": e.period_before,
                "period_after": e.period_after,
                "note": e.note,
            }
            for e in practice.evidence.select_related("indicator", "territory")
        ]
    return {
        "partners": PartnerFormSet(data, prefix="partners", initial=initial["partners"]),
        "contacts": ContactFormSet(data, prefix="contacts", initial=initial["contacts"]),
        "evidence": EvidenceFormSet(data, prefix="evidence", initial=initial["evidence"]),
        "attachments": AttachmentFormSet(data, files, prefix="attachments"),
    }


def _add_errors(form: Any, error: ValidationError) -> None:
    """Put a service's ValidationError on the main form: on its field when it has one, else on top."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _all_valid(form: Any, formsets: dict[str, Any], *extra: Any) -> bool:
    results = [form.is_valid(), *(fs.is_valid() for fs in formsets.values()), *(f.is_valid() for f in extra)]
    return all(results)


@require_http_methods(["GET", "POST"])
@login_required
def practice_propose(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not permissions.may_propose(user):
        raise PermissionDenied(permissions.MAY_NOT_PROPOSE)
    form = PracticeForm(request.POST or None, user=user)
    formsets = _formsets(request, None)
    if request.method == "POST" and _all_valid(form, formsets):
        try:
            practice = services.practice_propose(
                proposer=user,
                data=practice_data(form, **{k: v for k, v in formsets.items() if k != "attachments"}),
                attachments=[row.to_data() for row in formsets["attachments"] if not row.is_blank],
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(
                request,
                _(
                    "“%(title)s” is proposed: a reviewer of the lab will read it, and you will find it under your proposals."
                )
                % {"title": practice.title},
            )
            return redirect(practice.get_absolute_url())
    context = {
        "form": form,
        **formsets,
        "practice": None,
        "breadcrumb": [_crumb(), (_("Propose a practice"), None)],
    }
    return render(request, "practices/practice_form.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def practice_update(request: HttpRequest, slug: str) -> HttpResponse:
    user = _user(request)
    practice = selectors.practice_get(user=user, slug=slug)
    if not permissions.may_manage_practice(user, practice):
        raise PermissionDenied(permissions.MAY_NOT_CHANGE)
    if not permissions.may_change_practice(user, practice):
        messages.error(
            request,
            _("This practice is “%(status)s”: it can be changed only while proposed or returned.")
            % {"status": practice.get_status_display()},
        )
        return redirect(practice.get_absolute_url())
    if request.method == "POST":
        form = PracticeForm(request.POST, user=user, practice=practice)
    else:
        form = PracticeForm(user=user, practice=practice, initial=practice_initial(practice))
    formsets = _formsets(request, practice)
    removal = RemoveAttachmentsForm(request.POST or None, practice=practice)
    if request.method == "POST" and _all_valid(form, formsets, removal):
        try:
            practice = services.practice_update(
                practice=practice,
                changed_by=user,
                data=practice_data(form, **{k: v for k, v in formsets.items() if k != "attachments"}),
                new_attachments=[row.to_data() for row in formsets["attachments"] if not row.is_blank],
                removed_attachment_ids=[a.pk for a in removal.cleaned_data["remove"]],
            )
            if "resubmit" in request.POST and practice.status == Practice.Status.RETURNED:
                services.practice_resubmit(practice=practice, by=user)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            if practice.status == Practice.Status.PROPOSED and "resubmit" in request.POST:
                messages.success(request, _("The changes are saved and the practice is proposed again."))
            else:
                messages.success(request, _("The changes are saved."))
            return redirect(practice.get_absolute_url())
    context = {
        "form": form,
        **formsets,
        "removal": removal,
        "practice": practice,
        "breadcrumb": [_crumb(), (practice.title, practice.get_absolute_url()), (_("Edit"), None)],
    }
    return render(request, "practices/practice_form.html", context)


@require_POST
@login_required
def practice_resubmit(request: HttpRequest, slug: str) -> HttpResponse:
    practice = selectors.practice_get(user=request.user, slug=slug)
    try:
        services.practice_resubmit(practice=practice, by=_user(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The practice is proposed again: a reviewer will read it."))
    return redirect(practice.get_absolute_url())


@require_safe
@login_required
def review_queue(request: HttpRequest) -> HttpResponse:
    if not permissions.may_review(request.user):
        raise PermissionDenied(permissions.MAY_NOT_REVIEW)
    user = _user(request)
    rows = [(p, permissions.may_review_practice(user, p)) for p in selectors.review_queue()]
    return render(
        request,
        "practices/review_queue.html",
        {"rows": rows, "breadcrumb": [_crumb(), (_("Review queue"), None)]},
    )


@require_safe
@login_required
def my_practices(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "practices/my_practices.html",
        {
            "practices": selectors.practices_of(user=request.user),
            "may_propose": permissions.may_propose(request.user),
            "breadcrumb": [_crumb(), (_("Your proposals"), None)],
        },
    )


@require_POST
@login_required
def practice_start_review(request: HttpRequest, slug: str) -> HttpResponse:
    practice = selectors.practice_get(user=request.user, slug=slug)
    try:
        services.practice_start_review(practice=practice, reviewer=_user(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("You are reviewing “%(title)s”.") % {"title": practice.title})
    return redirect(f"{practice.get_absolute_url()}#review")


@require_POST
@login_required
def practice_decide(request: HttpRequest, slug: str) -> HttpResponse:
    """Approve and publish (`decision=publish`) or return with a comment (`decision=return`)."""
    practice = selectors.practice_get(user=request.user, slug=slug)
    form = ReviewForm(request.POST)
    decision = request.POST.get("decision")
    if not form.is_valid() or decision not in ("publish", "return"):
        messages.error(request, _("Choose to publish the practice or to return it."))
        return redirect(f"{practice.get_absolute_url()}#review")
    comment = form.cleaned_data["comment"]
    try:
        if decision == "publish":
            services.practice_publish(practice=practice, reviewer=_user(request), comment=comment)
        else:
            services.practice_return(practice=practice, reviewer=_user(request), comment=comment)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(f"{practice.get_absolute_url()}#review")
    if decision == "publish":
        messages.success(request, _("“%(title)s” is published.") % {"title": practice.title})
    else:
        messages.success(
            request,
            _("“%(title)s” is returned to its proposer with your comment.") % {"title": practice.title},
        )
    return redirect(practice.get_absolute_url())


@require_POST
@login_required
def practice_withdraw(request: HttpRequest, slug: str) -> HttpResponse:
    practice = selectors.practice_get(user=request.user, slug=slug)
    form = ReviewForm(request.POST)
    comment = form.cleaned_data["comment"] if form.is_valid() else ""
    try:
        services.practice_withdraw(practice=practice, by=_user(request), comment=comment)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The practice is no longer published: it is back with its proposer."))
    return redirect(practice.get_absolute_url())


@require_safe
def practice_attachment(request: HttpRequest, slug: str, pk: int) -> FileResponse:
    """A stored attachment, for whoever may see the practice (a published one: everybody)."""
    practice = selectors.practice_get(user=request.user, slug=slug)
    attachment = (
        PracticeAttachment.objects.filter(practice=practice, pk=pk)
        .exclude(kind=PracticeAttachment.Kind.LINK)
        .first()
    )
    if attachment is None or not default_storage.exists(attachment.file.name):
        raise Http404(_("Not found."))
    response = FileResponse(
        attachment.file.open("rb"),
        content_type=attachment.content_type,
        as_attachment=attachment.kind == PracticeAttachment.Kind.PDF,
        filename=attachment.original_name or attachment.file.name.rsplit("/", 1)[-1],
    )
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
