"""Editing pages for the delivery plan, added to hatecrime.urls (namespace "hatecrime").

Every path has at least three segments so that none is taken for "<period>/<reference>/".
"""

from django.urls import path

from hatecrime import editing_views as views

urlpatterns = [
    path(
        "manage/<str:period>/structure/", views.PlanStructureView.as_view(), name="plan_structure"
    ),
    path("manage/<str:period>/edit/", views.PlanEditView.as_view(), name="plan_edit"),
    path("manage/<str:period>/copy/", views.PlanCopyView.as_view(), name="plan_copy"),
    path(
        "manage/<str:period>/objectives/add/",
        views.ObjectiveCreateView.as_view(),
        name="objective_add",
    ),
    path(
        "manage/<str:period>/objectives/<int:pk>/edit/",
        views.ObjectiveUpdateView.as_view(),
        name="objective_edit",
    ),
    path(
        "manage/<str:period>/objectives/<int:pk>/delete/",
        views.ObjectiveDeleteView.as_view(),
        name="objective_delete",
    ),
    path("manage/<str:period>/areas/add/", views.AreaCreateView.as_view(), name="area_add"),
    path(
        "manage/<str:period>/areas/<int:pk>/edit/",
        views.AreaUpdateView.as_view(),
        name="area_edit",
    ),
    path(
        "manage/<str:period>/areas/<int:pk>/delete/",
        views.AreaDeleteView.as_view(),
        name="area_delete",
    ),
    path("manage/<str:period>/actions/add/", views.ActionCreateView.as_view(), name="action_add"),
    path(
        "manage/<str:period>/actions/<str:reference>/edit/",
        views.ActionUpdateView.as_view(),
        name="action_edit",
    ),
    path(
        "manage/<str:period>/actions/<str:reference>/delete/",
        views.ActionDeleteView.as_view(),
        name="action_delete",
    ),
]
