"""Answers are Markdown made safe; the seed's "da verificare" notes leave the text for the review queue."""

from __future__ import annotations

import pytest

from welfarelab.helpdesk.markup import markdown_to_html, markdown_to_text, strip_review_marks


def test_markdown_is_rendered():
    html = markdown_to_html("Vedi **art. 17** e [la guida](https://www.example.org/guida).\n\n- uno\n- due")

    assert "<strong>art. 17</strong>" in html
    assert '<a href="https://www.example.org/guida" rel="noopener noreferrer nofollow">la guida</a>' in html
    assert "<ul>\n<li>uno</li>" in html


@pytest.mark.parametrize(
    "markdown",
    [
        "Testo <script>alert('x')</script> finale",
        "Testo <SCRIPT src=https://evil.example/x.js></SCRIPT> finale",
        "Testo <style>body{display:none}</style> finale",
    ],
)
def test_scripts_and_styles_are_removed_with_their_content(markdown):
    html = markdown_to_html(markdown)

    assert "script" not in html.lower()
    assert "alert" not in html
    assert "display:none" not in html
    assert "Testo" in html and "finale" in html


@pytest.mark.parametrize(
    "markdown",
    [
        "[clicca](javascript:alert(1))",
        "[clicca](JaVaScRiPt:alert(1))",
        '<a href="javascript:alert(1)">clicca</a>',
        "[clicca](data:text/html;base64,PHNjcmlwdD4=)",
        "[clicca](vbscript:msgbox(1))",
    ],
)
def test_links_keep_only_safe_addresses(markdown):
    html = markdown_to_html(markdown)

    assert "clicca" in html
    assert "javascript" not in html.lower()
    assert "data:" not in html
    assert "vbscript" not in html


def test_attributes_and_unknown_tags_are_dropped():
    html = markdown_to_html(
        '<p onclick="steal()" class="x" style="color:red">Ciao <iframe src="https://x"></iframe><img src=x onerror=alert(1)></p>'
    )

    assert html == "<p>Ciao </p>"


def test_headings_go_under_the_page_headings():
    assert markdown_to_html("# Titolo\n\n## Sezione") == "<h3>Titolo</h3>\n<h4>Sezione</h4>"


def test_plain_text_of_an_answer():
    assert (
        markdown_to_text("**Sì**, entro il *30 giugno* & <script>x</script>oltre.")
        == "Sì, entro il 30 giugno & oltre."
    )


# --- the seed's review marks ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "clean"),
    [
        # A note in brackets goes whole.
        (
            "L'ufficio, entro un termine di 60 giorni (da verificare), iscrive l'ente.",
            "L'ufficio, entro un termine di 60 giorni, iscrive l'ente.",
        ),
        (
            "Il patrimonio minimo è di 15.000 euro (da verificare la formulazione).",
            "Il patrimonio minimo è di 15.000 euro.",
        ),
        (
            "Si iscrive in una sola sezione (eccezioni per le reti associative da verificare).",
            "Si iscrive in una sola sezione.",
        ),
        # A clause after a comma or a dash goes; the rest of the bracket stays.
        (
            "I limiti (ricavi non superiori al 30% — da verificare).",
            "I limiti (ricavi non superiori al 30%).",
        ),
        ("Le linee guida (DM del 2022, data da verificare).", "Le linee guida (DM del 2022)."),
        ("Soglie più alte (500 ETS) — numeri da verificare.", "Soglie più alte (500 ETS)."),
        # A sentence that is only the note goes whole.
        (
            "È un credito d'imposta. Le percentuali (65% per le persone, 50% per gli enti) sono da verificare.",
            "È un credito d'imposta.",
        ),
        ("Nessuna nota qui: art. 5, c. 2.", "Nessuna nota qui: art. 5, c. 2."),
    ],
)
def test_review_marks_leave_the_text(written, clean):
    assert strip_review_marks(written).text == clean


def test_each_marked_sentence_is_kept_for_the_operators():
    result = strip_review_marks(
        "Prima frase. Il termine è di 60 giorni (da verificare), poi si iscrive. Le soglie sono da verificare."
    )

    assert result.text == "Prima frase. Il termine è di 60 giorni, poi si iscrive."
    assert result.marked_sentences == (
        "Il termine è di 60 giorni ([da confermare]), poi si iscrive.",
        "Le soglie sono [da confermare].",
    )
    assert all("da verificare" not in sentence for sentence in result.marked_sentences)
