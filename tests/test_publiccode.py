"""publiccode.yml carries the keys the Developers Italia catalogue requires (standard v0.x)."""

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def test_publiccode_has_the_mandatory_keys_and_valid_values():
    data = yaml.safe_load((ROOT / "publiccode.yml").read_text(encoding="utf-8"))

    for key in (
        "publiccodeYmlVersion",
        "name",
        "url",
        "platforms",
        "developmentStatus",
        "softwareType",
        "description",
        "legal",
        "maintenance",
        "localisation",
    ):
        assert key in data, key
    assert data["developmentStatus"] in {"concept", "development", "beta", "stable", "obsolete"}
    assert data["softwareType"] == "standalone/web"
    assert data["maintenance"]["type"] in {"internal", "contract", "community", "none"}
    assert data["maintenance"]["contacts"]
    assert set(data["localisation"]["availableLanguages"]) == {"it", "en"}
    for language, description in data["description"].items():
        assert len(description["shortDescription"]) <= 150, language
        assert description["longDescription"] and description["features"], language
    assert data["legal"]["license"] == "AGPL-3.0-or-later"
