"""The Third Sector help desk under /sportello/ (names under `helpdesk:`)."""

from django.urls import path

from welfarelab.helpdesk import question_views, search_views, views

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
    path("articoli/<slug:code>/pubblica/", question_views.article_publish, name="article-publish"),
    # Questions to the desk (question_views).
    path("domande/", question_views.question_queue, name="question-queue"),
    path("domande/nuova/", question_views.question_new, name="question-new"),
    path("domande/simili/", question_views.question_similar, name="question-similar"),
    path("domande/mie/", question_views.my_questions, name="my-questions"),
    path("domande/verifica/", question_views.question_verify_request, name="question-verify-request"),
    path("domande/verifica/<str:token>/", question_views.question_verify, name="question-verify"),
    path("domande/<str:reference>/", question_views.question_detail, name="question-detail"),
    path("domande/<str:reference>/prendi/", question_views.question_take, name="question-take"),
    path("domande/<str:reference>/risposta/", question_views.question_reply, name="question-reply"),
    path("domande/<str:reference>/chiudi/", question_views.question_close, name="question-close"),
    path("domande/<str:reference>/rispondi/", question_views.question_answer, name="question-answer"),
    path("domande/<str:reference>/allegato/", question_views.question_attachment, name="question-attachment"),
    path("domande/<str:reference>/articolo/", question_views.question_article, name="question-article"),
]
