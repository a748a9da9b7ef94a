"""Writes of the knowledge base: reviews, readers' feedback, and flags when a cited law changes.

Every function is keyword-only and checks its own permission; one that raises writes nothing. Seeding
from the bundled FAQ is in `seed.py`.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import salted_hmac

from welfarelab.accounts.models import User
from welfarelab.helpdesk.legal import parse_reference
from welfarelab.helpdesk.models import Article, Feedback, LegalReference
from welfarelab.helpdesk.permissions import require_desk_operator
from welfarelab.helpdesk.selectors import FeedbackCounts, feedback_counts

VOTER_SALT = "welfarelab.helpdesk.feedback"


def voter_key(session_key: str) -> str:
    """The key a browser session votes under: a keyed hash, so the table never holds a session key."""
    return salted_hmac(VOTER_SALT, session_key, algorithm="sha256").hexdigest()


@transaction.atomic
def article_mark_reviewed(*, article: Article, reviewed_by: User, on: dt.date | None = None) -> Article:
    """An operator has checked `article` against its sources: record who and when, and clear its flag."""
    require_desk_operator(reviewed_by)
    article.reviewed_by = reviewed_by
    article.last_reviewed_on = on or timezone.localdate()
    article.needs_review = False
    article.review_reason = ""
    article.full_clean()
    article.save(
        update_fields=["reviewed_by", "last_reviewed_on", "needs_review", "review_reason", "updated_at"]
    )
    return article


def feedback_record(*, article: Article, voter: str, useful: bool) -> FeedbackCounts:
    """Count one "was this useful?" answer per voter and article; a new answer replaces the earlier one."""
    Feedback.objects.update_or_create(article=article, voter=voter, defaults={"useful": useful})
    return feedback_counts(article=article)


@transaction.atomic
def articles_flag_citing(*, citation: str, reason: str) -> list[str]:
    """Put in the review queue every article resting on the act (or article of it) `citation` names.

    `citation` is written as in the articles (`CTS art. 79`, `L. 104/2024`); an act without an article
    flags every article citing any part of it. `reason` is added to each article's review reason.
    Returns the codes flagged. Raises `legal.ReferenceNotRecognised` when `citation` cannot be read.
    """
    matches = Q(pk__in=[])
    for cited in parse_reference(citation):
        condition = Q(act_type=cited.act_type, act_number=cited.number, act_year=cited.year)
        if cited.article:
            condition &= Q(law_article=cited.article)
        matches |= condition
    articles = Article.objects.filter(
        pk__in=LegalReference.objects.filter(matches).values("article_id")
    ).select_for_update()
    codes = []
    for article in articles.order_by("code"):
        article.needs_review = True
        article.review_reason = "\n".join(
            line for line in (article.review_reason.strip(), reason.strip()) if line
        )
        article.save(update_fields=["needs_review", "review_reason", "updated_at"])
        codes.append(article.code)
    return codes
