"""The short summary written at the top of a profile: its most significant and its emerging needs.

Sentences are assembled from the profile's own comparisons, so every claim can be traced to a row of
the tables below it; nothing is said that a 95% interval does not support.
"""

from __future__ import annotations

from django.utils.text import format_lazy
from django.utils.translation import gettext as _

from welfarelab.analytics.comparisons import Comparison
from welfarelab.analytics.profiles import Change
from welfarelab.benchmarking.profiles import IndicatorLine, TerritoryProfile

_LISTED = 4  # indicators named per sentence


def _names(lines: list[IndicatorLine]) -> str:
    names = [line.indicator.localized("name").lower() for line in lines[:_LISTED]]
    more = len(lines) - _LISTED
    text = ", ".join(names)
    return f"{text} (+{more})" if more > 0 else text


def profile_summary(profile: TerritoryProfile) -> list[str]:
    """A few sentences on what stands out in `profile`, most significant first."""
    name = profile.territory.name
    lines = [line for line in profile.lines if not line.is_count and line.observation is not None]
    sentences: list[str] = []
    if not lines:
        return [_("No indicator has a value for %(name)s yet.") % {"name": name}]
    worse_peers = [line for line in lines if line.versus_peers == Comparison.WORSE.value]
    worse_italy = [
        line
        for line in lines
        if line.versus_italy == Comparison.WORSE.value and line.versus_peers != Comparison.WORSE.value
    ]
    if profile.peers and worse_peers:
        sentences.append(
            _("Compared with its %(count)d peers, %(name)s is significantly worse on: %(list)s.")
            % {"count": len(profile.peers), "name": name, "list": _names(worse_peers)}
        )
    elif profile.peers:
        sentences.append(
            _(
                "%(name)s is not significantly worse than its %(count)d peers on any indicator that has a direction."
            )
            % {"name": name, "count": len(profile.peers)}
        )
    if worse_italy:
        sentences.append(_("Worse than Italy: %(list)s.") % {"list": _names(worse_italy)})
    if profile.priorities:
        top = [(p, d) for p, d in profile.priorities if p.score > 0][:3]
        if top:
            sentences.append(
                _("Need domains to look at first: %(list)s.")
                % {"list": ", ".join(f"{d.localized('name')} ({p.score:+.0f})" for p, d in top)}
            )
    worsening = [line for line in lines if line.change == Change.GETTING_WORSE.value]
    rising = [line for line in lines if line.change in (Change.INCREASING.value, Change.DECREASING.value)]
    if worsening:
        sentences.append(
            _("Emerging: getting worse since the previous period: %(list)s.") % {"list": _names(worsening)}
        )
    if rising:
        sentences.append(
            _("Changing significantly since the previous period: %(list)s.")
            % {
                "list": ", ".join(
                    str(
                        format_lazy(
                            "{} ({})",
                            line.indicator.localized("name").lower(),
                            _("up") if line.change == Change.INCREASING.value else _("down"),
                        )
                    )
                    for line in rising[:_LISTED]
                )
            }
        )
    higher = [line for line in lines if line.versus_italy == Comparison.HIGHER.value]
    lower = [line for line in lines if line.versus_italy == Comparison.LOWER.value]
    if higher or lower:
        parts = []
        if higher:
            parts.append(_("higher than Italy: %(list)s") % {"list": _names(higher)})
        if lower:
            parts.append(_("lower than Italy: %(list)s") % {"list": _names(lower)})
        sentences.append(
            _("Population and context (no better or worse): %(parts)s.") % {"parts": "; ".join(parts)}
        )
    if profile.learning:
        sentences.append(
            _("Peers do significantly better on %(count)d indicators: see whom to learn from.")
            % {"count": len(profile.learning)}
        )
    return sentences
