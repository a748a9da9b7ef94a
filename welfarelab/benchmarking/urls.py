"""Pages under /profili/ (names under `benchmarking:`)."""

from django.urls import path  # noqa: F401

app_name = "benchmarking"

urlpatterns: list = []
