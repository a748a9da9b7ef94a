"""The profile as a table (CSV, XLSX, and the API's JSON): one row per indicator and need domain."""

from __future__ import annotations

from collections.abc import Iterator

from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _

from welfarelab.benchmarking.profiles import TerritoryProfile
from welfarelab.reports.tabular import Column, tabular_response

COLUMNS = [
    Column("need_domain", _("Need domain")),
    Column("indicator", _("Indicator code")),
    Column("name", _("Indicator")),
    Column("period", _("Period")),
    Column("value", _("Value")),
    Column("lower_95", _("Lower 95% limit")),
    Column("upper_95", _("Upper 95% limit")),
    Column("numerator", _("Numerator")),
    Column("denominator", _("Denominator")),
    Column("unit", _("Unit")),
    Column("italy", _("Italy")),
    Column("region", _("Region")),
    Column("peers", _("Peers (pooled or median)")),
    Column("peers_min", _("Peers: lowest")),
    Column("peers_max", _("Peers: highest")),
    Column("versus_italy", _("Compared with Italy")),
    Column("versus_region", _("Compared with the region")),
    Column("versus_peers", _("Compared with peers")),
    Column("change", _("Change since the previous period")),
]


def profile_rows(profile: TerritoryProfile) -> Iterator[tuple[object, ...]]:
    for section in profile.sections:
        for line in section.lines:
            o = line.observation
            if o is None:
                continue
            yield (
                section.domain.code,
                line.indicator.code,
                line.indicator.localized("name"),
                o.period,
                o.value,
                o.lower_95,
                o.upper_95,
                o.numerator,
                o.denominator,
                line.indicator.localized("unit"),
                line.italy.value if line.italy else None,
                line.regione.value if line.regione else None,
                line.peers.value,
                line.peers.minimum,
                line.peers.maximum,
                line.versus_italy,
                line.versus_regione,
                line.versus_peers,
                line.change,
            )


def profile_download(profile: TerritoryProfile, *, fmt: str) -> HttpResponse:
    territory = profile.territory
    return tabular_response(
        columns=COLUMNS,
        rows=profile_rows(profile),
        fmt=fmt,
        filename=f"profilo-{territory.kind}-{territory.code}-{profile.period or 'ultimo'}",
    )
