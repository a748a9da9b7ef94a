"""News posts: written by the coordinators (page and admin), Markdown made safe, listed at /avvisi/notizie/."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import UserFactory
from welfarelab.alerts.models import NewsPost
from welfarelab.calls.models import Theme

pytestmark = pytest.mark.django_db

BODY = "Incontro **giovedì** alle 17.\n\n<script>alert('x')</script>\n\n[programma](javascript:alert(1)) e [sito](https://example.org)"


def test_a_coordinator_publishes_a_post_and_everybody_reads_it_safely(client, coordinator):
    client.force_login(coordinator)
    theme = Theme.objects.get(slug="politiche-giovanili")
    response = client.post(
        reverse("alerts:news-create"), {"title": "Bandi per i giovani", "body": BODY, "themes": [theme.pk]}
    )
    post = NewsPost.objects.get()
    assert response.status_code == 302 and response.url == reverse("alerts:news-detail", args=[post.pk])
    assert (post.author, list(post.themes.all())) == (coordinator, [theme])

    client.logout()
    listing = client.get(reverse("alerts:news-list")).content.decode()
    assert "Bandi per i giovani" in listing
    page = client.get(reverse("alerts:news-detail", args=[post.pk])).content.decode()
    assert "<strong>giovedì</strong>" in page
    assert "<script>alert" not in page and "javascript:alert" not in page
    assert 'href="https://example.org"' in page


@pytest.mark.parametrize("who", ["anonymous", "member"])
def test_only_coordinators_write_news(client, who):
    if who == "member":
        client.force_login(UserFactory())
    response = client.post(reverse("alerts:news-create"), {"title": "Intruso", "body": "x"})
    assert response.status_code == (302 if who == "anonymous" else 403)
    assert not NewsPost.objects.exists()
