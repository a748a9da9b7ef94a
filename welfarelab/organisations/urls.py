from django.urls import path

from welfarelab.organisations import views

app_name = "organisations"
urlpatterns = [
    path("", views.organisation_list_view, name="list"),
    path("<int:pk>/", views.organisation_detail, name="detail"),
    path("<int:pk>/modifica/", views.organisation_update, name="update"),
    path("<int:pk>/membri/", views.organisation_members_view, name="members"),
    path("<int:pk>/membri/<int:membership_pk>/ruolo/", views.membership_role_update, name="member-role"),
    path("<int:pk>/membri/<int:membership_pk>/rimuovi/", views.membership_delete, name="member-remove"),
]
