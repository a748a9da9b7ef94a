"""The help desk's pages: home, themes, tags, articles with their references, feedback, the review queue."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from tests.helpdesk.conftest import RAW_MARK, SEED_ARTICLES
from welfarelab.helpdesk.models import Article, Feedback

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

NORMATTIVA_CTS = "https://www.normattiva.it/uri-res/N2Ls?urn:nir:stato:decreto.legislativo:2017-07-03;117"


def article_url(code: str) -> str:
    return reverse("helpdesk:article-detail", kwargs={"code": code})


def feedback_url(code: str) -> str:
    return reverse("helpdesk:article-feedback", kwargs={"code": code})


def review_url(code: str) -> str:
    return reverse("helpdesk:article-review", kwargs={"code": code})


def test_home_lists_the_themes_with_their_counts(client, seeded):
    response = client.get(reverse("helpdesk:home"))

    assert response.status_code == 200
    assert reverse("helpdesk:theme-detail", kwargs={"slug": "lavoro-volontari"}) in response.text
    fiscal = Article.objects.filter(theme=Article.Theme.TAX).count()
    assert f"{fiscal} answers" in response.text
    # The search box is a plain form to the search page.
    assert f'action="{reverse("helpdesk:search")}"' in response.text
    assert "review queue" not in response.text.lower()  # only for the operators


def test_the_theme_index_lists_every_article_under_its_theme(client, seeded):
    response = client.get(reverse("helpdesk:theme-index"))

    assert response.status_code == 200
    for article in Article.objects.all():
        assert article_url(article.code) in response.text
    assert 'id="tema-bandi-finanziamenti"' in response.text


def test_a_theme_page_filters_by_type_of_entity(client, seeded):
    url = reverse("helpdesk:theme-detail", kwargs={"slug": "normativa"})

    everything = client.get(url)
    for_odv = client.get(url, {"ets": "odv"})

    assert article_url("ts-012") in everything.text  # enti filantropici
    assert article_url("ts-012") not in for_odv.text
    assert article_url("ts-010") in for_odv.text  # ODV and APS
    assert article_url("ts-001") in for_odv.text  # every ETS
    assert client.get(reverse("helpdesk:theme-detail", kwargs={"slug": "astrologia"})).status_code == 404


def test_a_tag_page_lists_its_articles(client, seeded):
    response = client.get(reverse("helpdesk:tag-detail", kwargs={"slug": "runts"}))

    assert response.status_code == 200
    assert article_url("ts-007") in response.text
    assert article_url("ts-029") not in response.text
    assert client.get(reverse("helpdesk:tag-detail", kwargs={"slug": "nessuno"})).status_code == 404


def test_an_article_shows_its_answer_references_and_facts(client, seeded):
    response = client.get(article_url("ts-010"))

    assert response.status_code == 200
    text = response.text
    assert "<h1>Differenze tra ODV e APS</h1>" in text
    assert "Che differenza c&#x27;è tra un&#x27;ODV e un&#x27;APS?" in text
    assert "<p>Entrambe sono associazioni costituite da almeno 7 persone fisiche" in text
    # One link per cited article, to the official text, in a new window.
    assert f'<a href="{NORMATTIVA_CTS}~art32" target="_blank" rel="noopener noreferrer">art. 32' in text
    assert f'href="{NORMATTIVA_CTS}~art36"' in text
    assert "Voluntary organisation (ODV), Social promotion association (APS)" in text
    assert "Not yet reviewed by an operator" in text
    assert "Under review" in text  # the seed marked one of its figures


def test_a_reference_that_is_not_an_act_has_no_link(client, seeded):
    text = client.get(article_url("ts-037")).text

    assert "Corte cost. sent. 131/2020" in text
    assert '">Corte cost. sent. 131/2020' not in text  # not the text of a link
    assert f'href="{NORMATTIVA_CTS}~art55-com2"' in text


def test_an_article_without_review_marks_has_no_notice(client, seeded):
    assert "Under review" not in client.get(article_url("ts-001")).text


def test_related_articles_share_tags_or_theme(client, seeded):
    response = client.get(article_url("ts-016"))  # bilancio, rendiconto per cassa

    related = response.context["related"]
    assert related[0].code == "ts-017"  # shares both tags
    assert all(item.code != "ts-016" for item in related)
    assert len(related) == 5
    assert article_url("ts-017") in response.text


def test_unknown_and_unpublished_articles_are_404_except_for_operators(client, seeded, operator):
    Article.objects.filter(code="ts-003").update(is_published=False)

    assert client.get(article_url("ts-999")).status_code == 404
    assert client.get(article_url("ts-003")).status_code == 404

    client.force_login(operator)
    response = client.get(article_url("ts-003"))
    assert response.status_code == 200
    assert "This article is not published" in response.text


@pytest.mark.parametrize("language", ["it", "en"])
def test_the_review_mark_never_appears_on_a_page(client, seeded, operator, language):
    client.force_login(operator)  # operators see the most: the queue, the reasons
    with translation.override(language):
        pages = [reverse("helpdesk:home"), reverse("helpdesk:theme-index"), reverse("helpdesk:review-queue")]
        pages += [article_url(code) for code in Article.objects.values_list("code", flat=True)]
        pages += [
            reverse("helpdesk:theme-detail", kwargs={"slug": value.replace("_", "-")})
            for value in Article.Theme.values
        ]

    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
        assert RAW_MARK not in response.text.lower(), page


# --- "was this useful?" -----------------------------------------------------------------------------


def test_feedback_is_counted_once_per_session(client, seeded):
    client.post(feedback_url("ts-001"), {"useful": "yes"})
    client.post(feedback_url("ts-001"), {"useful": "yes"})

    other = Client()
    other.post(feedback_url("ts-001"), {"useful": "no"})

    assert Feedback.objects.filter(article__code="ts-001").count() == 2
    response = client.get(article_url("ts-001"))
    assert "1 person found it useful, 1 did not." in " ".join(response.text.split())
    assert "(your answer)" in response.text


def test_a_second_answer_replaces_the_first(client, seeded):
    client.post(feedback_url("ts-001"), {"useful": "yes"})
    client.post(feedback_url("ts-001"), {"useful": "no"})

    assert list(Feedback.objects.values_list("useful", flat=True)) == [False]


def test_feedback_without_javascript_comes_back_to_the_article(client, seeded):
    response = client.post(feedback_url("ts-002"), {"useful": "yes"})

    assert response.status_code == 302
    assert response["Location"] == article_url("ts-002") + "#kb-feedback"
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Thank you: your answer helps the help desk improve its articles."
    ]


def test_feedback_with_htmx_swaps_its_block(client, seeded):
    response = client.post(feedback_url("ts-002"), {"useful": "no"}, headers={"HX-Request": "true"})

    assert response.status_code == 200
    assert response.text.lstrip().startswith('<section id="kb-feedback"')
    assert "<html" not in response.text
    assert "Thank you for your answer." in response.text
    assert "0 people found it useful, 1 did not." in " ".join(response.text.split())


def test_feedback_needs_yes_or_no_and_a_visible_article(client, seeded):
    assert client.post(feedback_url("ts-002"), {"useful": "maybe"}).status_code == 400
    assert client.get(feedback_url("ts-002")).status_code == 405
    Article.objects.filter(code="ts-003").update(is_published=False)
    assert client.post(feedback_url("ts-003"), {"useful": "yes"}).status_code == 404
    assert not Feedback.objects.exists()


def test_the_session_key_is_not_stored(client, seeded):
    client.post(feedback_url("ts-001"), {"useful": "yes"})

    voter = Feedback.objects.get().voter
    assert client.session.session_key not in voter
    assert len(voter) == 64


# --- the operators' review ----------------------------------------------------------------------------


def test_the_queue_lists_the_flagged_articles(client, seeded, operator):
    client.force_login(operator)

    response = client.get(reverse("helpdesk:review-queue"))

    assert response.status_code == 200
    flagged = Article.objects.filter(needs_review=True)
    assert f"{flagged.count()} articles to review" in response.text
    for article in flagged:
        assert review_url(article.code) in response.text
    assert review_url("ts-001") not in response.text
    assert "60 giorni ([da confermare])" in response.text  # the reason, for the operators


def test_an_operator_marks_an_article_reviewed(client, seeded, operator):
    client.force_login(operator)

    response = client.post(review_url("ts-007"), {"next": reverse("helpdesk:review-queue")})

    assert response.status_code == 302
    assert response["Location"] == reverse("helpdesk:review-queue")
    article = Article.objects.get(code="ts-007")
    assert (article.needs_review, article.review_reason) == (False, "")
    assert (article.reviewed_by, article.last_reviewed_on) == (operator, timezone.localdate())
    page = client.get(article_url("ts-007")).text
    assert "Under review" not in page
    assert "Giulia Bianchi" in page


def test_a_coordinator_may_review_too(client, seeded, coordinator):
    client.force_login(coordinator)

    assert client.get(reverse("helpdesk:review-queue")).status_code == 200
    assert client.post(review_url("ts-007")).status_code == 302
    assert not Article.objects.get(code="ts-007").needs_review


def test_an_unsafe_next_address_is_ignored(client, seeded, operator):
    client.force_login(operator)

    response = client.post(review_url("ts-007"), {"next": "https://evil.example/"})

    assert response["Location"] == article_url("ts-007")


def test_others_may_not_review(client, seeded, member):
    queue = reverse("helpdesk:review-queue")
    assert client.get(queue).status_code == 302  # signed out: to the login page
    assert client.post(review_url("ts-007")).status_code == 302

    client.force_login(member)

    assert client.get(queue).status_code == 403
    assert client.post(review_url("ts-007")).status_code == 403
    article = Article.objects.get(code="ts-007")
    assert article.needs_review and article.reviewed_by is None and article.last_reviewed_on is None
    assert "Mark as reviewed" not in client.get(article_url("ts-007")).text


def test_operators_see_the_queue_from_the_home_page(client, seeded, operator):
    client.force_login(operator)

    response = client.get(reverse("helpdesk:home"))

    flagged = Article.objects.filter(needs_review=True).count()
    assert f"{flagged} articles are waiting to be reviewed." in " ".join(response.text.split())
    assert reverse("helpdesk:review-queue") in response.text


def test_the_help_desk_is_in_the_navigation(client, seeded):
    response = client.get(reverse("core:home"))

    assert response.text.count(f'href="{reverse("helpdesk:home")}"') >= 2  # header and footer
    assert Article.objects.count() == SEED_ARTICLES
