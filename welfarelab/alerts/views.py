"""Views (thin) of the alerts: the subscription pages (no account: signed links), the news, and the
coordinator's deliveries board. Writes go through `services`; delivery is queued after the commit."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from welfarelab.alerts import selectors, services, tokens
from welfarelab.alerts.forms import ChoicesForm, NewsPostForm, SubscribeForm
from welfarelab.alerts.models import OutboxMessage, Subscription
from welfarelab.alerts.permissions import can_manage_alerts, require_alerts_manager
from welfarelab.alerts.tasks import deliver_outbox
from welfarelab.calls.models import Call, Theme
from welfarelab.helpdesk.markup import markdown_to_html


def _add_errors(form: forms.BaseForm, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _trail(*steps: tuple[str, str | None]) -> list[tuple[str, str | None]]:
    return [(_("Alerts and news"), reverse("alerts:index") if steps else None), *steps]


def _deliver_after_commit() -> None:
    transaction.on_commit(deliver_outbox.enqueue)


def _bad_link(request: HttpRequest) -> HttpResponse:
    context = {"breadcrumb": _trail((_("Link not valid"), None))}
    return render(request, "alerts/bad_link.html", context, status=404)


def _linked(purpose: str, token: str) -> tuple[Subscription, Call | None]:
    """The subscription (and call) a signed link names; Http404 when altered, expired or outdated."""
    try:
        link = tokens.read(purpose, token)
    except tokens.BadLink:
        raise Http404 from None
    subscription = Subscription.objects.filter(pk=link.subscription_id, email=link.email).first()
    if subscription is None:
        raise Http404
    call = Call.objects.filter(pk=link.call_id).first() if link.call_id is not None else None
    if link.call_id is not None and call is None:
        raise Http404
    return subscription, call


@require_http_methods(["GET", "POST"])
def index(request: HttpRequest) -> HttpResponse:
    initial: dict[str, object] = {"filter_query": request.GET.get("filtro", "")}
    if theme := request.GET.get("tema"):
        initial["themes"] = list(Theme.objects.filter(slug=theme))
    form = SubscribeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.subscription_request(
                email=data["email"],
                themes=data["themes"],
                filter_query=data["filter_query"],
                frequency=data["frequency"],
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            _deliver_after_commit()
            return redirect("alerts:requested")
    bot = settings.WELFARELAB_TELEGRAM_BOT_NAME.lstrip("@")
    context = {
        "form": form,
        "themes": Theme.objects.all(),
        "telegram_bot": bot if settings.WELFARELAB_TELEGRAM_TOKEN and bot else "",
        "base_url": request.build_absolute_uri("/").rstrip("/"),
        "breadcrumb": _trail(),
    }
    return render(request, "alerts/index.html", context)


@require_safe
def requested(request: HttpRequest) -> HttpResponse:
    return render(request, "alerts/requested.html", {"breadcrumb": _trail((_("Check your email"), None))})


@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    # A GET only shows a button: mail scanners that open links must not confirm for the reader.
    try:
        subscription, _call = _linked(tokens.CONFIRM, token)
    except Http404:
        return _bad_link(request)
    if request.method == "POST":
        services.subscription_confirm(subscription=subscription)
        messages.success(request, _("Your subscription is confirmed."))
        return redirect(
            "alerts:manage",
            token=tokens.make(tokens.MANAGE, subscription_id=subscription.pk, email=subscription.email),
        )
    context = {"subscription": subscription, "breadcrumb": _trail((_("Confirm"), None))}
    return render(request, "alerts/confirm.html", context)


@require_http_methods(["GET", "POST"])
def manage(request: HttpRequest, token: str) -> HttpResponse:
    try:
        subscription, _call = _linked(tokens.MANAGE, token)
    except Http404:
        return _bad_link(request)
    initial = {
        "themes": list(subscription.themes.all()),
        "filter_query": subscription.filter_query,
        "frequency": subscription.frequency,
    }
    form = ChoicesForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.subscription_update(
                subscription=subscription,
                themes=form.cleaned_data["themes"],
                filter_query=form.cleaned_data["filter_query"],
                frequency=form.cleaned_data["frequency"],
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Your choices are saved."))
            return redirect(request.path)
    context = {
        "subscription": subscription,
        "form": form,
        "saved": subscription.saved_calls.select_related("call"),
        "unsubscribe_token": tokens.make(
            tokens.UNSUBSCRIBE, subscription_id=subscription.pk, email=subscription.email
        ),
        "breadcrumb": _trail((_("Your subscription"), None)),
    }
    return render(request, "alerts/manage.html", context)


@csrf_exempt  # RFC 8058: mail programs POST "List-Unsubscribe=One-Click" to this address, without a form
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    try:
        subscription, _call = _linked(tokens.UNSUBSCRIBE, token)
    except Http404:
        return _bad_link(request)
    done = request.method == "POST"
    if done:
        services.subscription_unsubscribe(subscription=subscription)
    context = {"subscription": subscription, "done": done, "breadcrumb": _trail((_("Unsubscribe"), None))}
    return render(request, "alerts/unsubscribe.html", context)


def _call_action(request: HttpRequest, token: str, purpose: str) -> HttpResponse:
    try:
        subscription, call = _linked(purpose, token)
    except Http404:
        return _bad_link(request)
    assert call is not None
    done = request.method == "POST"
    if done and purpose == tokens.SAVE_CALL:
        services.call_save(subscription=subscription, call=call)
    elif done:
        services.call_mute(subscription=subscription, call=call)
    context = {
        "subscription": subscription,
        "call": call,
        "done": done,
        "saving": purpose == tokens.SAVE_CALL,
        "reminder_days": settings.WELFARELAB_ALERT_REMINDER_DAYS,
        "breadcrumb": _trail((call.title, None)),
    }
    return render(request, "alerts/call_action.html", context)


@require_http_methods(["GET", "POST"])
def save_call(request: HttpRequest, token: str) -> HttpResponse:
    return _call_action(request, token, tokens.SAVE_CALL)


@require_http_methods(["GET", "POST"])
def mute_call(request: HttpRequest, token: str) -> HttpResponse:
    return _call_action(request, token, tokens.MUTE_CALL)


@require_safe
def news_list(request: HttpRequest) -> HttpResponse:
    context = {
        "posts": selectors.news_list()[:50],
        "may_write": can_manage_alerts(request.user),
        "breadcrumb": _trail((_("News"), None)),
    }
    return render(request, "alerts/news_list.html", context)


@require_safe
def news_detail(request: HttpRequest, pk: int) -> HttpResponse:
    post = get_object_or_404(selectors.news_list(), pk=pk)
    context = {
        "post": post,
        "body_html": markdown_to_html(post.body),
        "breadcrumb": _trail((_("News"), reverse("alerts:news-list")), (post.title, None)),
    }
    return render(request, "alerts/news_detail.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def news_create(request: HttpRequest) -> HttpResponse:
    require_alerts_manager(request.user)
    form = NewsPostForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        post = services.news_post_create(
            author=request.user,  # type: ignore[arg-type]
            title=form.cleaned_data["title"],
            body=form.cleaned_data["body"],
            themes=form.cleaned_data["themes"],
        )
        messages.success(request, _("The news is published; it goes out with the next digests."))
        return redirect("alerts:news-detail", pk=post.pk)
    context = {
        "form": form,
        "breadcrumb": _trail((_("News"), reverse("alerts:news-list")), (_("New post"), None)),
    }
    return render(request, "alerts/news_form.html", context)


@require_safe
@login_required
def deliveries(request: HttpRequest) -> HttpResponse:
    require_alerts_manager(request.user)
    context = {
        "counts": selectors.outbox_counts(),
        "statuses": OutboxMessage.Status,
        "failed": selectors.outbox_failed(),
        "retrying": selectors.outbox_retrying(),
        "breadcrumb": _trail((_("Deliveries"), None)),
    }
    return render(request, "alerts/deliveries.html", context)


@require_POST
@login_required
def delivery_retry(request: HttpRequest, pk: int) -> HttpResponse:
    require_alerts_manager(request.user)
    message = get_object_or_404(OutboxMessage, pk=pk, status=OutboxMessage.Status.FAILED)
    services.outbox_retry(message=message)
    _deliver_after_commit()
    messages.success(request, _("The message will be tried again."))
    return redirect("alerts:deliveries")
