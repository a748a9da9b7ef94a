"""Pages under /bandi/ (names under `calls:`)."""

from django.urls import path

from welfarelab.calls import views

app_name = "calls"

urlpatterns = [
    path("", views.call_list, name="list"),
    path("nuovo/", views.call_create, name="create"),
    path("importazioni/", views.import_run_list, name="import-runs"),
    path("<int:pk>/", views.call_detail, name="detail"),
    path("<int:pk>/modifica/", views.call_update, name="update"),
    path("<int:pk>/rilascia/", views.call_release, name="release"),
    path("organizzazioni/<int:pk>/", views.organisation_matches, name="organisation-matches"),
    path("organizzazioni/<int:pk>/temi/", views.organisation_themes, name="organisation-themes"),
]
