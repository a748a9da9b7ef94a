"""Community profiles and peer groups under /profili/ (names under `benchmarking:`)."""

from django.urls import path

from welfarelab.benchmarking import indicator_views, map_views, peer_views, views

app_name = "benchmarking"

urlpatterns = [
    path("gruppi-di-confronto/", peer_views.peer_settings, name="peer-settings"),
    path("<str:kind>/<str:code>/", views.profile, name="profile"),
    path("<str:kind>/<str:code>/pdf/", views.profile_pdf, name="profile-pdf"),
    path("<str:kind>/<str:code>/dati.<str:fmt>", views.profile_export, name="profile-export"),
    path("<str:kind>/<str:code>/confronto/", peer_views.peers, name="peers"),
    path(
        "<str:kind>/<str:code>/indicatori/<slug:indicator>/",
        indicator_views.profile_indicator,
        name="indicator",
    ),
    path(
        "<str:kind>/<str:code>/indicatori/<slug:indicator>/mappa.json",
        map_views.indicator_map,
        name="indicator-map",
    ),
]
