"""The PNRR step of load-open-data, the command and the scheduled task."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.management import call_command

from welfarelab.calls.loaders import calls_load
from welfarelab.calls.models import Call, ImportRun, Theme
from welfarelab.calls.tasks import import_calls
from welfarelab.calls.vocabulary import THEMES

pytestmark = pytest.mark.django_db


def test_load_open_data_step_imports_pnrr_once():
    first = calls_load(data_dir=settings.WELFARELAB_DATA_DIR)
    again = calls_load(data_dir=settings.WELFARELAB_DATA_DIR)

    assert (first.dataset, first.rows, first.skipped) == ("calls_pnrr", 245, False)
    assert again.skipped and again.rows == 245
    assert ImportRun.objects.count() == 1


def test_the_task_and_the_command_run_the_pnrr_import(capsys):
    run_ids = import_calls.call("pnrr")
    call_command("import_calls", source="pnrr")  # the tests' backend runs the queued task at once

    assert ImportRun.objects.get(pk=run_ids[0]).added == 245
    assert "pnrr-italia-domani: 0 added, 0 changed, 245 unchanged" in capsys.readouterr().out
    assert Call.objects.count() == 245


def test_a_missing_file_is_an_error_of_the_command():
    with pytest.raises(Exception, match="no such file"):
        call_command("import_calls", source="/nonexistent/bandi.csv")


def test_the_built_in_themes_exist_with_stable_slugs():
    assert list(Theme.objects.values_list("slug", flat=True)) == [entry.slug for entry in THEMES]
    assert {
        "politiche-giovanili",
        "politiche-sociali",
        "ambiente",
        "cultura",
        "sport",
        "lavoro",
        "salute",
        "educazione",
        "digitale",
    } <= set(Theme.objects.values_list("slug", flat=True))


def test_ets_applicant_types_are_the_legal_forms_of_organisations():
    from welfarelab.calls.vocabulary import ETS_TYPES
    from welfarelab.organisations.models import Organisation

    assert set(ETS_TYPES) == set(Organisation.LegalForm.values) - {"non_indicata"}
