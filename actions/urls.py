from django.urls import path

from actions import editing_views, member_views, views

app_name = "actions"
urlpatterns = [
    path("", views.ActionListView.as_view(), name="list"),
    path("mine/", member_views.MyActionsView.as_view(), name="mine"),
    path("download.<str:fmt>", views.action_export, name="export"),
    path("<int:pk>/", views.ActionDetailView.as_view(), name="detail"),
    path("<int:pk>/update/", member_views.ActionProgressView.as_view(), name="update"),
    path("<int:pk>/remove/", editing_views.ActionRemoveView.as_view(), name="remove"),
]
