"""POST /api/v1/indicators/observations: a file of observations, whole or not at all."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.factories import UserFactory
from tests.indicators.conftest import HEADER, written
from welfarelab.indicators.models import ImportBatch

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

URL = "/api/v1/indicators/observations"
ENGLISH = {"Accept-Language": "en"}  # the API's messages follow the request's language


def upload(text: str, name: str = "valori.csv") -> dict[str, SimpleUploadedFile]:
    return {"file": SimpleUploadedFile(name, text.encode(), content_type="text/csv")}


def test_a_good_file_answers_201_with_its_batch(client, italy, indicators):
    client.force_login(UserFactory(is_lab_coordinator=True))

    response = client.post(
        URL, headers=ENGLISH, data=upload(HEADER + "minori_in_carico,comune,058091,2024,,30,200\n")
    )

    batch = ImportBatch.objects.get()
    assert response.status_code == 201
    body = response.json()
    assert (body["id"], body["rows"], body["filename"], body["sha256"], body["note"]) == (
        batch.pk,
        1,
        "valori.csv",
        batch.sha256,
        "",
    )
    assert batch.origin == "api"


def test_a_bad_file_answers_422_with_every_error_and_writes_nothing(client, italy, indicators):
    client.force_login(UserFactory(is_lab_coordinator=True))

    response = client.post(
        URL,
        headers=ENGLISH,
        data=upload(HEADER + "minori_in_carico,comune,058091,2024,-1,,\nx,comune,058091,2024,1,,\n"),
    )

    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {
                "type": "import_row",
                "loc": ["body", "file", 2, "valore"],
                "msg": "The value -1 is negative: indicator minori_in_carico is a proportion.",
                "row": 2,
                "column": "valore",
            },
            {
                "type": "import_row",
                "loc": ["body", "file", 3, "codice_indicatore"],
                "msg": "“x” is not the code of an indicator of the catalogue.",
                "row": 3,
                "column": "codice_indicatore",
            },
        ]
    }
    assert written() == (0, 0)


def test_an_empty_file_is_an_error_of_the_whole_file(client, italy, indicators):
    client.force_login(UserFactory(is_lab_coordinator=True))

    response = client.post(URL, headers=ENGLISH, data=upload(""))

    assert response.status_code == 422
    assert response.json()["detail"] == [
        {
            "type": "import_row",
            "loc": ["body", "file", 1],
            "msg": "The file is empty.",
            "row": 1,
            "column": "",
        }
    ]


def test_signed_out_is_401_and_without_rights_403(client, italy, indicators):
    assert client.post(URL, headers=ENGLISH, data=upload(HEADER)).status_code == 401
    client.force_login(UserFactory())

    refused = client.post(
        URL, headers=ENGLISH, data=upload(HEADER + "minori_in_carico,comune,058091,2024,15,,\n")
    )

    assert refused.status_code == 403
    assert "Only the lab coordinators" in refused.json()["detail"]
    assert written() == (0, 0)


def test_a_post_without_csrf_token_is_refused(italy, indicators):
    client = Client(enforce_csrf_checks=True)
    coordinator: Any = UserFactory(is_lab_coordinator=True)
    client.force_login(coordinator)

    assert (
        client.post(
            URL, headers=ENGLISH, data=upload(HEADER + "minori_in_carico,comune,058091,2024,15,,\n")
        ).status_code
        == 403
    )
    assert written() == (0, 0)


def test_without_accept_language_the_api_answers_in_italian(client, italy, indicators):
    client.force_login(UserFactory(is_lab_coordinator=True))

    response = client.post(URL, data=upload(""))

    assert response.json()["detail"][0]["msg"] == "Il file è vuoto."
    assert response["Content-Language"] == "it"


def test_the_sites_language_cookie_does_not_choose_the_apis_language(client, italy, indicators):
    client.force_login(UserFactory(is_lab_coordinator=True))
    client.cookies["django_language"] = "en"

    response = client.post(URL, data=upload(""))

    assert response.json()["detail"][0]["msg"] == "Il file è vuoto."
