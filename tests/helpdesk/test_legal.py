"""Reading references as people write them, and their Normattiva links (every URL checked by hand against
the NIR URN rules: authority, kind, date of the act, number, ~art, -com)."""

from __future__ import annotations

import datetime as dt

import pytest

from welfarelab.helpdesk.legal import (
    Citation,
    ReferenceNotRecognised,
    citation_text,
    normattiva_url,
    parse_reference,
)

N2LS = "https://www.normattiva.it/uri-res/N2Ls?urn:nir:"
CTS = "stato:decreto.legislativo:2017-07-03;117"


def urls(text: str) -> list[str | None]:
    return [normattiva_url(citation) for citation in parse_reference(text)]


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("CTS art. 79, c. 5", [f"{N2LS}{CTS}~art79-com5"]),
        ("D.Lgs. 117/2017 art. 79, c. 5", [f"{N2LS}{CTS}~art79-com5"]),
        ("CTS art. 11", [f"{N2LS}{CTS}~art11"]),
        # Several commas of one article: the link goes to the article.
        ("CTS art. 5, c. 1 e c. 2", [f"{N2LS}{CTS}~art5"]),
        ("CTS art. 8, c. 1-3", [f"{N2LS}{CTS}~art8"]),
        # Several articles: one link each; a range is spelled out.
        ("CTS artt. 32-33", [f"{N2LS}{CTS}~art32", f"{N2LS}{CTS}~art33"]),
        ("CTS artt. 61, 62, 64, 65", [f"{N2LS}{CTS}~art{n}" for n in (61, 62, 64, 65)]),
        (
            "L. 381/1991, artt. 1 e 4",
            [f"{N2LS}stato:legge:1991-11-08;381~art1", f"{N2LS}stato:legge:1991-11-08;381~art4"],
        ),
        # The date comes from the text, or from the table of known acts.
        (
            "DM 15 settembre 2020, n. 106",
            [f"{N2LS}ministero.lavoro.e.politiche.sociali:decreto:2020-09-15;106"],
        ),
        ("DM 106/2020", [f"{N2LS}ministero.lavoro.e.politiche.sociali:decreto:2020-09-15;106"]),
        ("DM 107/2021", [f"{N2LS}ministero.lavoro.e.politiche.sociali:decreto:2021-05-19;107"]),
        ("L. 124/2017, art. 1, c. 125", [f"{N2LS}stato:legge:2017-08-04;124~art1-com125"]),
        ("D.L. 17 giugno 2025, n. 84, art. 8", [f"{N2LS}stato:decreto.legge:2025-06-17;84~art8"]),
        ("D.L. 73/2022 art. 26", [f"{N2LS}stato:decreto.legge:2022-06-21;73~art26"]),
        # Latin ordinals are glued to their number.
        (
            "D.L. 146/2021, art. 5, c. 15-quinquies",
            [f"{N2LS}stato:decreto.legge:2021-10-21;146~art5-com15quinquies"],
        ),
        ("CTS art. 79-bis", [f"{N2LS}{CTS}~art79bis"]),
        ("CTS art. 13, c. 2-bis", [f"{N2LS}{CTS}~art13-com2bis"]),
        # An act we do not know links with its year, which Normattiva also resolves.
        ("L. 241/1990, art. 22", [f"{N2LS}stato:legge:1990;241~art22"]),
        ("D.P.R. 917/1986", [f"{N2LS}presidente.repubblica:decreto:1986;917"]),
        ("Codice civile, art. 36", [f"{N2LS}stato:regio.decreto:1942-03-16;262:2~art36"]),
        ("Costituzione art. 118", [f"{N2LS}stato:costituzione:1947-12-27~art118"]),
        # A part of an act links to the act.
        ("CTS Titolo X", [f"{N2LS}{CTS}"]),
        # Read, but not in Normattiva: an act without a number, a decree of an unknown ministry.
        ("DM 5 marzo 2020", [None]),
        ("DPCM 23 luglio 2020", [None]),
        ("DM 12/2019", [None]),
    ],
)
def test_references_link_to_the_official_text(written, expected):
    assert urls(written) == expected


def test_a_reference_keeps_its_parts():
    (citation,) = parse_reference("CTS art. 79, c. 5, 5-bis e 5-ter")

    assert citation == Citation(
        "dlgs", "117", 2017, dt.date(2017, 7, 3), article="79", comma="5, 5-bis, 5-ter"
    )
    assert citation_text(citation) == "D.Lgs. 117/2017, art. 79, c. 5, 5-bis, 5-ter"


def test_an_act_cited_by_its_date_keeps_the_date():
    (citation,) = parse_reference("DM 6 ottobre 2021")

    assert (citation.act_type, citation.number, citation.date) == ("dm", "", dt.date(2021, 10, 6))
    assert citation_text(citation) == "DM 6 ottobre 2021"


@pytest.mark.parametrize(
    "written",
    [
        "Circolare MLPS n. 6 del 9 agosto 2024",
        "Corte cost. sent. 131/2020",
        "DD MLPS 26 ottobre 2021, n. 561",
        "Linee guida raccolta fondi (DM 2022)",
        "CTS art. dodici",
        "CTS artt. 1, 2, c. 3",  # commas of which article?
        "DM 31 febbraio 2021, n. 7",
        "CTS artt. 1-400",
    ],
)
def test_texts_that_are_not_an_act_are_not_read(written):
    with pytest.raises(ReferenceNotRecognised):
        parse_reference(written)
