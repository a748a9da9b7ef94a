"""The community profile: comparisons, whom to learn from, exports, PDF and API on a real slice of Italy."""

from __future__ import annotations

import io

import polars as pl
import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from tests.benchmarking.conftest import comune
from tests.factories import IndicatorFactory
from welfarelab.benchmarking.models import Peer
from welfarelab.benchmarking.profiles import territory_profile
from welfarelab.indicators.models import NeedDomain, Observation
from welfarelab.indicators.services import observations_store
from welfarelab.practices.models import Practice
from welfarelab.practices.selectors import published_practices

pytestmark = pytest.mark.django_db

ROMA = "058091"


def _line(profile, code):
    return next(line for line in profile.lines if line.indicator.code == code)


def test_every_value_is_set_against_italy_the_region_and_the_peers(loaded):
    roma = comune(ROMA)
    profile = territory_profile(roma)
    line = _line(profile, "share_65_plus")
    peers = list(Peer.objects.filter(territory=roma))
    peer_rows = Observation.objects.filter(
        indicator=line.indicator, period=line.period, territory_id__in=[p.peer_id for p in peers]
    )

    assert profile.period == 2023
    assert line.italy.territory.kind == "italia" and line.regione.territory.code == "12"
    assert line.peers.count == len(peers) == 15
    # A proportion's peers are pooled: their residents 65+ over their residents, not a mean of shares.
    pooled = sum(o.numerator for o in peer_rows) / sum(o.denominator for o in peer_rows) * 100
    assert line.peers.pooled and line.peers.value == pytest.approx(pooled)
    assert line.peers.minimum == min(o.value for o in peer_rows)
    # Italy's value here is the slice's sum; the comparison follows the intervals.
    expected = "higher" if line.observation.lower_95 > line.italy.value else None
    expected = expected or ("lower" if line.observation.upper_95 < line.italy.value else "similar")
    assert line.versus_italy == expected
    assert 0 <= line.spine["value"] <= 1 and line.spine["italy"] == 0.5


def test_counts_are_shown_but_never_compared(loaded):
    line = _line(territory_profile(comune(ROMA)), "pop_total")

    assert line.is_count and line.versus_italy == "not_comparable"


def test_an_earlier_period_is_chosen_with_the_periodo_parameter(loaded):
    profile = territory_profile(comune(ROMA), period=2022)

    assert _line(profile, "share_65_plus").period == 2022
    assert _line(profile, "mean_taxable_income").period == 2021  # the latest up to 2022


@pytest.fixture
def worse_than_peers(loaded):
    """A lab indicator on which Roma (1%) is far below its peers (30%, 28.5%, … 9%),
    and practices of the first peer: one published in the indicator's domain, one in another domain,
    one not yet published."""
    domain = NeedDomain.objects.get(code="poverta_inclusione")
    other = NeedDomain.objects.get(code="demografia")
    indicator = IndicatorFactory(code="prese_in_carico", polarity="higher_is_better")
    indicator.need_domains.set([domain])
    roma = comune(ROMA)
    peers = [p.peer for p in Peer.objects.filter(territory=roma).select_related("peer").order_by("rank")]
    rows = [(roma.pk, 10, 1000)] + [(p.pk, 300 - 15 * i, 1000) for i, p in enumerate(peers)]
    observations_store(
        indicator=indicator,
        frame=pl.DataFrame(
            rows, schema=["territory_id", "numerator", "denominator"], orient="row"
        ).with_columns(period=pl.lit(2023)),
        batch=None,
    )

    def practice(title, status, need_domain):
        created = Practice.objects.create(
            title=title,
            slug=title.lower().replace(" ", "-"),
            territory=peers[0],
            status=status,
            published_at=timezone.now(),
            start_year=2022,
        )
        created.need_domains.set([need_domain])
        return created

    return {
        "indicator": indicator,
        "peers": peers,
        "published": practice("Sportello unico", Practice.Status.PUBLISHED, domain),
        "elsewhere": practice("Anagrafe", Practice.Status.PUBLISHED, other),
        "draft": practice("Bozza", Practice.Status.PROPOSED, domain),
    }


def test_whom_to_learn_from_lists_the_better_peers_and_their_practices_in_that_domain(worse_than_peers):
    profile = territory_profile(comune(ROMA), practices_for=published_practices)

    lead = next(lead for lead in profile.learning if lead.line.indicator.code == "prese_in_carico")
    assert lead.line.versus_peers == "worse"
    better = {b.territory.pk for b in lead.better_peers}
    assert {p.pk for p in worse_than_peers["peers"][:3]} <= better
    assert [p.title for p in lead.practices] == ["Sportello unico"]


def test_the_priority_of_the_domain_counts_the_gap(worse_than_peers):
    profile = territory_profile(comune(ROMA))

    priority = next(p for p, d in profile.priorities if d.code == "poverta_inclusione")
    score = next(s for s in priority.indicators if s.code == "prese_in_carico")
    assert score.significance == 1 and score.gap > 0


def test_the_page_leads_with_whom_to_learn_from(worse_than_peers, client):
    response = client.get(reverse("benchmarking:profile", args=["comune", ROMA]))
    html = response.content.decode()

    assert response.status_code == 200
    assert html.index('id="learn"') < html.index('id="summary"') < html.index('id="domain-')
    assert "Sportello unico" in html and "Bozza" not in html
    assert 'data-figure="spine-poverta_inclusione"' in html
    assert 'id="spine-poverta_inclusione"' in html  # the figure's JSON, for figures.js


def test_the_profile_downloads_as_csv_and_xlsx_with_one_row_per_indicator(loaded, client):
    csv = client.get(reverse("benchmarking:profile-export", args=["comune", ROMA, "csv"]))
    xlsx = client.get(reverse("benchmarking:profile-export", args=["comune", ROMA, "xlsx"]))

    frame = pl.read_csv(io.BytesIO(csv.content))
    profile = territory_profile(comune(ROMA))
    assert frame.height == sum(len(s.lines) for s in profile.sections)
    assert frame.filter(pl.col(frame.columns[1]) == "share_65_plus").height >= 1
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet.max_row == frame.height + 1
    assert client.get(reverse("benchmarking:profile-export", args=["comune", ROMA, "pdf"])).status_code == 404


def test_the_pdf_has_a_title_page_and_the_territory(loaded, client):
    response = client.get(reverse("benchmarking:profile-pdf", args=["comune", ROMA]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    pdf = PdfReader(io.BytesIO(response.content))
    cover, contents = pdf.pages[0].extract_text(), "".join(page.extract_text() for page in pdf.pages[1:])
    assert len(pdf.pages) >= 3
    assert "Roma" in cover and "Struttura e dinamica della popolazione" in cover  # the contents
    assert "Anziani di 65 anni e più sul totale" in contents and "ISTAT" in contents
    assert "profilo-comune-058091" in response["Content-Disposition"]


def test_bad_periods_and_unknown_territories_are_404(loaded, client):
    assert (
        client.get(reverse("benchmarking:profile", args=["comune", ROMA]) + "?periodo=abc").status_code == 404
    )
    assert client.get(reverse("benchmarking:profile", args=["comune", "999999"])).status_code == 404


def test_the_indicator_page_draws_a_funnel_of_the_regions_comuni_and_ranks_them(loaded, client):
    response = client.get(reverse("benchmarking:indicator", args=["comune", ROMA, "share_65_plus"]))
    context = response.context

    assert response.status_code == 200
    assert context["funnel_chart"] is not None
    ranked = context["ranked"]
    assert {row.observation.territory.regione_id for row in ranked} == {comune(ROMA).regione_id}
    values = [row.observation.value for row in ranked]
    assert values == sorted(values, reverse=True)  # no judgement: highest first
    assert context["own_rank"].observation.territory.code == ROMA
    assert context["trend_chart"]["names"][0] == "Roma"


def test_the_api_profile_gives_each_indicator_with_its_comparators(worse_than_peers, client):
    body = client.get(f"/api/v1/territories/comune/{ROMA}/profile?period=2023").json()

    indicator = next(i for i in body["indicators"] if i["code"] == "prese_in_carico")
    assert indicator["peers"]["comparison"] == "worse" and indicator["peers"]["pooled"] is True
    assert indicator["value"] == pytest.approx(1.0)
    assert body["learning"][0]["practices"][0]["title"] == "Sportello unico"
    assert len(body["peers"]) == 15
    assert client.get(f"/api/v1/territories/comune/{ROMA}/profile?period=1700").status_code == 422


@pytest.mark.parametrize(
    ("kind", "code"), [("regione", "12"), ("provincia", "058"), ("italia", "IT"), ("ambito", "ATS-00")]
)
def test_every_kind_of_territory_has_a_profile_page_and_pdf(loaded, client, kind, code):
    page = client.get(reverse("benchmarking:profile", args=[kind, code]))
    pdf = client.get(reverse("benchmarking:profile-pdf", args=[kind, code]))

    assert page.status_code == 200 and pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")
