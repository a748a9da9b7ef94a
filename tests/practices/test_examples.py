"""`welfarelab load-example-practices`: invented practices, marked as such, loaded only on request."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from tests.factories import TerritoryFactory
from welfarelab.practices.examples import EXAMPLES
from welfarelab.practices.models import Practice, PracticeEvent

pytestmark = pytest.mark.django_db

DOMAINS = sorted({code for example in EXAMPLES for code in example.need_domains})


@pytest.fixture
def example_places(places, domains):
    from welfarelab.indicators.models import NeedDomain

    for code in DOMAINS:
        NeedDomain.objects.get_or_create(code=code, defaults={"name_it": code})
    from welfarelab.territories.models import Territory

    return [
        Territory.objects.filter(kind="comune", code=example.comune_code).first()
        or TerritoryFactory(code=example.comune_code)
        for example in EXAMPLES
    ]


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("load_example_practices", *args, stdout=out)
    return out.getvalue()


def test_the_examples_are_published_and_marked_and_loading_twice_changes_nothing(example_places):
    first = run()
    second = run()

    practices = Practice.objects.order_by("slug")
    assert "4 created, 0 updated" in first and "0 created, 4 updated" in second
    assert practices.count() == len(EXAMPLES) == 4
    for practice in practices:
        assert practice.is_example and practice.status == Practice.Status.PUBLISHED
        assert practice.title.startswith("Esempio — ")
        assert "inventata" in practice.summary
        assert practice.submitted_by is None and practice.owner_organisation is None
    assert PracticeEvent.objects.filter(action="example_loaded").count() == 4  # once each


def test_remove_deletes_only_the_examples(example_places, make_practice):
    real = make_practice(title="Pratica vera")
    run()

    assert "4 example practice(s) removed." in run("--remove")
    assert list(Practice.objects.all()) == [real]


def test_without_the_open_data_nothing_is_written(domains):
    TerritoryFactory(code=EXAMPLES[0].comune_code)  # one comune of four

    with pytest.raises(CommandError) as refused:
        run()

    assert "Run `welfarelab load-open-data` first" in str(refused.value)
    assert Practice.objects.count() == 0


def test_a_real_practice_with_an_example_slug_is_left_alone(example_places, make_practice):
    real = make_practice(title=EXAMPLES[0].slug)  # gets that very slug
    assert real.slug == EXAMPLES[0].slug

    with pytest.raises(CommandError):
        run()

    real.refresh_from_db()
    assert not real.is_example and real.title == EXAMPLES[0].slug
    assert Practice.objects.count() == 1  # the whole load rolled back
