from django.urls import path

from welfarelab.territories import import_views, views

app_name = "territories"
urlpatterns = [
    path("cerca/", views.search, name="search"),
    path("suggerimenti/", views.suggest, name="suggest"),
    path("ambiti/importa/", import_views.ambiti_import_view, name="ambiti-import"),
    path("<str:kind>/<str:code>/", views.detail, name="detail"),
]
