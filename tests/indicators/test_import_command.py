"""`welfarelab import-observations FILE [--user EMAIL]`."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import CommandError, call_command

from tests.factories import MembershipFactory, OrganisationFactory
from tests.indicators.conftest import HEADER, written
from welfarelab.accounts.models import Membership
from welfarelab.indicators.models import ImportBatch, Observation
from welfarelab.organisations.models import Organisation

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def test_the_command_loads_a_file_and_prints_the_counts(italy, indicators, tmp_path, capsys):
    good = tmp_path / "valori.csv"
    good.write_text(
        HEADER + "minori_in_carico,comune,058091,2024,,30,200\naccessi_pua,comune,058091,2024,,7,\n"
    )

    call_command("import_observations", str(good))

    batch = ImportBatch.objects.get()
    assert f"valori.csv: 2 values of 2 indicator(s) loaded (batch {batch.pk})." in capsys.readouterr().out
    assert (batch.origin, batch.created_by) == ("upload", None)


def test_the_command_prints_every_error_and_fails(italy, indicators, tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text(
        HEADER + "minori_in_carico,comune,999999,2024,15,,\nminori_in_carico,comune,058091,2024,abc,,\n"
    )

    with pytest.raises(CommandError, match=r"bad\.csv was rejected: 2 error\(s\); nothing was imported\."):
        call_command("import_observations", str(bad))

    err = capsys.readouterr().err
    assert "bad.csv: row 2, column codice_territorio: “999999” is not the code of a territory." in err
    assert "bad.csv: row 3, column valore: “abc” in valore is not a number." in err
    assert written() == (0, 0)


def test_the_command_loads_with_the_rights_of_a_user(italy, indicators, tmp_path, capsys):
    body = OrganisationFactory(kind=Organisation.Kind.COMUNE, territory=italy["roma"], legal_form="")
    editor: Any = MembershipFactory(organisation=body, role=Membership.Role.EDITOR).user
    elsewhere = tmp_path / "fiumicino.csv"
    elsewhere.write_text(HEADER + "minori_in_carico,comune,058120,2024,15,,\n")
    own = tmp_path / "roma.csv"
    own.write_text(HEADER + "minori_in_carico,comune,058091,2024,15,,\n")

    with pytest.raises(CommandError):
        call_command("import_observations", str(elsewhere), user=editor.email)
    call_command("import_observations", str(own), user=editor.email.upper())

    assert (
        "row 2, column codice_territorio: You may not load data for comune 058120" in capsys.readouterr().err
    )
    assert ImportBatch.objects.get().created_by == editor
    assert Observation.objects.get(origin="reported").territory == italy["roma"]


def test_the_command_refuses_an_unknown_user_or_file(italy, tmp_path):
    good = tmp_path / "valori.csv"
    good.write_text(HEADER + "minori_in_carico,comune,058091,2024,15,,\n")

    with pytest.raises(CommandError, match=r"No user with email 'nobody@example\.org'"):
        call_command("import_observations", str(good), user="nobody@example.org")
    with pytest.raises(CommandError, match="no such file"):
        call_command("import_observations", str(tmp_path / "missing.csv"))
