"""GET /api/v1/kb/articles and /api/v1/kb/articles/{code}."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from tests.helpdesk.conftest import RAW_MARK, SEED_ARTICLES
from welfarelab.helpdesk.models import Article
from welfarelab.reports.tabular import XLSX_CONTENT_TYPE

pytestmark = pytest.mark.django_db

LIST = "/api/v1/kb/articles"
N2LS = "https://www.normattiva.it/uri-res/N2Ls?urn:nir:"


def detail(code: str) -> str:
    return f"{LIST}/{code}"


def test_the_list_pages_every_published_article(client, seeded):
    Article.objects.filter(code="ts-049").update(is_published=False)

    body = client.get(LIST, {"page_size": 10}).json()

    assert (body["count"], body["page"], body["pages"]) == (SEED_ARTICLES - 1, 1, 5)
    first = body["results"][0]
    assert first["code"] == "ts-001"
    assert first["title"] == "Definizione di Ente del Terzo Settore"
    assert first["theme"] == "normativa"
    assert first["ets_types"] == []
    assert first["tags"] == ["RUNTS", "qualifica di ETS"]
    assert first["url"] == "/sportello/articoli/ts-001/"
    assert (first["needs_review"], first["useful_yes"], first["useful_no"]) == (False, 0, 0)
    assert client.get(LIST, {"page": 6, "page_size": 10}).status_code == 404


def test_the_list_filters(client, seeded):
    def codes(**params) -> list[str]:
        return [item["code"] for item in client.get(LIST, {"page_size": 100, **params}).json()["results"]]

    assert codes(theme="lavoro_volontari") == ["ts-032", "ts-033", "ts-034", "ts-035", "ts-036"]
    assert "ts-045" in codes(ets_type="impresa_sociale") and "ts-010" not in codes(ets_type="impresa_sociale")
    assert "ts-001" in codes(ets_type="impresa_sociale")  # concerns every ETS
    assert codes(tag="5-per-mille") == ["ts-031"]
    assert len(codes(needs_review="true")) == Article.objects.filter(needs_review=True).count()
    assert client.get(LIST, {"theme": "astrologia"}).status_code == 422


def test_the_list_downloads_as_csv_and_xlsx_with_the_same_values(client, seeded):
    page = client.get(LIST, {"page_size": 100}).json()["results"]

    response = client.get(LIST, {"format": "csv"})
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8"))))

    assert response["Content-Disposition"] == 'attachment; filename="kb_articles.csv"'
    assert len(rows) == SEED_ARTICLES
    assert list(rows[0]) == list(page[0])
    ts_010 = next(row for row in rows if row["code"] == "ts-010")
    assert ts_010["ets_types"] == "odv, aps"
    assert ts_010["title"] == next(item["title"] for item in page if item["code"] == "ts-010")

    xlsx = client.get(LIST, {"format": "xlsx"})
    assert xlsx["Content-Type"] == XLSX_CONTENT_TYPE
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert [cell.value for cell in sheet[1]] == list(page[0])
    assert sheet.max_row == SEED_ARTICLES + 1


def test_one_article_with_its_references_and_review_status(client, seeded):
    response = client.get(detail("ts-025"))

    assert response.status_code == 200
    body = response.json()
    assert body["code"] == "ts-025"
    assert (
        body["question"]
        == "Come si stabilisce se il nostro ente è commerciale o non commerciale ai fini fiscali?"
    )
    assert body["answer_html"].startswith("<p>Si confrontano, per ciascun periodo d'imposta")
    assert body["needs_review"] is True
    assert body["review_reason"].startswith("Le voci escluse dal confronto")
    assert body["references"] == [
        {
            "label": "CTS art. 79, c. 5, 5-bis e 5-ter",
            "citation": "D.Lgs. 117/2017, art. 79, c. 5, 5-bis, 5-ter",
            "act_type": "dlgs",
            "act_number": "117",
            "act_year": 2017,
            "act_date": "2017-07-03",
            "act_title": "Codice del Terzo settore",
            "article": "79",
            "comma": "5, 5-bis, 5-ter",
            "normattiva_url": f"{N2LS}stato:decreto.legislativo:2017-07-03;117~art79",
        }
    ]


def test_references_without_an_act_have_no_link(client, seeded):
    references = client.get(detail("ts-016")).json()["references"]

    by_label = {reference["label"]: reference for reference in references}
    assert by_label["Circolare MLPS n. 6 del 9 agosto 2024"]["act_type"] is None
    assert by_label["Circolare MLPS n. 6 del 9 agosto 2024"]["normattiva_url"] is None
    assert by_label["DM 5 marzo 2020"]["act_date"] == "2020-03-05"
    assert by_label["DM 5 marzo 2020"]["normattiva_url"] is None
    assert by_label["L. 104/2024"]["normattiva_url"] == f"{N2LS}stato:legge:2024-07-04;104"
    assert by_label["CTS art. 13, c. 1, 2 e 2-bis"]["comma"] == "1, 2, 2-bis"


def test_no_answer_text_holds_the_review_mark(client, seeded):
    for code in Article.objects.values_list("code", flat=True):
        body = client.get(detail(code)).json()
        texts = [body["title"], body["question"], body["answer_markdown"], body["answer_html"]]
        texts += [reference["label"] for reference in body["references"]]
        texts.append(body["review_reason"] or "")
        assert all(RAW_MARK not in text.lower() for text in texts), code


def test_an_unknown_or_unpublished_article_is_404_and_a_bad_code_422(client, seeded, operator):
    Article.objects.filter(code="ts-003").update(is_published=False)

    assert client.get(detail("ts-999"), headers={"Accept-Language": "en"}).json() == {"detail": "Not found."}
    assert client.get(detail("ts-003")).status_code == 404
    assert client.get(detail("TS_1")).status_code == 422

    client.force_login(operator)
    assert client.get(detail("ts-003")).json()["is_published"] is False


def test_the_reviewer_is_named_without_the_email(client, seeded, operator):
    from welfarelab.helpdesk.services import article_mark_reviewed

    article_mark_reviewed(article=Article.objects.get(code="ts-007"), reviewed_by=operator)

    body = client.get(detail("ts-007")).json()
    assert body["reviewed_by"] == "Giulia Bianchi"
    assert body["needs_review"] is False and body["review_reason"] is None
    assert operator.email not in str(body)
