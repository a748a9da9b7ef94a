"""Writes of the knowledge base: reviews, and flags when a cited law changes."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command

from welfarelab.helpdesk.legal import ReferenceNotRecognised
from welfarelab.helpdesk.models import Article
from welfarelab.helpdesk.permissions import MAY_NOT_REVIEW
from welfarelab.helpdesk.services import article_mark_reviewed, articles_flag_citing

pytestmark = pytest.mark.django_db


def test_only_operators_mark_articles_reviewed(seeded, member):
    article = Article.objects.get(code="ts-007")

    with pytest.raises(PermissionDenied, match=str(MAY_NOT_REVIEW)):
        article_mark_reviewed(article=article, reviewed_by=member)

    article.refresh_from_db()
    assert article.needs_review and article.reviewed_by is None and article.review_reason


def test_a_changed_article_of_a_law_flags_the_articles_citing_it(seeded):
    codes = articles_flag_citing(citation="CTS art. 79", reason="Modificato dal D.Lgs. 186/2025.")

    assert codes == ["ts-024", "ts-025"]
    ts_024 = Article.objects.get(code="ts-024")
    assert ts_024.needs_review and ts_024.review_reason == "Modificato dal D.Lgs. 186/2025."
    ts_025 = Article.objects.get(code="ts-025")  # already flagged: the reason is added
    assert ts_025.review_reason.endswith("vanno precisate.\nModificato dal D.Lgs. 186/2025.")


def test_a_changed_act_flags_every_article_citing_any_part_of_it(seeded):
    codes = articles_flag_citing(citation="L. 104/2024", reason="Nuove modifiche.")

    assert codes == ["ts-007", "ts-016", "ts-017", "ts-020", "ts-021", "ts-022"]


def test_the_command_flags_and_refuses_what_is_not_an_act(seeded, capsys):
    call_command("flag_articles_citing", "D.Lgs. 112/2017, art. 18", reason="Agevolazioni in vigore.")

    assert "1 article(s) to be reviewed: ts-044" in capsys.readouterr().out
    with pytest.raises(CommandError, match="is not a citation of an act"):
        call_command("flag_articles_citing", "Circolare n. 6", reason="x")
    with pytest.raises(ReferenceNotRecognised):
        articles_flag_citing(citation="Corte cost. sent. 131/2020", reason="x")
