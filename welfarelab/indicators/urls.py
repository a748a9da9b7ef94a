from django.urls import path

from welfarelab.indicators import import_views, views

app_name = "indicators"

urlpatterns = [
    path("", views.indicator_list, name="list"),
    # Before <slug:code>/, which "importa" would match.
    path("importa/", import_views.observations_import_view, name="import"),
    path("importa/modello.xlsx", import_views.observations_template_view, name="template"),
    path("<slug:code>/", views.indicator_detail, name="detail"),
]
