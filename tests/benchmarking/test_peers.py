"""Peer groups computed from the database, stored, explained and re-weighted by the coordinator."""

from __future__ import annotations

import polars as pl
import pytest
from django.core.management import call_command
from django.urls import reverse

from tests.benchmarking.conftest import comune
from tests.factories import UserFactory
from welfarelab.analytics.peers import DEFAULT_VARIABLES, peer_groups, structural_variables
from welfarelab.benchmarking.models import Peer, PeerModel, StructuralValues
from welfarelab.benchmarking.peers import peers_compute, peers_load, structural_counts
from welfarelab.indicators.models import Observation
from welfarelab.territories.models import Territory
from welfarelab.territories.services import ambiti_import

pytestmark = pytest.mark.django_db


def test_every_comune_with_data_gets_k_peers_with_explanations(loaded):
    comuni = Territory.objects.filter(kind=Territory.Kind.COMUNE).count()
    result = loaded["comuni"]

    assert result.territories == comuni
    with_peers = Peer.objects.filter(territory__kind="comune").values("territory").distinct().count()
    # Comuni without population (Montecopiolo, Sassofeltrio) share too little to be compared.
    assert with_peers >= comuni - 3
    assert result.peers == with_peers * 15
    for link in Peer.objects.filter(territory=comune("058091")):  # Roma
        assert link.peer_id != link.territory_id
        assert 0 <= link.similarity <= 100
        assert sum(link.contributions.values()) == pytest.approx(1, abs=1e-3)
        assert link.differs_most_on not in link.closest_on


def test_stored_peers_are_those_analytics_computes_from_the_same_counts(loaded):
    counts, _ = structural_counts()
    frame = structural_variables(counts.drop("pk", "ambito"))
    expected = peer_groups(frame, variables=DEFAULT_VARIABLES, k=15).filter(pl.col("territory") == "005005")
    stored = [
        link.peer.code
        for link in Peer.objects.filter(territory=comune("005005")).select_related("peer").order_by("rank")
    ]

    assert stored == expected["peer"].to_list()


def test_structural_values_are_read_from_the_built_in_indicators(loaded):
    roma = comune("058091")
    share = Observation.objects.get(indicator__code="share_0_14", territory=roma, period=2023)
    values = StructuralValues.objects.get(territory=roma).values

    assert values["population"] == share.denominator
    assert values["share_0_14"] == pytest.approx((share.numerator + 0.5) / (share.denominator + 1))
    assert values["degurba"] == "1"


def test_a_large_city_is_compared_with_cities_and_a_small_comune_with_small_ones(loaded):
    roma_peers = Peer.objects.filter(territory=comune("058091")).select_related("peer")
    small = comune("005005")  # a comune of the provincia di Asti
    small_values = StructuralValues.objects.get(territory=small).values

    assert {link.peer.code for link in roma_peers[:3]} & {"099014", "079023", "058120", "058047"}
    peer_sizes = [
        StructuralValues.objects.get(territory=link.peer).values["population"]
        for link in Peer.objects.filter(territory=small)
    ]
    assert max(peer_sizes) < 20 * small_values["population"]


def test_ambiti_get_peers_among_ambiti(loaded):
    ambito = Territory.objects.filter(kind=Territory.Kind.AMBITO).first()

    links = list(Peer.objects.filter(territory=ambito).select_related("peer"))
    assert len(links) == 15
    assert {link.peer.kind for link in links} == {Territory.Kind.AMBITO}
    assert "altimetric_score" in StructuralValues.objects.get(territory=ambito).values


def test_new_weights_change_the_peers_and_are_kept(loaded):
    before = list(Peer.objects.filter(territory=comune("058091")).values_list("peer_id", flat=True))

    peers_compute(kind="comune", weights={"population": 0, "mean_taxable_income": 10}, k=5)

    model = PeerModel.objects.get(kind="comune")
    after = list(Peer.objects.filter(territory=comune("058091")).values_list("peer_id", flat=True))
    assert model.weights["population"] == 0 and model.k == 5
    assert len(after) == 5 and after != before[:5]


def test_bad_weights_are_refused_and_nothing_changes(loaded):
    stored = Peer.objects.count()

    with pytest.raises(ValueError, match="No variable named altitude"):
        peers_compute(kind="comune", weights={"altitude": 1})
    with pytest.raises(ValueError, match="weight"):
        peers_compute(kind="comune", weights={"population": -1})

    assert Peer.objects.count() == stored
    assert PeerModel.objects.get(kind="comune").weights["population"] == 3


def test_the_load_step_is_skipped_when_done_and_the_command_recomputes(loaded, capsys):
    first = peers_load()
    second = peers_load()

    assert not first.skipped and second.skipped
    call_command("compute_peers", "--kind", "comune")
    assert "comune:" in capsys.readouterr().out


def test_only_the_coordinator_sets_the_weights(loaded, client):
    url = reverse("benchmarking:peer-settings")
    assert client.get(url).status_code == 302  # to the login page

    client.force_login(UserFactory())
    assert client.get(url).status_code == 403

    coordinator = UserFactory(is_lab_coordinator=True)
    client.force_login(coordinator)
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"kind": "comune", "k": 10, **{f"weight_{v.name}": 1 for v in DEFAULT_VARIABLES}}
    )
    assert response.status_code == 302
    model = PeerModel.objects.get(kind="comune")
    assert model.k == 10 and model.updated_by == coordinator
    # The test settings run tasks at once: the peers are already recomputed with k = 10.
    assert Peer.objects.filter(territory=comune("058091")).count() == 10


def test_all_weights_zero_is_refused_with_a_message(loaded, client):
    client.force_login(UserFactory(is_lab_coordinator=True))

    response = client.post(
        reverse("benchmarking:peer-settings"),
        {"kind": "comune", "k": 15, **{f"weight_{v.name}": 0 for v in DEFAULT_VARIABLES}},
    )

    assert response.status_code == 200
    assert (
        "At least one variable" in response.content.decode()
        or "Almeno una variabile" in response.content.decode()
    )
    assert PeerModel.objects.get(kind="comune").weights["population"] == 3


def test_the_peers_page_and_api_explain_each_neighbour(loaded, client):
    page = client.get(reverse("benchmarking:peers", args=["comune", "058091"]))
    api = client.get("/api/v1/territories/comune/058091/peers").json()

    assert page.status_code == 200
    first = api["peers"][0]
    assert first["rank"] == 1 and first["territory"]["kind"] == "comune"
    assert set(first["contributions"]) <= {v.name for v in DEFAULT_VARIABLES}
    assert first["territory"]["name"] in page.content.decode()
    assert api["values"]["population"] > 2_000_000
    assert client.get("/api/v1/territories/comune/999999/peers").status_code == 404


def test_an_import_of_ambiti_gives_them_their_sums_and_peers(loaded, django_capture_on_commit_callbacks):
    comuni = list(Territory.objects.filter(kind="comune", provincia__code="099").order_by("code")[:4])
    rows = "".join(f"RN-NEW,Rimini Nord,08,{c.code}\n" for c in comuni)
    content = ("codice_ambito,nome_ambito,codice_regione,codice_comune\n" + rows).encode()

    with django_capture_on_commit_callbacks(execute=True):
        ambiti_import(content=content, filename="ambiti.csv", imported_by=None)

    ambito = Territory.objects.get(kind="ambito", code="RN-NEW")
    sums = Observation.objects.get(indicator__code="share_0_14", territory=ambito, period=2023)
    parts = Observation.objects.filter(indicator__code="share_0_14", territory__in=comuni, period=2023)
    assert sums.numerator == sum(o.numerator for o in parts)
    assert sums.origin == "aggregated"
    assert Peer.objects.filter(territory=ambito).count() == 15
