"""Seed the knowledge base from the bundled FAQ of the help desk (`welfarelab seed-knowledge-base`).

Sources, beside this module in `seed/`:

- `faq_terzo_settore.yaml` — a verbatim copy of the shared domain file (49 questions an ETS asks, each with
  `id`, `tema`, `domanda`, `risposta`, `riferimenti`);
- `faq_editorial.yaml` — what the platform adds by id: a short title, the ETS types concerned, extra tags,
  and a review request where the seed hedges without saying "da verificare".

Each entry becomes an `Article` with the seed's id as its code (`ts-001`), its `tema` mapped to one of
the six themes (`TOPIC_THEMES`) and kept as a tag (`TOPIC_TAGS`), its answer and references cleaned of
the "da verificare" marks (`markup.strip_review_marks`) — an article that had one is published with
`needs_review` set and a reason quoting each marked sentence — and its references read by
`legal.parse_reference` (one row per cited article; an unreadable one stays a plain label).

Seeding again is safe. Articles are matched by code. One nobody changed on the platform since the seed
wrote it is updated to the seed; one that was changed — edited, reviewed, unpublished, flagged — is left
as the operators made it (the report names those whose seed entry has changed since, to merge by hand).
A change is noticed by comparing the article with the fingerprint (`seed_digest`) of what the seed wrote.
Articles are never deleted: an entry dropped from the seed leaves its article in place. A malformed file
stops the seed before anything is written, naming the file, the entry and the field.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify

from welfarelab.helpdesk.legal import Citation, ReferenceNotRecognised, normattiva_url, parse_reference
from welfarelab.helpdesk.markup import strip_review_marks
from welfarelab.helpdesk.models import ARTICLE_CODE_PATTERN, Article, LegalReference, Tag, validate_ets_types
from welfarelab.territories.loaders import LoadResult, dataset_load_record, dataset_loaded

SEED_DIR = Path(__file__).resolve().parent / "seed"
SEED_FILE = SEED_DIR / "faq_terzo_settore.yaml"
EDITORIAL_FILE = SEED_DIR / "faq_editorial.yaml"
KNOWLEDGE_BASE_DATASET = "helpdesk_knowledge_base"

Theme = Article.Theme

# The seed's topics ("tema") → the six themes of the help desk (documented in docs/helpdesk.md).
TOPIC_THEMES: dict[str, str] = {
    "qualifica_ets": Theme.LEGISLATION,
    "attivita": Theme.LEGISLATION,
    "tipologie": Theme.LEGISLATION,
    "statuto": Theme.LEGISLATION,
    "impresa_sociale": Theme.LEGISLATION,
    "runts": Theme.ADMINISTRATION,
    "bilancio": Theme.ADMINISTRATION,
    "controlli": Theme.ADMINISTRATION,
    "pa_rapporti": Theme.ADMINISTRATION,
    "transizione": Theme.ADMINISTRATION,
    "fiscale": Theme.TAX,
    "donazioni": Theme.TAX,
    "volontari": Theme.WORK_AND_VOLUNTEERS,
    "lavoro": Theme.WORK_AND_VOLUNTEERS,
    "cinque_per_mille": Theme.CALLS_AND_FUNDING,
    "raccolta_fondi": Theme.CALLS_AND_FUNDING,
    "finanziamenti": Theme.CALLS_AND_FUNDING,
    "csv": Theme.OTHER,
    "impatto": Theme.OTHER,
}
# …and the tag each topic gives its articles (Italian: tags are content, like the answers).
TOPIC_TAGS: dict[str, str] = {
    "qualifica_ets": "qualifica di ETS",
    "attivita": "attività",
    "runts": "RUNTS",
    "tipologie": "tipologie di ETS",
    "statuto": "statuto",
    "bilancio": "bilancio",
    "controlli": "controlli e revisione",
    "fiscale": "fiscalità",
    "donazioni": "donazioni",
    "cinque_per_mille": "5 per mille",
    "volontari": "volontari",
    "lavoro": "lavoratori",
    "pa_rapporti": "rapporti con la PA",
    "csv": "CSV",
    "impresa_sociale": "impresa sociale",
    "raccolta_fondi": "raccolta fondi",
    "transizione": "ONLUS",
    "finanziamenti": "finanziamenti",
    "impatto": "impatto sociale",
}

REVIEW_HEADER = "Punti da confermare su fonte primaria, segnalati nel materiale di partenza:"
_SEED_FIELDS = {"id", "tema", "domanda", "risposta", "riferimenti"}
_EDITORIAL_FIELDS = {"titolo", "tipi_ets", "tag", "da_rivedere"}


class SeedError(ValueError):
    """The seed files cannot be read; nothing was written."""


@dataclass(frozen=True)
class SeedReference:
    label: str  # as written, without its review mark
    citation: Citation | None  # None: a plain label, not read as an act


@dataclass(frozen=True)
class SeedArticle:
    code: str
    title: str
    question: str
    answer_markdown: str
    theme: str
    seed_topic: str
    ets_types: tuple[str, ...]
    tags: tuple[str, ...]
    references: tuple[tuple[str, tuple[SeedReference, ...]], ...]  # (label, its rows) in the seed's order
    needs_review: bool
    review_reason: str


@dataclass
class SeedReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # changed on the platform: left alone
    kept_seed_changed: list[str] = field(
        default_factory=list
    )  # …and its seed entry changed since: merge by hand
    flagged: list[str] = field(default_factory=list)  # seeded with needs_review
    unrecognised: list[tuple[str, str]] = field(default_factory=list)  # (code, label): plain labels
    unlinked: list[tuple[str, str]] = field(
        default_factory=list
    )  # read, but no official link (unnumbered act)

    @property
    def articles(self) -> int:
        return len(self.created) + len(self.updated) + len(self.unchanged) + len(self.kept)


# --- reading the files ---------------------------------------------------------------------------------


def _load_yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SeedError(f"{path}: the seed file is missing.") from None
    except yaml.YAMLError as error:
        raise SeedError(f"{path.name}: not valid YAML ({error}).") from None


def _text(entry: dict[str, Any], key: str, where: str) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or not value.strip():
        raise SeedError(f"{where}: '{key}' must be a non-empty text.")
    return " ".join(value.split()) if key != "risposta" else value.strip()


def _references(labels: list[str]) -> tuple[tuple[tuple[str, tuple[SeedReference, ...]], ...], list[str]]:
    groups: list[tuple[str, tuple[SeedReference, ...]]] = []
    notes: list[str] = []
    for written in labels:
        clean = strip_review_marks(written)
        notes.extend(f"Riferimento normativo: «{sentence}»" for sentence in clean.marked_sentences)
        try:
            rows = tuple(SeedReference(clean.text, citation) for citation in parse_reference(clean.text))
        except ReferenceNotRecognised:
            rows = (SeedReference(clean.text, None),)
        groups.append((clean.text, rows))
    return tuple(groups), notes


def seed_read(*, seed_file: Path = SEED_FILE, editorial_file: Path = EDITORIAL_FILE) -> list[SeedArticle]:
    """The articles the seed files describe, checked whole before anything is written."""
    entries = _load_yaml(seed_file)
    editorial = _load_yaml(editorial_file) or {}
    if not isinstance(entries, list):
        raise SeedError(f"{seed_file.name}: expected a list of entries.")
    if not isinstance(editorial, dict):
        raise SeedError(f"{editorial_file.name}: expected a mapping of entries by id.")
    articles: list[SeedArticle] = []
    seen: set[str] = set()
    for number, entry in enumerate(entries, start=1):
        code = entry.get("id") if isinstance(entry, dict) else None
        where = f"{seed_file.name}, entry {number} ({code or 'no id'})"
        if not isinstance(entry, dict) or not isinstance(code, str):
            raise SeedError(f"{where}: every entry needs an id.")
        if unknown := set(entry) - _SEED_FIELDS:
            raise SeedError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}.")
        if not re.fullmatch(ARTICLE_CODE_PATTERN, code):
            raise SeedError(f"{where}: the id must look like ts-001.")
        if code in seen:
            raise SeedError(f"{where}: the id {code} is used twice.")
        seen.add(code)
        topic = _text(entry, "tema", where)
        if topic not in TOPIC_THEMES:
            raise SeedError(f"{where}: unknown tema {topic!r} (known: {', '.join(sorted(TOPIC_THEMES))}).")
        labels = entry.get("riferimenti") or []
        if not isinstance(labels, list) or not all(isinstance(label, str) for label in labels):
            raise SeedError(f"{where}: 'riferimenti' must be a list of texts.")
        extra = editorial.get(code) or {}
        extra_where = f"{editorial_file.name}, {code}"
        if not isinstance(extra, dict) or (unknown := set(extra) - _EDITORIAL_FIELDS):
            raise SeedError(f"{extra_where}: expected only {', '.join(sorted(_EDITORIAL_FIELDS))}.")
        ets_types = list(extra.get("tipi_ets") or [])
        try:
            validate_ets_types(ets_types)
        except ValidationError as error:
            raise SeedError(f"{extra_where}: 'tipi_ets': {' '.join(error.messages)}") from None
        extra_tags = extra.get("tag") or []
        if not isinstance(extra_tags, list) or not all(
            isinstance(tag, str) and tag.strip() for tag in extra_tags
        ):
            raise SeedError(f"{extra_where}: 'tag' must be a list of texts.")

        answer = strip_review_marks(_text(entry, "risposta", where))
        references, reference_notes = _references(labels)
        notes = [f"«{sentence}»" for sentence in answer.marked_sentences] + reference_notes
        reason_lines = [REVIEW_HEADER, *(f"- {note}" for note in notes)] if notes else []
        if extra.get("da_rivedere"):
            request = " ".join(str(extra["da_rivedere"]).split())
            reason_lines.append(f"- {request}" if notes else request)
        tags = [TOPIC_TAGS[topic], *(" ".join(tag.split()) for tag in extra_tags)]
        articles.append(
            SeedArticle(
                code=code,
                title=" ".join(str(extra.get("titolo") or entry["domanda"]).split()),
                question=_text(entry, "domanda", where),
                answer_markdown=answer.text,
                theme=str(TOPIC_THEMES[topic]),
                seed_topic=topic,
                ets_types=tuple(ets_types),
                tags=tuple(dict.fromkeys(tags)),
                references=references,
                needs_review=bool(reason_lines),
                review_reason="\n".join(reason_lines),
            )
        )
    if unknown_ids := sorted(set(editorial) - seen):
        raise SeedError(f"{editorial_file.name}: id(s) not in the seed: {', '.join(unknown_ids)}.")
    return articles


# --- fingerprints ----------------------------------------------------------------------------------------


def _reference_state(label: str, citation: Citation | None) -> list[object]:
    if citation is None:
        return [label, "", "", None, None, "", ""]
    date = citation.date.isoformat() if citation.date else None
    return [label, citation.act_type, citation.number, citation.year, date, citation.article, citation.comma]


def _digest(state: dict[str, object]) -> str:
    return hashlib.sha256(json.dumps(state, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def _seed_state(seeded: SeedArticle) -> dict[str, object]:
    return {
        "title": seeded.title,
        "question": seeded.question,
        "answer_markdown": seeded.answer_markdown,
        "theme": seeded.theme,
        "seed_topic": seeded.seed_topic,
        "ets_types": list(seeded.ets_types),
        "tags": sorted(seeded.tags),
        "references": [
            _reference_state(row.label, row.citation) for _label, rows in seeded.references for row in rows
        ],
        "needs_review": seeded.needs_review,
        "review_reason": seeded.review_reason,
        "is_published": True,
        "reviewed_by": None,
        "last_reviewed_on": None,
    }


def article_state(article: Article) -> dict[str, object]:
    """What the seed writes of `article` (and what an operator's review changes), as it is now."""
    return {
        "title": article.title,
        "question": article.question,
        "answer_markdown": article.answer_markdown,
        "theme": article.theme,
        "seed_topic": article.seed_topic,
        "ets_types": list(article.ets_types),
        "tags": sorted(article.tags.values_list("name", flat=True)),
        "references": [
            _reference_state(reference.label, reference.citation)
            for reference in article.references.order_by("position", "pk")
        ],
        "needs_review": article.needs_review,
        "review_reason": article.review_reason,
        "is_published": article.is_published,
        "reviewed_by": article.reviewed_by_id,
        "last_reviewed_on": article.last_reviewed_on.isoformat() if article.last_reviewed_on else None,
    }


# --- writing ---------------------------------------------------------------------------------------------


def _tags(names: tuple[str, ...]) -> list[Tag]:
    tags = []
    for name in names:
        tag = Tag.objects.filter(name__iexact=name).first()
        if tag is None:
            base = slugify(name) or "tag"
            slug, n = base, 2
            while Tag.objects.filter(slug=slug).exists():
                slug, n = f"{base}-{n}", n + 1
            tag = Tag.objects.create(name=name, slug=slug)
        tags.append(tag)
    return tags


def _write(article: Article, seeded: SeedArticle) -> None:
    article.title = seeded.title
    article.question = seeded.question
    article.answer_markdown = seeded.answer_markdown
    article.theme = seeded.theme
    article.seed_topic = seeded.seed_topic
    article.ets_types = list(seeded.ets_types)
    article.needs_review = seeded.needs_review
    article.review_reason = seeded.review_reason
    article.is_published = True
    article.origin = Article.Origin.SEED
    article.seed_digest = _digest(_seed_state(seeded))
    article.full_clean(exclude=["tags"])
    article.save()
    article.tags.set(_tags(seeded.tags))
    article.references.all().delete()
    LegalReference.objects.bulk_create(
        LegalReference(
            article=article,
            position=position,
            label=row.label,
            act_type=row.citation.act_type if row.citation else "",
            act_number=row.citation.number if row.citation else "",
            act_year=row.citation.year if row.citation else None,
            act_date=row.citation.date if row.citation else None,
            law_article=row.citation.article if row.citation else "",
            comma=row.citation.comma if row.citation else "",
        )
        for position, (_label, rows) in enumerate(seeded.references)
        for row in rows
    )


@transaction.atomic
def knowledge_base_seed(*, seed_file: Path = SEED_FILE, editorial_file: Path = EDITORIAL_FILE) -> SeedReport:
    """Create or update the seeded articles (see the module for what is kept); return what happened."""
    report = SeedReport()
    for seeded in seed_read(seed_file=seed_file, editorial_file=editorial_file):
        for _label, rows in seeded.references:
            for row in rows:
                if row.citation is None:
                    report.unrecognised.append((seeded.code, row.label))
                elif normattiva_url(row.citation) is None:
                    report.unlinked.append((seeded.code, row.label))
        if seeded.needs_review:
            report.flagged.append(seeded.code)
        article = Article.objects.filter(code=seeded.code).first()
        seed_digest = _digest(_seed_state(seeded))
        if article is None:
            _write(Article(code=seeded.code), seeded)
            report.created.append(seeded.code)
        elif article.origin != Article.Origin.SEED or _digest(article_state(article)) != article.seed_digest:
            report.kept.append(seeded.code)
            if seed_digest != article.seed_digest:
                report.kept_seed_changed.append(seeded.code)
        elif seed_digest == article.seed_digest:
            report.unchanged.append(seeded.code)
        else:
            _write(article, seeded)
            report.updated.append(seeded.code)
    return report


def _fingerprint(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def knowledge_base_load(*, force: bool = False) -> LoadResult:
    """The step of `load-open-data`: seed the knowledge base, unless the same seed files were seeded already."""
    started = time.perf_counter()
    files = [
        f"{path.relative_to(settings.BASE_DIR)} sha256:{_fingerprint(path)}"
        for path in (SEED_FILE, EDITORIAL_FILE)
    ]
    done = dataset_loaded(KNOWLEDGE_BASE_DATASET)
    if not force and done is not None and done.source_files == "\n".join(files):
        return LoadResult(dataset=KNOWLEDGE_BASE_DATASET, rows=done.rows, seconds=0.0, skipped=True)
    report = knowledge_base_seed()
    return dataset_load_record(KNOWLEDGE_BASE_DATASET, rows=report.articles, started=started, files=files)
