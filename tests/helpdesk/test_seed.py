"""Seeding the knowledge base from the bundled FAQ: every entry, its id kept, safe to run again, and the
"da verificare" marks turned into review flags."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from django.core.management import call_command
from django.utils import timezone

from tests.helpdesk.conftest import RAW_MARK, SEED_ARTICLES
from welfarelab.helpdesk.models import Article, LegalReference, Tag
from welfarelab.helpdesk.seed import (
    EDITORIAL_FILE,
    KNOWLEDGE_BASE_DATASET,
    SEED_FILE,
    TOPIC_THEMES,
    SeedError,
    knowledge_base_load,
    knowledge_base_seed,
)
from welfarelab.territories.models import DatasetLoad

pytestmark = pytest.mark.django_db

# The entries of the bundled seed that say "da verificare" in their answer or references.
MARKED = {
    "ts-002", "ts-004", "ts-005", "ts-006", "ts-007", "ts-008", "ts-010", "ts-011", "ts-013", "ts-015",
    "ts-019", "ts-023", "ts-026", "ts-027", "ts-029", "ts-030", "ts-031", "ts-035", "ts-036", "ts-039",
    "ts-040", "ts-044", "ts-045", "ts-046", "ts-049",
}  # fmt: skip
# …and those the editorial file asks to review (the seed hedges without the words).
EDITORIAL_REVIEW = {"ts-020", "ts-025"}


def test_every_entry_becomes_an_article_with_its_id(seeded):
    entries = yaml.safe_load(SEED_FILE.read_text(encoding="utf-8"))

    assert Article.objects.count() == SEED_ARTICLES == len(entries)
    assert sorted(Article.objects.values_list("code", flat=True)) == [f"ts-{n:03d}" for n in range(1, 50)]
    assert seeded.created == [entry["id"] for entry in entries]
    ts_001 = Article.objects.get(code="ts-001")
    assert ts_001.question == "Che cos'è un Ente del Terzo Settore (ETS)?"
    assert ts_001.title == "Definizione di Ente del Terzo Settore"
    assert ts_001.theme == Article.Theme.LEGISLATION
    assert ts_001.seed_topic == "qualifica_ets"
    assert ts_001.origin == Article.Origin.SEED
    assert ts_001.is_published
    assert sorted(ts_001.tags.values_list("name", flat=True)) == ["RUNTS", "qualifica di ETS"]


def test_every_topic_of_the_seed_has_a_theme_and_every_theme_is_used(seeded):
    topics = {entry["tema"] for entry in yaml.safe_load(SEED_FILE.read_text(encoding="utf-8"))}

    assert topics == set(TOPIC_THEMES)
    assert set(Article.objects.values_list("theme", flat=True)) == set(Article.Theme.values)


def test_ets_types_come_from_the_editorial_file(seeded):
    assert Article.objects.get(code="ts-010").ets_types == ["odv", "aps"]
    assert Article.objects.get(code="ts-043").ets_types == ["impresa_sociale"]
    assert Article.objects.get(code="ts-001").ets_types == []  # every ETS


def test_references_are_read_one_row_per_cited_article(seeded):
    ts_010 = Article.objects.get(code="ts-010")
    rows = list(
        ts_010.references.values_list("label", "act_type", "act_number", "act_year", "law_article", "comma")
    )

    assert rows == [
        ("CTS artt. 32-33", "dlgs", "117", 2017, "32", ""),
        ("CTS artt. 32-33", "dlgs", "117", 2017, "33", ""),
        ("CTS artt. 35-36", "dlgs", "117", 2017, "35", ""),
        ("CTS artt. 35-36", "dlgs", "117", 2017, "36", ""),
    ]
    comma = LegalReference.objects.get(article__code="ts-025")
    assert (comma.law_article, comma.comma) == ("79", "5, 5-bis, 5-ter")


def test_references_that_are_not_acts_stay_plain_labels_and_are_reported(seeded):
    assert seeded.unrecognised == [
        ("ts-005", "Linee guida raccolta fondi (DM 2022)"),
        ("ts-009", "DD MLPS 26 ottobre 2021, n. 561"),
        ("ts-016", "Circolare MLPS n. 6 del 9 agosto 2024"),
        ("ts-020", "Circolare MLPS n. 6/2024"),
        ("ts-037", "Corte cost. sent. 131/2020"),
        ("ts-038", "Corte cost. sent. 131/2020"),
    ]
    circular = LegalReference.objects.get(article__code="ts-020", label="Circolare MLPS n. 6/2024")
    assert circular.act_type == "" and circular.normattiva_url is None
    assert [label for _code, label in seeded.unlinked] == [
        "DM 5 marzo 2020",
        "DM 4 luglio 2019",
        "DPCM 23 luglio 2020",
        "DM 6 ottobre 2021",
        "DM 6 ottobre 2021",
        "DM 23 luglio 2019",
    ]
    linked = LegalReference.objects.exclude(act_type="").count() - len(seeded.unlinked)
    assert linked == sum(1 for reference in LegalReference.objects.all() if reference.normattiva_url)


def test_review_marks_never_reach_the_text_and_flag_the_article(seeded):
    for article in Article.objects.prefetch_related("references"):
        texts = [article.title, article.question, article.answer_markdown, article.review_reason]
        texts += [reference.label for reference in article.references.all()]
        assert all(RAW_MARK not in text.lower() for text in texts), article.code

    assert (
        set(Article.objects.filter(needs_review=True).values_list("code", flat=True))
        == MARKED | EDITORIAL_REVIEW
    )
    assert sorted(seeded.flagged) == sorted(MARKED | EDITORIAL_REVIEW)
    ts_007 = Article.objects.get(code="ts-007")
    assert "entro un termine di 60 giorni, iscrive l'ente" in ts_007.answer_markdown
    assert ts_007.review_reason == (
        "Punti da confermare su fonte primaria, segnalati nel materiale di partenza:\n"
        "- «L'ufficio verifica i requisiti e, entro un termine di 60 giorni ([da confermare]), iscrive l'ente, "
        "respinge la domanda o chiede integrazioni.»"
    )
    # A mark in a reference flags the article too, and names the reference.
    ts_049 = Article.objects.get(code="ts-049")
    assert "- Riferimento normativo: «L. 124/2017, art. 1, c. 125 ([da confermare])»" in ts_049.review_reason
    assert ts_049.references.get().label == "L. 124/2017, art. 1, c. 125"
    # A review the editorial file asks for is the reason itself.
    assert Article.objects.get(code="ts-020").review_reason == (
        "Il termine di deposito vigente dopo la L. 104/2024 non è indicato: va aggiunto."
    )


def test_seeding_again_changes_nothing(seeded):
    before = {a.code: (a.updated_at, a.seed_digest) for a in Article.objects.all()}
    references = list(LegalReference.objects.order_by("pk").values_list("pk", flat=True))

    again = knowledge_base_seed()

    assert again.unchanged == sorted(before) and not again.created and not again.updated and not again.kept
    assert {a.code: (a.updated_at, a.seed_digest) for a in Article.objects.all()} == before
    assert list(LegalReference.objects.order_by("pk").values_list("pk", flat=True)) == references
    assert Tag.objects.count() == len({tag.lower() for tag in Tag.objects.values_list("name", flat=True)})


def _seed_copy(tmp_path: Path, change) -> Path:
    entries = yaml.safe_load(SEED_FILE.read_text(encoding="utf-8"))
    change(entries)
    path = tmp_path / "faq.yaml"
    path.write_text(yaml.safe_dump(entries, allow_unicode=True), encoding="utf-8")
    return path


def test_a_changed_seed_updates_the_articles_nobody_touched(seeded, tmp_path):
    def change(entries):
        entries[0]["risposta"] = "Una risposta nuova."

    report = knowledge_base_seed(seed_file=_seed_copy(tmp_path, change))

    assert report.updated == ["ts-001"]
    assert Article.objects.get(code="ts-001").answer_markdown == "Una risposta nuova."


def test_articles_changed_on_the_platform_are_kept(seeded, tmp_path, operator):
    edited = Article.objects.get(code="ts-001")
    edited.answer_markdown = "Risposta riscritta dall'operatore."
    edited.save()
    reviewed = Article.objects.get(code="ts-007")
    reviewed.needs_review, reviewed.reviewed_by, reviewed.last_reviewed_on = (
        False,
        operator,
        timezone.localdate(),
    )
    reviewed.save()
    Article.objects.filter(code="ts-003").update(is_published=False)

    def change(entries):
        entries[0]["risposta"] = "Una risposta nuova."

    report = knowledge_base_seed(seed_file=_seed_copy(tmp_path, change))

    assert report.kept == ["ts-001", "ts-003", "ts-007"]
    assert report.kept_seed_changed == ["ts-001"]  # to merge by hand
    assert Article.objects.get(code="ts-001").answer_markdown == "Risposta riscritta dall'operatore."
    assert not Article.objects.get(code="ts-007").needs_review
    assert not Article.objects.get(code="ts-003").is_published


def test_an_article_written_on_the_platform_with_a_seed_code_is_kept(db):
    Article.objects.create(
        code="ts-001", title="Nostro", question="Nostra?", answer_markdown="Nostra.", theme="altro"
    )

    report = knowledge_base_seed()

    assert report.kept == ["ts-001"] and len(report.created) == SEED_ARTICLES - 1
    assert Article.objects.get(code="ts-001").title == "Nostro"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda entries: entries[2].update(tema="sconosciuto"),
            "entry 3 (ts-003): unknown tema 'sconosciuto'",
        ),
        (lambda entries: entries[4].update(id="ts-001"), "entry 5 (ts-001): the id ts-001 is used twice."),
        (
            lambda entries: entries[6].pop("risposta"),
            "entry 7 (ts-007): 'risposta' must be a non-empty text.",
        ),
        (
            lambda entries: entries[0].update(riferimenti="CTS art. 4"),
            "entry 1 (ts-001): 'riferimenti' must be a list",
        ),
    ],
)
def test_a_malformed_seed_writes_nothing(db, tmp_path, change, message):
    with pytest.raises(SeedError, match=message.replace("(", r"\(").replace(")", r"\)")):
        knowledge_base_seed(seed_file=_seed_copy(tmp_path, change))

    assert not Article.objects.exists()
    assert not Tag.objects.exists()


def test_an_editorial_entry_for_an_unknown_id_is_refused(db, tmp_path):
    editorial = yaml.safe_load(EDITORIAL_FILE.read_text(encoding="utf-8"))
    editorial["ts-999"] = {"titolo": "Fantasma"}
    path = tmp_path / "editorial.yaml"
    path.write_text(yaml.safe_dump(editorial, allow_unicode=True), encoding="utf-8")

    with pytest.raises(SeedError, match="id\\(s\\) not in the seed: ts-999"):
        knowledge_base_seed(editorial_file=path)

    assert not Article.objects.exists()


def test_the_command_reports_what_it_did(db, capsys):
    call_command("seed_knowledge_base")
    out = capsys.readouterr().out

    assert f"{SEED_ARTICLES} articles: {SEED_ARTICLES} created, 0 updated, 0 unchanged" in out
    assert "ts-037: Corte cost. sent. 131/2020" in out
    assert "ts-031: DPCM 23 luglio 2020" in out


def test_load_open_data_seeds_once_until_the_seed_files_change(db):
    first = knowledge_base_load()
    second = knowledge_base_load()

    assert (first.rows, first.skipped) == (SEED_ARTICLES, False)
    assert (second.rows, second.skipped) == (SEED_ARTICLES, True)
    load = DatasetLoad.objects.get(dataset=KNOWLEDGE_BASE_DATASET)
    assert "welfarelab/helpdesk/seed/faq_terzo_settore.yaml sha256:" in load.source_files

    DatasetLoad.objects.filter(pk=load.pk).update(source_files="an older seed")
    assert knowledge_base_load().skipped is False
