from django.urls import path

from imports import views

app_name = "imports"

urlpatterns = [
    path("", views.ImportListView.as_view(), name="list"),
    path("new/", views.UploadView.as_view(), name="upload"),
    path("<int:pk>/", views.ReviewView.as_view(), name="review"),
    path("<int:pk>/commit/", views.CommitView.as_view(), name="commit"),
    path("<int:pk>/undo/", views.UndoView.as_view(), name="undo"),
    path("<int:pk>/discard/", views.DiscardView.as_view(), name="discard"),
]
