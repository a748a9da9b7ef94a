"""Data-collection rounds under /rilevazioni/ (names under `rounds:`)."""

from django.urls import path

from welfarelab.rounds import views

app_name = "rounds"

urlpatterns = [
    path("", views.round_list, name="round-list"),
    path("nuova/", views.round_create, name="round-create"),
    path("mie/", views.my_rounds, name="my-rounds"),
    path("<int:pk>/", views.round_board, name="round-board"),
    path("<int:pk>/modifica/", views.round_update, name="round-update"),
    path("<int:pk>/apri/", views.round_open, name="round-open"),
    path("<int:pk>/chiudi/", views.round_close, name="round-close"),
    path("<int:pk>/solleciti/", views.round_remind, name="round-remind"),
    path("<int:pk>/membri/", views.round_members, name="round-members"),
    path("<int:pk>/membri/<int:member_pk>/rimuovi/", views.round_member_remove, name="round-member-remove"),
    path("<int:pk>/enti/<int:organisation_pk>/", views.member_page, name="member"),
    path("<int:pk>/enti/<int:organisation_pk>/modello.xlsx", views.member_template, name="member-template"),
    path("<int:pk>/enti/<int:organisation_pk>/carica/", views.member_upload, name="member-upload"),
]
