from django.urls import path

from progress import views

app_name = "progress"
urlpatterns = [
    path("", views.DueView.as_view(), name="due"),
    path("<str:period>/", views.RollupView.as_view(), name="rollup"),
    path(
        "<str:period>/<str:reference>/return/",
        views.ReturnEditView.as_view(),
        name="return_edit",
    ),
    path(
        "<str:period>/<str:reference>/review/",
        views.ReturnReviewView.as_view(),
        name="return_review",
    ),
]
