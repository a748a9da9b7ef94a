"""Pages under /buone-pratiche/ (names under `practices:`)."""

from django.urls import path

from welfarelab.practices import views

app_name = "practices"

# Fixed paths come first: services.RESERVED_SLUGS keeps practices from taking their names.
urlpatterns = [
    path("", views.practice_list_view, name="list"),
    path("proponi/", views.practice_propose, name="propose"),
    path("revisione/", views.review_queue, name="review-queue"),
    path("mie/", views.my_practices, name="mine"),
    path("<slug:slug>/", views.practice_detail, name="detail"),
    path("<slug:slug>/modifica/", views.practice_update, name="update"),
    path("<slug:slug>/ripresenta/", views.practice_resubmit, name="resubmit"),
    path("<slug:slug>/revisione/inizia/", views.practice_start_review, name="start-review"),
    path("<slug:slug>/revisione/decisione/", views.practice_decide, name="decide"),
    path("<slug:slug>/ritira/", views.practice_withdraw, name="withdraw"),
    path("<slug:slug>/allegati/<int:pk>/", views.practice_attachment, name="attachment"),
]
