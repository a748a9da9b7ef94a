"""Reads: the published practices by need domain and territory (the benchmarking pages' door), the
list's filters and keyword search, the evidence read from the indicator table."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import IndicatorFactory
from welfarelab.indicators.models import Observation
from welfarelab.practices import selectors, services
from welfarelab.practices.models import Practice

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue(make_practice, places, domains):
    """Published: Agliè (ageing), Roma (poverty, housing; also in Fiumicino), the ambito of Ivrea
    (housing); proposed: Fiumicino (poverty)."""
    return {
        "aglie": make_practice(title="Portierato di comunità per anziani soli"),
        "roma": make_practice(
            title="Emporio solidale",
            summary="Spesa a punti e orientamento al lavoro per le famiglie povere.",
            problem="Famiglie in povertà.",
            actions="Un emporio con uno sportello lavoro.",
            territory=places["roma"],
            other_territories=[places["fiumicino"]],
            need_domains=[domains["poverta_inclusione"], domains["casa_abitare"]],
        ),
        "ambito": make_practice(
            title="Abitare condiviso",
            summary="Case condivise per giovani adulti.",
            problem="Mancano case.",
            actions="Appartamenti condivisi.",
            territory=places["ambito"],
            need_domains=[domains["casa_abitare"]],
        ),
        "proposed": make_practice(
            status=Practice.Status.PROPOSED,
            title="Emporio di Fiumicino",
            territory=places["fiumicino"],
            need_domains=[domains["poverta_inclusione"]],
        ),
    }


def slugs(practices) -> set[str]:
    return {p.slug for p in practices}


def test_only_published_practices_come_out(catalogue):
    assert slugs(selectors.published_practices()) == {catalogue[k].slug for k in ("aglie", "roma", "ambito")}


def test_by_need_domain_any_of_them(catalogue):
    assert slugs(selectors.published_practices(need_domain_codes=["casa_abitare"])) == {
        catalogue["roma"].slug,
        catalogue["ambito"].slug,
    }
    assert slugs(
        selectors.published_practices(
            need_domain_codes=["poverta_inclusione", "invecchiamento_non_autosufficienza"]
        )
    ) == {catalogue["roma"].slug, catalogue["aglie"].slug}
    assert slugs(selectors.published_practices(need_domain_codes=[])) == set()


def test_by_territory_in_or_inside_through_the_main_or_the_other_territories(catalogue, places):
    def located(*names: str) -> set[str]:
        return slugs(selectors.published_practices(territories=[places[n] for n in names]))

    assert located("piemonte") == {catalogue["aglie"].slug, catalogue["ambito"].slug}  # comune and ambito
    assert located("torino") == {catalogue["aglie"].slug}
    assert located("ambito") == {catalogue["aglie"].slug, catalogue["ambito"].slug}  # its comuni too
    assert located("fiumicino") == {catalogue["roma"].slug}  # an other territory; the proposed one is hidden
    assert located("aglie", "roma") == {catalogue["aglie"].slug, catalogue["roma"].slug}
    assert located("italia") == {catalogue[k].slug for k in ("aglie", "roma", "ambito")}
    assert located() == set()


def test_domains_and_territories_combine(catalogue, places):
    practices = selectors.published_practices(
        need_domain_codes=["casa_abitare"], territories=[places["lazio"]]
    )
    assert slugs(practices) == {catalogue["roma"].slug}


def test_reading_a_list_costs_the_same_queries_whatever_its_length(catalogue, make_practice):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            for practice in selectors.published_practices():
                practice.territory.regione, practice.owner_organisation  # noqa: B018
                [d.code for d in practice.need_domains.all()]
                [t.code for t in practice.other_territories.all()]
                [(p.name, p.organisation) for p in practice.partners.all()]
                [c.email for c in practice.public_contacts]
        return len(captured.captured_queries)

    before = queries()
    for number in range(5):
        make_practice(title=f"Altra pratica {number}")

    assert queries() == before == 5


def test_only_consenting_contacts_are_public(catalogue):
    practice = selectors.published_practices().get(pk=catalogue["aglie"].pk)
    assert [c.name for c in practice.public_contacts] == ["Anna Verdi"]


def test_the_list_filters_by_size_region_province_comune_and_domain(catalogue):
    def listed(**filters) -> set[str]:
        return slugs(selectors.practice_list(filters=filters))

    assert listed(size="0-5000") == {catalogue["aglie"].slug}  # 2,121 residents
    assert listed(size="oltre-250000") == {catalogue["roma"].slug}  # 303,000
    assert listed(size="60001-250000") == set()  # Fiumicino's practice is not published
    assert listed(regione="12") == {catalogue["roma"].slug}
    assert listed(provincia="001") == {catalogue["aglie"].slug}
    assert listed(comune="aglie") == listed(comune="001001") == {catalogue["aglie"].slug}
    assert listed(comune="Fiumicino") == {catalogue["roma"].slug}
    assert listed(regione="01", need_domain="casa_abitare") == {catalogue["ambito"].slug}
    assert listed(regione="12", provincia="001") == set()  # Torino is not in Lazio
    assert listed(regione="99") == set()
    assert listed(size="not-a-band") == listed()  # an unknown band is no filter (the form refuses it)


def test_the_list_carries_the_residents_of_each_territory(catalogue):
    residents = {p.slug: p.territory_population for p in selectors.practice_list()}
    assert residents[catalogue["aglie"].slug] == 2121
    assert residents[catalogue["roma"].slug] == 303_000
    assert residents[catalogue["ambito"].slug] is None  # no population loaded for it


def test_keywords_rank_with_italian_stems_and_only_published(catalogue):
    found = list(selectors.practice_list(filters={"q": "famiglie povere lavoro"}))
    assert [p.slug for p in found] == [catalogue["roma"].slug]
    # "volontario" and "isolato" find "Volontari" and "isolati" (same stems); the proposed "Emporio di
    # Fiumicino", which says the same, is never found.
    assert [p.slug for p in selectors.practice_list(filters={"q": "volontario isolato"})] == [
        catalogue["aglie"].slug
    ]
    assert slugs(selectors.practice_list(filters={"q": "emporio"})) == {catalogue["roma"].slug}
    assert slugs(selectors.practice_list(filters={"q": "zzzz qqqq"})) == set()


def test_keywords_combine_with_filters(catalogue):
    assert slugs(selectors.practice_list(filters={"q": "emporio", "regione": "01"})) == set()
    assert slugs(selectors.practice_list(filters={"q": "emporio", "regione": "12"})) == {
        catalogue["roma"].slug
    }


def test_the_search_index_sees_a_newly_published_practice(catalogue, people):
    assert slugs(selectors.practice_list(filters={"q": "fiumicino"})) == {
        catalogue["roma"].slug
    }  # other territory
    proposed = catalogue["proposed"]
    services.practice_start_review(practice=proposed, reviewer=people["reviewer"])
    services.practice_publish(practice=proposed, reviewer=people["reviewer"])

    assert proposed.slug in slugs(selectors.practice_list(filters={"q": "emporio"}))


def test_evidence_shows_the_observed_values_before_and_after(people, content, places):
    from dataclasses import replace

    indicator = IndicatorFactory(code="anziani_seguiti")
    Observation.objects.create(indicator=indicator, territory=places["aglie"], period=2021, value=12.5)
    Observation.objects.create(indicator=indicator, territory=places["aglie"], period=2023, value=20.0)
    practice = services.practice_propose(
        proposer=people["proposer"],
        data=replace(
            content,
            evidence=[
                services.EvidenceData(
                    indicator=indicator, territory=places["aglie"], period_before=2021, period_after=2023
                ),
                services.EvidenceData(
                    indicator=indicator, territory=places["roma"], period_before=2021, period_after=2023
                ),
            ],
        ),
    )

    rows = selectors.evidence_rows(practice=practice)

    assert [
        (r.before.value if r.before else None, r.after.value if r.after else None, r.change) for r in rows
    ] == [
        (12.5, 20.0, 7.5),
        (None, None, None),  # nothing observed in Roma: shown as unknown, never 0
    ]


def test_a_search_ranks_every_match_but_writes_snippets_only_for_the_first(catalogue, make_practice):
    from welfarelab.practices.search import practice_search

    for number in range(3):
        make_practice(title=f"Emporio numero {number}")

    result = practice_search(query="emporio", snippets=2)

    assert len(result.ranked) == 4  # the three new ones and Roma's; never the proposed one
    assert catalogue["proposed"].slug not in result.ranked
    assert [hit.slug for hit in result.hits] == list(result.ranked[:2])
    assert "<mark>Emporio</mark>" in result.hits[0].title_html
    assert practice_search(query="emporoi").corrected_query == "emporio"  # a typo, corrected
