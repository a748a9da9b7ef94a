"""The map of an indicator over the comparison set of a territory, as JSON for choropleth.js.

What is drawn: for a comune or an ambito, the comuni of its regione (an ambito has no boundary of its
own: its member comuni are outlined); for a provincia, every provincia of Italy; for a regione (and for
Italy), every regione. The values are those of the latest period in which the territory has one
(`?periodo=` chooses another). The classes are quantiles of the values drawn; the ranked table beside
the map is rendered by the page itself, so the map is never the only way to read a number.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import Http404, HttpRequest, JsonResponse
from django.shortcuts import get_object_or_404
from django.utils.formats import get_format, number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_GET

from welfarelab.analytics.quantiles import ValueClass, class_index, quantile_classes
from welfarelab.benchmarking.maps import boundaries
from welfarelab.indicators.models import Indicator, Observation
from welfarelab.indicators.templatetags.indicators import indicator_number
from welfarelab.territories import selectors as territory_selectors
from welfarelab.territories.models import Territory


@dataclass(frozen=True)
class MapScope:
    """Which territories the map draws and which of them are the territory of the page."""

    kind: str  # of the shapes drawn: comune, provincia or regione
    within: Territory | None  # the regione whose comuni are drawn; None for all of Italy
    highlighted: tuple[str, ...]  # codes of the shapes outlined


def map_scope(territory: Territory) -> MapScope:
    """The shapes that set `territory` among its comparison set (Http404 when it cannot be placed)."""
    if territory.kind in (Territory.Kind.COMUNE, Territory.Kind.AMBITO):
        if territory.regione is None:
            raise Http404(f"The {territory.kind} {territory.code} has no regione: it cannot be mapped.")
        if territory.kind == Territory.Kind.COMUNE:
            highlighted: tuple[str, ...] = (territory.code,)
        else:
            highlighted = tuple(territory.member_comuni.order_by("code").values_list("code", flat=True))
        return MapScope(kind=Territory.Kind.COMUNE, within=territory.regione, highlighted=highlighted)
    if territory.kind == Territory.Kind.PROVINCIA:
        return MapScope(kind=Territory.Kind.PROVINCIA, within=None, highlighted=(territory.code,))
    if territory.kind == Territory.Kind.REGIONE:
        return MapScope(kind=Territory.Kind.REGIONE, within=None, highlighted=(territory.code,))
    return MapScope(kind=Territory.Kind.REGIONE, within=None, highlighted=())


@require_GET
@gzip_page  # the boundaries of a large regione are about 800 KB of JSON, 200 KB gzipped
def indicator_map(request: HttpRequest, kind: str, code: str, indicator: str) -> JsonResponse:
    territory = territory_selectors.territory_get(kind=kind, code=code)
    chosen = get_object_or_404(Indicator, code=indicator, is_published=True)
    requested = request.GET.get("periodo", "").strip()
    if requested and not requested.isdigit():
        message = _("The parameter periodo must be a year, such as 2023, not “%(value)s”.") % {
            "value": requested
        }
        return JsonResponse({"error": message}, status=422)
    payload = indicator_map_payload(
        territory=territory, indicator=chosen, period=int(requested) if requested else None
    )
    return JsonResponse(payload, json_dumps_params={"ensure_ascii": False, "separators": (",", ":")})


def indicator_map_payload(
    *, territory: Territory, indicator: Indicator, period: int | None
) -> dict[str, Any]:
    """Everything choropleth.js draws: boundaries, values and classes, legend and note, in the page language.

    `period` None means the territory's latest period with a value (or the set's, if it has none).
    """
    scope = map_scope(territory)
    in_scope = Observation.objects.filter(
        indicator=indicator, territory__kind=scope.kind, value__isnull=False
    )
    if scope.within is not None:
        in_scope = in_scope.filter(territory__regione=scope.within)
    periods = list(in_scope.values_list("period", flat=True).distinct().order_by("-period"))
    if period is None:
        period = _latest_period(indicator, territory, periods)

    geojson = boundaries(scope.kind, scope.within.code if scope.within else None)
    features = {f["id"]: f for f in geojson["features"]}
    found = in_scope.filter(period=period) if period is not None else in_scope.none()
    rows = [
        (territory_code, name, value)
        for territory_code, name, value in found.order_by("territory__code").values_list(
            "territory__code", "territory__name", "value"
        )
        if territory_code in features and value is not None
    ]
    classes = quantile_classes([value for _code, _name, value in rows])
    values: list[dict[str, Any]] = [
        {
            "code": territory_code,
            "name": name,
            "value": value,
            "label": _with_unit(indicator_number(value, indicator), indicator),
            "class": class_index(value, classes),
        }
        for territory_code, name, value in rows
    ]
    noun = _shape_noun(scope.kind)
    decimals = _legend_decimals(classes, indicator.decimals)
    bins = [
        {
            "lower": c.lower,
            "upper": c.upper,
            "count": c.count,
            "label": _("%(lower)s to %(upper)s (%(count)s)")
            % {
                "lower": _number(c.lower, decimals),
                "upper": _number(c.upper, decimals),
                "count": noun(c.count),
            },
        }
        for c in classes
    ]
    missing = len(features) - len(values)
    own = (
        Observation.objects.filter(indicator=indicator, territory=territory, period=period).first()
        if period is not None
        else None
    )
    own_label = (
        _with_unit(indicator_number(own.value, indicator), indicator)
        if own and own.value is not None
        else None
    )
    # An ambito is not one of the shapes classified: only a comune, provincia or regione has a class.
    own_class = next(
        (v["class"] for v in values if v["code"] == territory.code and territory.kind == scope.kind), None
    )
    highlight = _highlight(
        territory, scope, features, label=own_label, class_=own_class, classes=len(classes)
    )
    return {
        "title": _map_title(indicator, scope, period),
        "indicator": indicator.code,
        "unit": indicator.unit,
        "period": period,
        "periods": periods,
        "territory": {"kind": territory.kind, "code": territory.code, "name": territory.name},
        "kind": scope.kind,
        "geojson": geojson,
        "values": values,
        "bins": bins,
        "legend_title": _("Quantile classes of %(indicator)s%(unit)s, lowest first")
        % {"indicator": indicator.name, "unit": f" ({indicator.unit})" if indicator.unit else ""},
        "no_value": {
            "count": missing,
            "label": _("No value (%(count)s)") % {"count": noun(missing)},
            "hover": _("no value for %(period)s") % {"period": period if period is not None else "–"},
        },
        "highlight": highlight,
        "note": _note(highlight, missing=missing, noun=noun, period=period),
        "separators": get_format("DECIMAL_SEPARATOR") + get_format("THOUSAND_SEPARATOR"),
    }


def _latest_period(indicator: Indicator, territory: Territory, periods: list[int]) -> int | None:
    """The territory's latest period with a value, else the latest of the shapes drawn."""
    own = (
        Observation.objects.filter(indicator=indicator, territory=territory, value__isnull=False)
        .order_by("-period")
        .values_list("period", flat=True)
        .first()
    )
    return own if own is not None else (periods[0] if periods else None)


def _number(value: float, decimals: int) -> str:
    return number_format(round(value, decimals), decimal_pos=decimals, force_grouping=True)


def _legend_decimals(classes: list[ValueClass], decimals: int) -> int:
    """The indicator's decimals, or up to two more when one class would seem to end where the next begins
    (25.55 and 25.62 both read "25,6")."""
    for extra in range(3):
        shown = decimals + extra
        if all(
            _number(low.upper, shown) != _number(high.lower, shown)
            for low, high in itertools.pairwise(classes)
        ):
            return shown
    return decimals + 2


def _with_unit(number: str, indicator: Indicator) -> str:
    return f"{number}\u00a0{indicator.unit}" if indicator.unit and number != "–" else number


def _shape_noun(kind: str) -> Callable[[int], str]:
    """'3 municipalities', '1 province'… for the kind of shapes drawn."""

    def noun(count: int) -> str:
        if kind == Territory.Kind.COMUNE:
            text = ngettext("%(count)s municipality", "%(count)s municipalities", count)
        elif kind == Territory.Kind.PROVINCIA:
            text = ngettext("%(count)s province", "%(count)s provinces", count)
        else:
            text = ngettext("%(count)s region", "%(count)s regions", count)
        return text % {"count": number_format(count, force_grouping=True)}

    return noun


def _map_title(indicator: Indicator, scope: MapScope, period: int | None) -> str:
    if scope.within is not None:
        where = _("municipalities of %(regione)s") % {"regione": scope.within.name}
    elif scope.kind == Territory.Kind.PROVINCIA:
        where = _("provinces of Italy")
    else:
        where = _("regions of Italy")
    if period is None:
        return _("%(indicator)s: %(where)s, no value yet") % {"indicator": indicator.name, "where": where}
    return _("%(indicator)s: %(where)s, %(period)s") % {
        "indicator": indicator.name,
        "where": where,
        "period": period,
    }


def _highlight(
    territory: Territory,
    scope: MapScope,
    features: dict[str, dict[str, Any]],
    *,
    label: str | None,
    class_: int | None,
    classes: int,
) -> dict[str, Any] | None:
    """The shapes to outline, the name to write on the map and where, and its value in words."""
    codes = [c for c in scope.highlighted if c in features]
    if not codes:
        return None
    points = [features[c]["properties"]["label_point"] for c in codes]
    # An ambito's label goes on the member whose label point is nearest to the middle of them all,
    # so it is always written inside the ambito.
    middle = (sum(p[0] for p in points) / len(points), sum(p[1] for p in points) / len(points))
    point = min(points, key=lambda p: (p[0] - middle[0]) ** 2 + (p[1] - middle[1]) ** 2)
    return {
        "codes": codes,
        "group": territory.kind == Territory.Kind.AMBITO,  # outlined through its member comuni
        "name": territory.name,
        "label_point": point,
        "label": label,  # the territory's own value, also for an ambito (which is not a shape)
        "class": class_ + 1 if class_ is not None else None,  # 1 = lowest, as the note says
        "classes": classes,
    }


def _note(
    highlight: dict[str, Any] | None, *, missing: int, noun: Callable[[int], str], period: int | None
) -> str:
    """The map in words: where the territory is, its value and class, what grey means."""
    sentences = []
    if highlight is not None:
        if highlight["group"]:
            members = {"count": noun(len(highlight["codes"])), "name": highlight["name"]}
            if highlight["label"] is not None:
                sentences.append(
                    _("Thick outline: the %(count)s of %(name)s, whose value is %(value)s.")
                    % {**members, "value": highlight["label"]}
                )
            else:
                sentences.append(_("Thick outline: the %(count)s of %(name)s, which has no value.") % members)
        elif highlight["label"] is not None and highlight["class"] is not None:
            sentences.append(
                _("Thick outline: %(name)s, %(value)s, class %(class)s of %(classes)s (1 = lowest).")
                % {
                    "name": highlight["name"],
                    "value": highlight["label"],
                    "class": highlight["class"],
                    "classes": highlight["classes"],
                }
            )
        else:
            sentences.append(_("Thick outline: %(name)s, which has no value.") % {"name": highlight["name"]})
    if missing:
        sentences.append(
            _("In grey, %(count)s without a value for %(period)s.")
            % {"count": noun(missing), "period": period if period is not None else "–"}
        )
    return " ".join(sentences)
