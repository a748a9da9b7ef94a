from django.urls import path

from welfarelab.territories import views

app_name = "territories"
urlpatterns: list = []
