from django.urls import path

from actions import views

app_name = "actions"
urlpatterns = [
    path("", views.ActionListView.as_view(), name="list"),
    path("<int:pk>/", views.ActionDetailView.as_view(), name="detail"),
]
