"""RSS 2.0 and Atom feeds of the calls (per theme, per saved filter) and of the lab's news.

Items are calls (newest on the platform first) and, in a theme's feed, the news on that theme, so a feed
reader subscribed to a theme sees both. A call's item is its page on the platform; its guid is that
address, stable for the life of the call.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.syndication.views import Feed
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from welfarelab.alerts import selectors
from welfarelab.alerts.models import NewsPost
from welfarelab.calls.models import Call, Theme
from welfarelab.helpdesk.markup import markdown_to_html

Item = Call | NewsPost


def _merged(calls: list[Call], news: list[NewsPost]) -> list[Item]:
    items: list[Item] = [*calls, *news]
    items.sort(key=lambda item: item.published_at, reverse=True)
    return items[: selectors.FEED_SIZE]


class ItemsFeed(Feed):
    """What calls and news items have in common."""

    def item_title(self, item: Item) -> str:
        if isinstance(item, NewsPost):
            return f"{_('News')}: {item.title}"
        return item.title

    def item_description(self, item: Item) -> str:
        if isinstance(item, NewsPost):
            return markdown_to_html(item.body)
        parts = [item.issuer]
        if item.closes_at:
            closes = timezone.localtime(item.closes_at)  # Europe/Rome, as the calls' pages show it
            parts.append(_("Closes on %(date)s") % {"date": closes.strftime("%d/%m/%Y %H:%M")})
        if item.summary:
            parts.append(item.summary)
        return " — ".join(parts)

    def item_link(self, item: Item) -> str:
        if isinstance(item, NewsPost):
            return reverse("alerts:news-detail", args=[item.pk])
        return reverse("calls:detail", args=[item.pk])

    def item_pubdate(self, item: Item) -> dt.datetime:
        return item.published_at

    def item_updateddate(self, item: Item) -> dt.datetime:
        return item.updated_at if isinstance(item, Call) else item.published_at

    def item_categories(self, item: Item) -> list[str]:
        return [theme.name for theme in item.themes.all()]


class ThemeRssFeed(ItemsFeed):
    def get_object(self, request: HttpRequest, slug: str) -> Theme:
        return selectors.theme_get(slug=slug)

    def title(self, obj: Theme) -> str:
        return _("Funding calls and news: %(theme)s") % {"theme": obj.name}

    def link(self, obj: Theme) -> str:
        return f"{reverse('calls:list')}?theme={obj.slug}"

    def description(self, obj: Theme) -> str:
        return _("New calls on the theme “%(theme)s” and the lab's news on it.") % {"theme": obj.name}

    def items(self, obj: Theme) -> list[Item]:
        calls = list(selectors.theme_calls(theme=obj)[: selectors.FEED_SIZE])
        news = list(selectors.news_list(theme=obj)[: selectors.FEED_SIZE])
        return _merged(calls, news)


class ThemeAtomFeed(ThemeRssFeed):
    feed_type = Atom1Feed

    def subtitle(self, obj: Theme) -> str:
        return self.description(obj)


class FilterRssFeed(ItemsFeed):
    """The calls the /bandi/ list shows for the query string of this feed's address, newest first."""

    def get_object(self, request: HttpRequest) -> str:
        query = request.META.get("QUERY_STRING", "")
        try:
            selectors.filter_cleaned(query)
        except selectors.BadFilter as error:
            raise Http404(str(error)) from None
        return query

    def title(self, obj: str) -> str:
        return _("Funding calls of a saved filter")

    def link(self, obj: str) -> str:
        return f"{reverse('calls:list')}?{obj}" if obj else reverse("calls:list")

    def description(self, obj: str) -> str:
        return _("The calls the list of calls shows for these filters, newest first.")

    def items(self, obj: str) -> list[Item]:
        calls = selectors.filter_calls(query=obj).order_by("-published_at", "-pk")
        return list(calls[: selectors.FEED_SIZE])


class FilterAtomFeed(FilterRssFeed):
    feed_type = Atom1Feed

    def subtitle(self, obj: str) -> str:
        return self.description(obj)


class NewsRssFeed(ItemsFeed):
    def title(self) -> str:
        return _("News of the lab")

    def link(self) -> str:
        return reverse("alerts:news-list")

    def description(self) -> str:
        return _("News and initiatives of the lab.")

    def items(self) -> list[Any]:
        return list(selectors.news_list()[: selectors.FEED_SIZE])
