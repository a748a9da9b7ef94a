"""Legal references of the knowledge base: read from the way people write them, linked to Normattiva.

A reference is written as in the seed, act first: `CTS art. 79, c. 5`, `D.Lgs. 112/2017, artt. 1-2`,
`DM 15 settembre 2020, n. 106`, `L. 124/2017, art. 1, c. 125`, `D.L. 146/2021, art. 5, c. 15-quinquies`.
`parse_reference` turns one such text into `Citation`s — one per article it names (`artt. 61, 62` gives
two, `artt. 37-39` three); the commas of one article stay together (`c. 5, 5-bis e 5-ter`). A text it
does not recognise (a circular, a court ruling, a directorial decree, guidelines without an act number)
gives no citation: the caller keeps it as a plain label, without a link.

`normattiva_url` builds the official link with the URN resolver of Normattiva (NIR standard):

    https://www.normattiva.it/uri-res/N2Ls?urn:nir:stato:decreto.legislativo:2017-07-03;117~art79-com5

    urn:nir:<authority>:<kind>:<date or year>;<number>[~art<N>[-com<M>]]

- authority and kind: `stato:legge`, `stato:decreto.legislativo`, `stato:decreto.legge`,
  `presidente.repubblica:decreto`, `presidente.consiglio.ministri:decreto`, and for a ministerial decree
  the ministry (`ministero.lavoro.e.politiche.sociali:decreto`, taken from `KNOWN_ACTS`: a decree of a
  ministry we do not know is not linked);
- the date of the act (`2017-07-03`) when known — from the text or from `KNOWN_ACTS` — else the year
  (`2017`), which the resolver also accepts;
- `~art79`, `~art79bis` for an article; `-com5`, `-com2bis` for a single comma (several commas link to
  their article);
- the civil code is an annex of R.D. 16 March 1942, n. 262 (`urn:nir:stato:regio.decreto:1942-03-16;262:2`),
  the Constitution `urn:nir:stato:costituzione:1947-12-27`.

Normattiva holds only numbered acts: a decree cited by its date alone (`DM 5 marzo 2020`) is recognised
but has no link. Nothing here touches the database: it is plain Python, tested on hand-checked examples.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

NORMATTIVA_RESOLVER = "https://www.normattiva.it/uri-res/N2Ls?"

# Kinds of act (the values of LegalReference.ActType).
DLGS = "dlgs"
LEGGE = "legge"
DL = "dl"
DPR = "dpr"
DPCM = "dpcm"
DM = "dm"
CODICE_CIVILE = "codice_civile"
COSTITUZIONE = "costituzione"

ACT_ABBREVIATIONS = {
    DLGS: "D.Lgs.",
    LEGGE: "L.",
    DL: "D.L.",
    DPR: "D.P.R.",
    DPCM: "D.P.C.M.",
    DM: "DM",
    CODICE_CIVILE: "Codice civile",
    COSTITUZIONE: "Costituzione",
}

_URN_KINDS = {
    DLGS: "stato:decreto.legislativo",
    LEGGE: "stato:legge",
    DL: "stato:decreto.legge",
    DPR: "presidente.repubblica:decreto",
    DPCM: "presidente.consiglio.ministri:decreto",
}
CIVIL_CODE_URN = "urn:nir:stato:regio.decreto:1942-03-16;262:2"
CONSTITUTION_URN = "urn:nir:stato:costituzione:1947-12-27"
LABOUR_MINISTRY = "ministero.lavoro.e.politiche.sociali"

MONTHS = {
    "gennaio": 1,
    "febbraio": 2,
    "marzo": 3,
    "aprile": 4,
    "maggio": 5,
    "giugno": 6,
    "luglio": 7,
    "agosto": 8,
    "settembre": 9,
    "ottobre": 10,
    "novembre": 11,
    "dicembre": 12,
}
LATIN_SUFFIXES = ("bis", "ter", "quater", "quinquies", "sexies", "septies", "octies", "novies", "decies")
MAX_ARTICLE_RANGE = 20  # `artt. 1-400` is a typo, not 400 links


@dataclass(frozen=True)
class KnownAct:
    """An act the knowledge base cites: its date (for the URN) and its name (for people)."""

    act_type: str
    number: str
    year: int
    date: dt.date
    title: str
    aliases: tuple[str, ...] = ()
    issuer: str = ""  # URN authority of a ministerial decree

    @property
    def key(self) -> tuple[str, str, int]:
        return (self.act_type, self.number, self.year)


# The acts of the Third Sector reform and those the seed cites, with the dates of their Official Gazette
# titles (PRIMER §5.1 and the acts themselves).
KNOWN_ACTS: tuple[KnownAct, ...] = (
    KnownAct(DLGS, "117", 2017, dt.date(2017, 7, 3), "Codice del Terzo settore", aliases=("CTS",)),
    KnownAct(
        DLGS, "112", 2017, dt.date(2017, 7, 3), "Revisione della disciplina in materia di impresa sociale"
    ),
    KnownAct(DLGS, "111", 2017, dt.date(2017, 7, 3), "Disciplina dell'istituto del cinque per mille"),
    KnownAct(LEGGE, "106", 2016, dt.date(2016, 6, 6), "Delega per la riforma del Terzo settore"),
    KnownAct(LEGGE, "104", 2024, dt.date(2024, 7, 4), "Modifiche al Codice del Terzo settore"),
    KnownAct(LEGGE, "381", 1991, dt.date(1991, 11, 8), "Disciplina delle cooperative sociali"),
    KnownAct(LEGGE, "124", 2017, dt.date(2017, 8, 4), "Legge annuale per il mercato e la concorrenza"),
    KnownAct(LEGGE, "328", 2000, dt.date(2000, 11, 8), "Sistema integrato di interventi e servizi sociali"),
    KnownAct(DL, "84", 2025, dt.date(2025, 6, 17), "Disposizioni urgenti in materia fiscale"),
    KnownAct(DL, "73", 2022, dt.date(2022, 6, 21), "Misure urgenti in materia di semplificazioni fiscali"),
    KnownAct(DL, "146", 2021, dt.date(2021, 10, 21), "Misure urgenti in materia economica e fiscale"),
    KnownAct(DLGS, "186", 2025, dt.date(2025, 12, 4), "Disposizioni in materia di Terzo settore e IVA"),
    KnownAct(DLGS, "36", 2023, dt.date(2023, 3, 31), "Codice dei contratti pubblici"),
    KnownAct(
        DLGS,
        "460",
        1997,
        dt.date(1997, 12, 4),
        "Riordino della disciplina degli enti non commerciali e ONLUS",
    ),
    KnownAct(DM, "106", 2020, dt.date(2020, 9, 15), "Procedure del RUNTS", issuer=LABOUR_MINISTRY),
    KnownAct(DM, "107", 2021, dt.date(2021, 5, 19), "Attività diverse degli ETS", issuer=LABOUR_MINISTRY),
    KnownAct(
        DM, "72", 2021, dt.date(2021, 3, 31), "Linee guida sul rapporto tra PA ed ETS", issuer=LABOUR_MINISTRY
    ),
)
_KNOWN_BY_KEY = {act.key: act for act in KNOWN_ACTS}
_KNOWN_BY_ALIAS = {alias.casefold(): act for act in KNOWN_ACTS for alias in act.aliases}


def known_act(act_type: str, number: str, year: int | None) -> KnownAct | None:
    if year is None:
        return None
    return _KNOWN_BY_KEY.get((act_type, number, year))


@dataclass(frozen=True)
class Citation:
    """One act, and optionally one of its articles and the commas of that article."""

    act_type: str
    number: str = ""
    year: int | None = None
    date: dt.date | None = None
    article: str = ""  # "79", "79-bis"
    comma: str = ""  # "5", "2-bis", "5, 5-bis, 5-ter", "1-3"

    @property
    def act(self) -> KnownAct | None:
        return known_act(self.act_type, self.number, self.year)

    @property
    def act_date(self) -> dt.date | None:
        if self.date is not None:
            return self.date
        act = self.act
        return act.date if act is not None else None

    @property
    def single_comma(self) -> bool:
        return bool(self.comma) and "," not in self.comma and not _is_range(self.comma)


def _is_range(token: str) -> bool:
    return bool(re.fullmatch(r"\d+-\d+", token))


def _urn_partition(citation: Citation) -> str:
    if not citation.article:
        return ""
    fragment = "~art" + citation.article.replace("-", "")
    if citation.single_comma:
        fragment += "-com" + citation.comma.replace("-", "")
    return fragment


def normattiva_urn(citation: Citation) -> str | None:
    """The NIR URN of `citation`, or None when Normattiva cannot resolve it (see the module's notes)."""
    if citation.act_type == CODICE_CIVILE:
        return CIVIL_CODE_URN + _urn_partition(citation)
    if citation.act_type == COSTITUZIONE:
        return CONSTITUTION_URN + _urn_partition(citation)
    if not citation.number or citation.year is None:
        return None  # an act without a number is not in Normattiva
    if citation.act_type == DM:
        act = citation.act
        if act is None or not act.issuer:
            return None  # the ministry is part of the name, and the text does not say which
        authority = f"{act.issuer}:decreto"
    elif citation.act_type in _URN_KINDS:
        authority = _URN_KINDS[citation.act_type]
    else:
        return None
    date = citation.act_date
    when = date.isoformat() if date is not None else str(citation.year)
    return f"urn:nir:{authority}:{when};{citation.number}{_urn_partition(citation)}"


def normattiva_url(citation: Citation) -> str | None:
    urn = normattiva_urn(citation)
    return NORMATTIVA_RESOLVER + urn if urn else None


def format_date(date: dt.date) -> str:
    month = next(name for name, number in MONTHS.items() if number == date.month)
    return f"{date.day} {month} {date.year}"


def act_text(citation: Citation) -> str:
    """The act as Italian texts cite it: `D.Lgs. 117/2017`, `DM 5 marzo 2020`, `Codice civile`."""
    abbreviation = ACT_ABBREVIATIONS.get(citation.act_type, citation.act_type)
    if citation.act_type in (CODICE_CIVILE, COSTITUZIONE):
        return abbreviation
    if citation.number and citation.year is not None:
        return f"{abbreviation} {citation.number}/{citation.year}"
    if citation.date is not None:
        return f"{abbreviation} {format_date(citation.date)}"
    return abbreviation


def citation_text(citation: Citation) -> str:
    """`D.Lgs. 117/2017, art. 79, c. 5`: the act, then the article and its commas."""
    parts = [act_text(citation)]
    if citation.article:
        parts.append(f"art. {citation.article}")
    if citation.comma:
        parts.append(f"c. {citation.comma}")
    return ", ".join(parts)


# --- reading the text ---------------------------------------------------------------------------------

_MONTH_NAMES = "|".join(MONTHS)
_ACT_KINDS = (
    (DLGS, r"D\.\s?Lgs\.?|Dlgs\.?|d\.lgs\."),
    (DL, r"D\.\s?L\.|DL"),
    (DPR, r"D\.P\.R\.|DPR"),
    (DPCM, r"D\.P\.C\.M\.|DPCM"),
    (DM, r"D\.\s?M\.|DM"),
    (LEGGE, r"L\.|Legge"),
)
_ACT_HEAD = re.compile(
    r"^(?P<kind>" + "|".join(f"(?P<{kind}>{pattern})" for kind, pattern in _ACT_KINDS) + r")\s*"
    r"(?:"
    r"(?:n\.\s*)?(?P<number>\d+)/(?P<year>\d{4})"
    r"|(?P<day>\d{1,2})°?\s+(?P<month>" + _MONTH_NAMES + r")\s+(?P<date_year>\d{4})"
    r"(?:,?\s*n\.\s*(?P<date_number>\d+))?"
    r")",
    re.IGNORECASE,
)
_CODE_HEAD = re.compile(r"^(?:(?P<cc>Codice civile|c\.c\.)|(?P<cost>Costituzione|Cost\.))", re.IGNORECASE)
_ORDINAL = r"\d+(?:-(?:" + "|".join(LATIN_SUFFIXES) + r"))?"
_ARTICLE_TOKEN = re.compile(rf"^(?:(?P<ordinal>{_ORDINAL})|(?P<start>\d+)-(?P<end>\d+))$", re.IGNORECASE)
_LIST_SEPARATOR = re.compile(r"\s*,\s*|\s+e\s+")
_ARTICLES = re.compile(
    r"^artt?\.\s*(?P<articles>[0-9a-z\-,\s]+?)(?:\s*,?\s*c(?:omma|ommi|\.)\s*(?P<commas>.+))?$",
    re.IGNORECASE,
)
_PARTITION = re.compile(r"^(?:Titolo|Capo|Sezione|Allegato)\s+[IVXLC0-9]+$", re.IGNORECASE)


class ReferenceNotRecognised(ValueError):
    """The text is not an act we can cite structurally (the caller keeps it as a plain label)."""


def _tokens(text: str) -> list[str]:
    return [token for token in _LIST_SEPARATOR.split(text.strip()) if token]


def _articles(text: str) -> list[str]:
    articles: list[str] = []
    for token in _tokens(text):
        match = _ARTICLE_TOKEN.match(token)
        if match is None:
            raise ReferenceNotRecognised(f"{token!r} is not an article number.")
        if match["ordinal"]:
            articles.append(match["ordinal"].lower())
            continue
        start, end = int(match["start"]), int(match["end"])
        if not 0 < end - start <= MAX_ARTICLE_RANGE:
            raise ReferenceNotRecognised(f"{token!r} is not a range of articles.")
        articles.extend(str(number) for number in range(start, end + 1))
    if not articles:
        raise ReferenceNotRecognised("No article number.")
    return articles


def _commas(text: str) -> str:
    """`1 e c. 2` → `1, 2`; `5, 5-bis e 5-ter` → `5, 5-bis, 5-ter`; `1-3` stays a range."""
    tokens = _tokens(re.sub(r"\bc(?:omma|\.)\s*", "", text, flags=re.IGNORECASE))
    for token in tokens:
        if not (re.fullmatch(_ORDINAL, token, re.IGNORECASE) or _is_range(token)):
            raise ReferenceNotRecognised(f"{token!r} is not a comma number.")
    if not tokens:
        raise ReferenceNotRecognised("No comma number.")
    return ", ".join(token.lower() for token in tokens)


def _head(text: str) -> tuple[Citation, str]:
    """The act at the start of `text`, and what follows it."""
    for alias, act in _KNOWN_BY_ALIAS.items():
        if text.casefold().startswith(alias) and not text[len(alias) : len(alias) + 1].isalnum():
            return Citation(act.act_type, act.number, act.year, act.date), text[len(alias) :]
    code = _CODE_HEAD.match(text)
    if code is not None:
        return Citation(CODICE_CIVILE if code["cc"] else COSTITUZIONE), text[code.end() :]
    head = _ACT_HEAD.match(text)
    if head is None:
        raise ReferenceNotRecognised("No act at the start.")
    kind = next(kind for kind, _pattern in _ACT_KINDS if head[kind])
    if head["number"]:
        number, year, date = head["number"], int(head["year"]), None
    else:
        year = int(head["date_year"])
        try:
            date = dt.date(year, MONTHS[head["month"].lower()], int(head["day"]))
        except ValueError:
            raise ReferenceNotRecognised(f"{head.group(0)!r} has no valid date.") from None
        number = head["date_number"] or ""
    number = number.lstrip("0")
    if date is None and (known := known_act(kind, number, year)) is not None:
        date = known.date
    return Citation(kind, number, year, date), text[head.end() :]


def parse_reference(text: str) -> list[Citation]:
    """The citations of one reference as written, e.g. `CTS art. 5, c. 1 e c. 2`.

    Raises ReferenceNotRecognised when the text is not an act followed by nothing, a partition (`Titolo X`)
    or articles with their commas. Several articles give one citation each; commas belong to one article.
    """
    text = " ".join(text.split())
    act, rest = _head(text)
    rest = rest.strip().lstrip(",").strip()
    if not rest or _PARTITION.match(rest):
        return [act]
    match = _ARTICLES.match(rest)
    if match is None:
        raise ReferenceNotRecognised(f"{rest!r} is not a list of articles.")
    articles = _articles(match["articles"])
    commas = _commas(match["commas"]) if match["commas"] else ""
    if commas and len(articles) > 1:
        raise ReferenceNotRecognised("Commas of several articles cannot be told apart.")
    return [
        Citation(act.act_type, act.number, act.year, act.date, article=article, comma=commas)
        for article in articles
    ]
