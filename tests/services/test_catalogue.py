"""The service catalogue and the supply indicators loaded from their YAML files, idempotently."""

from __future__ import annotations

import pytest

from welfarelab.indicators.catalogue import CatalogueError
from welfarelab.indicators.models import Indicator, NeedDomain
from welfarelab.services.catalogue import (
    SERVICES_FILE,
    services_catalogue_load,
    services_catalogue_step,
    services_file_read,
)
from welfarelab.services.models import ServiceMacroArea, SocialService

pytestmark = pytest.mark.django_db

SUPPLY_CODES = {
    "nursery_places_per_100_0_2",
    "social_workers_per_10000",
    "residents_per_social_worker",
    "home_care_users_65_per_100",
    "social_spending_pc",
}


def test_the_catalogue_loads_with_macro_areas_services_and_supply_indicators():
    assert services_catalogue_load() == 35
    assert list(ServiceMacroArea.objects.values_list("code", "confirmed")) == [
        ("A", True),
        ("B", True),
        ("C", False),
        ("D", False),
        ("E", False),
    ]
    nido = SocialService.objects.get(code="asilo_nido")
    assert nido.macro_area.code == "D"
    assert nido.counts_as == ["nursery_places"]
    assert nido.user_areas == ["FAMIGLIA_MINORI"]
    assert list(nido.need_domains.values_list("code", flat=True)) == ["prima_infanzia_famiglie"]
    # Only codes the domain notes give, all of them still to verify.
    assert sorted(
        SocialService.objects.exclude(nomenclatore_code="").values_list("nomenclatore_code", flat=True)
    ) == [
        "A1",
        "A2",
        "C1",
        "C2",
    ]
    assert not SocialService.objects.filter(nomenclatore_code_verified=True).exists()
    supply = Indicator.objects.filter(code__in=SUPPLY_CODES)
    assert set(supply.values_list("code", flat=True)) == SUPPLY_CODES
    assert all(i.is_builtin and i.position >= 200 for i in supply)
    by_domain = Indicator.objects.filter(code__startswith="social_spending_pc_")
    assert by_domain.count() == NeedDomain.objects.count() - 1  # every domain but demography
    assert set(
        Indicator.objects.get(code="social_spending_pc_casa_abitare").need_domains.values_list(
            "code", flat=True
        )
    ) == {"casa_abitare"}


def test_loading_again_updates_in_place_and_retires_services_no_longer_in_the_file(tmp_path):
    services_catalogue_load()
    nido = SocialService.objects.get(code="asilo_nido")
    SocialService.objects.filter(pk=nido.pk).update(name_it="cambiato")
    shorter = tmp_path / "services.yaml"
    text = SERVICES_FILE.read_text()
    start = text.index("  - code: telesoccorso")
    end = text.index("  - code: trasporto_sociale")
    shorter.write_text(text[:start] + text[end:])

    services_catalogue_load(services_path=shorter)

    nido.refresh_from_db()
    assert nido.name_it == "Asilo nido e micronido"
    assert SocialService.objects.get(code="telesoccorso").is_active is False
    services_catalogue_load()
    assert SocialService.objects.get(code="telesoccorso").is_active is True


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            ("macro_area: D\n    name_it: Asilo", "macro_area: Z\n    name_it: Asilo"),
            "service asilo_nido: unknown macro_area 'Z'",
        ),
        (
            ("counts_as: [nursery_places]", "colour: red"),
            "services entry 24 \\(asilo_nido\\): unknown field\\(s\\) colour",
        ),
        (
            (
                "need_domains: [prima_infanzia_famiglie]\n    user_areas: [FAMIGLIA_MINORI]\n    counts_as",
                "need_domains: [demografia]\n    user_areas: [FAMIGLIA_MINORI]\n    counts_as",
            ),
            "demografia is the context",
        ),
        (
            ("    - services: [residenza_fittizia]", "    - services: [residenza_virtuale]"),
            "LEPS_RESIDENZA_FITTIZIA: unknown service\\(s\\) residenza_virtuale",
        ),
        (
            ("user_areas: [FAMIGLIA_MINORI]\n    counts_as", "user_areas: [BAMBINI]\n    counts_as"),
            "user_areas must name areas",
        ),
    ],
)
def test_a_malformed_catalogue_names_the_entry_and_the_field_and_writes_nothing(tmp_path, change, message):
    bad = tmp_path / "services.yaml"
    old, new = change
    text = SERVICES_FILE.read_text()
    assert old in text
    bad.write_text(text.replace(old, new, 1))
    with pytest.raises(CatalogueError, match=message):
        services_catalogue_load(services_path=bad)
    assert SocialService.objects.count() == 0
    assert ServiceMacroArea.objects.count() == 0
    assert not Indicator.objects.filter(code__in=SUPPLY_CODES).exists()


def test_every_leps_requirement_names_services_of_the_catalogue():
    parsed = services_file_read()
    codes = {entry["code"] for entry in parsed.services}
    assert len(parsed.leps_requirements["LIVELLI_ART22_L328"]) == 6
    assert {c for reqs in parsed.leps_requirements.values() for r in reqs for c in r.services} <= codes


def test_the_load_open_data_step_loads_once_until_the_files_change():
    first = services_catalogue_step()
    again = services_catalogue_step()
    forced = services_catalogue_step(force=True)
    assert (first.skipped, again.skipped, forced.skipped) == (False, True, False)
    assert again.rows == first.rows == SocialService.objects.count() == 35
