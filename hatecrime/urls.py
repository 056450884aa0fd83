from django.urls import path

from hatecrime import urls_editing, urls_reports, views

app_name = "hatecrime"
urlpatterns = [
    path("", views.PlanListView.as_view(), name="plan_list"),
    path("<str:period>/", views.PlanDetailView.as_view(), name="plan_detail"),
    path(
        "<str:period>/<str:reference>/", views.PlanActionDetailView.as_view(), name="action_detail"
    ),
]
urlpatterns += urls_editing.urlpatterns
urlpatterns += urls_reports.urlpatterns
