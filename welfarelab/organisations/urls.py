from django.urls import path

from welfarelab.organisations import views

app_name = "organisations"
urlpatterns: list = []
