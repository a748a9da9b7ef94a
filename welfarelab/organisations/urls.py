from django.urls import path

from welfarelab.organisations import views

app_name = "organisations"
urlpatterns = [
    path("", views.organisation_list, name="list"),
]
