"""Peer groups: a territory's peers with what makes each close, and the coordinator's settings."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from welfarelab.benchmarking.forms import PeerModelForm
from welfarelab.benchmarking.models import Peer, PeerModel, StructuralValues
from welfarelab.benchmarking.peers import default_variables, peer_model_get
from welfarelab.benchmarking.tasks import recompute_peers
from welfarelab.territories import selectors as territory_selectors
from welfarelab.territories.models import Territory


def variable_labels() -> dict[str, str]:
    return {
        "population": _("Residents"),
        "old_age_index": _("Old-age index"),
        "share_0_14": _("Share aged 0–14"),
        "mean_taxable_income": _("Mean taxable income"),
        "density": _("Density (residents per km²)"),
        "altimetric_zone": _("Altimetric zone"),
        "degurba": _("Degree of urbanisation"),
        "inner_area_class": _("Inner-area class"),
        "altimetric_score": _("Altimetric zone (mean)"),
        "degurba_score": _("Degree of urbanisation (mean)"),
        "inner_area_score": _("Inner-area class (mean)"),
    }


def shown_value(name: str, value: object) -> str:
    """A structural value as a reader expects it: residents whole, shares in %, classes by name."""
    if value is None or value == "":
        return "–"
    if name == "altimetric_zone":
        return str(Territory.AltimetricZone(int(str(value))).label)
    if name == "degurba":
        return str(Territory.Degurba(int(str(value))).label)
    if name == "inner_area_class":
        return str(Territory.InnerAreaClass(str(value)).label)
    number = float(value)  # type: ignore[arg-type]
    if name == "share_0_14":
        return f"{number_format(number * 100, 1)} %"
    if name in ("population", "mean_taxable_income", "density"):
        return number_format(round(number), 0, force_grouping=True)
    return number_format(number, 1, force_grouping=True)


def peers(request: HttpRequest, kind: str, code: str) -> HttpResponse:
    territory = territory_selectors.territory_get(kind=kind, code=code)
    links = list(Peer.objects.filter(territory=territory).select_related("peer").order_by("rank"))
    values = {
        v.territory_id: v.values
        for v in StructuralValues.objects.filter(territory_id__in=[territory.pk, *(p.peer_id for p in links)])
    }
    model = PeerModel.objects.filter(kind=kind).first()
    labels = variable_labels()
    names = [
        v.name for v in default_variables(kind) if model is None or model.weights.get(v.name, v.weight) > 0
    ]
    rows = [
        {
            "peer": link,
            "values": [shown_value(name, values.get(link.peer_id, {}).get(name)) for name in names],
            "closest_on": [labels.get(n, n) for n in link.closest_on],
            "differs_most_on": labels.get(link.differs_most_on, link.differs_most_on),
            "shares": [link.contributions.get(name) for name in names],
        }
        for link in links
    ]
    return render(
        request,
        "benchmarking/peers.html",
        {
            "territory": territory,
            "model": model,
            "columns": [labels.get(n, n) for n in names],
            "own_values": [shown_value(name, values.get(territory.pk, {}).get(name)) for name in names],
            "rows": rows,
            "breadcrumb": [
                (_("Territories"), reverse("territories:search")),
                (territory.name, reverse("territories:detail", args=[territory.kind, territory.code])),
                (
                    _("Community profile"),
                    reverse("benchmarking:profile", args=[territory.kind, territory.code]),
                ),
                (_("Peers"), None),
            ],
        },
    )


@login_required
def peer_settings(request: HttpRequest) -> HttpResponse:
    """The coordinator sets the variables' weights and k; peers are recomputed in the background."""
    if not request.user.is_lab_coordinator:  # type: ignore[union-attr]
        raise PermissionDenied(_("Only the lab coordinator sets how peers are chosen."))
    kind = request.GET.get("tipo") or request.POST.get("kind") or Territory.Kind.COMUNE
    if kind not in PeerModel.Kind.values:
        kind = Territory.Kind.COMUNE
    model = peer_model_get(kind)
    form = PeerModelForm(request.POST or None, model=model, labels=variable_labels())
    if request.method == "POST" and form.is_valid():
        form.apply(user=request.user)  # type: ignore[arg-type]
        recompute_peers.enqueue(kind=kind, user_id=request.user.pk)
        messages.success(request, _("Weights saved: the peers are being recomputed."))
        return redirect(f"{reverse('benchmarking:peer-settings')}?tipo={kind}")
    return render(
        request,
        "benchmarking/peer_settings.html",
        {
            "form": form,
            "model": model,
            "kinds": PeerModel.Kind.choices,
            "kind": kind,
            "variables": [(v, variable_labels().get(v.name, v.name)) for v in default_variables(kind)],
            "breadcrumb": [(_("Peer groups"), None)],
        },
    )
