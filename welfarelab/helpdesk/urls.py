"""The Third Sector help desk under /sportello/ (names under `helpdesk:`)."""

from django.urls import path

from welfarelab.helpdesk import search_views, views

app_name = "helpdesk"

urlpatterns = [
    path("", views.home, name="home"),
    path("cerca/", search_views.search, name="search"),
    path("suggerimenti/", search_views.suggest, name="suggest"),  # the search engine's (welfarelab.search)
    path("temi/", views.theme_index, name="theme-index"),
    path("temi/<slug:slug>/", views.theme_detail, name="theme-detail"),
    path("tag/<slug:slug>/", views.tag_detail, name="tag-detail"),
    path("revisione/", views.review_queue, name="review-queue"),
    path("articoli/<slug:code>/", views.article_detail, name="article-detail"),
    path("articoli/<slug:code>/utile/", views.article_feedback, name="article-feedback"),
    path("articoli/<slug:code>/revisionato/", views.article_review, name="article-review"),
]
