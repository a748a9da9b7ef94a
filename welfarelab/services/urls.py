"""Pages under /servizi/ (names under `services:`)."""

from django.urls import path

from welfarelab.services import views

app_name = "services"

urlpatterns = [
    path("", views.services_index, name="index"),
    path("catalogo/", views.catalogue, name="catalogue"),
    path("leps/", views.leps_index, name="leps"),
    path("leps/<str:kind>/<str:code>/", views.leps_territory, name="leps-territory"),
    path("dichiarazioni/", views.declarations_start, name="declarations-start"),
    # Before <kind>/<code>/<year>/, which would not match "importa" anyway, but reads first.
    path("dichiarazioni/importa/", views.supply_import, name="import"),
    path("dichiarazioni/importa/modello.xlsx", views.supply_template, name="template"),
    path("dichiarazioni/<str:kind>/<str:code>/<int:year>/", views.declarations, name="declarations"),
    path(
        "dichiarazioni/<str:kind>/<str:code>/<int:year>/<slug:service>/elimina/",
        views.declaration_remove,
        name="declaration-remove",
    ),
]
