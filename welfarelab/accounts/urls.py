from django.urls import path

from welfarelab.accounts import views

app_name = "accounts"
urlpatterns: list = []
