"""Pages and feeds under /avvisi/ (names under `alerts:`)."""

from django.urls import path

from welfarelab.alerts import calendars, feeds, views

app_name = "alerts"

urlpatterns = [
    path("", views.index, name="index"),
    path("iscrizione-inviata/", views.requested, name="requested"),
    path("conferma/<str:token>/", views.confirm, name="confirm"),
    path("gestisci/<str:token>/", views.manage, name="manage"),
    path("disiscrivi/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("salva/<str:token>/", views.save_call, name="save-call"),
    path("silenzia/<str:token>/", views.mute_call, name="mute-call"),
    path("notizie/", views.news_list, name="news-list"),
    path("notizie/nuova/", views.news_create, name="news-create"),
    path("notizie/<int:pk>/", views.news_detail, name="news-detail"),
    path("consegne/", views.deliveries, name="deliveries"),
    path("consegne/<int:pk>/riprova/", views.delivery_retry, name="delivery-retry"),
    path("feed/tema/<slug:slug>/rss/", feeds.ThemeRssFeed(), name="theme-rss"),
    path("feed/tema/<slug:slug>/atom/", feeds.ThemeAtomFeed(), name="theme-atom"),
    path("feed/filtro/rss/", feeds.FilterRssFeed(), name="filter-rss"),
    path("feed/filtro/atom/", feeds.FilterAtomFeed(), name="filter-atom"),
    path("feed/notizie/rss/", feeds.NewsRssFeed(), name="news-rss"),
    path("calendario.ics", calendars.deadlines_calendar, name="calendar"),
]
