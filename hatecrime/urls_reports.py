"""Delivery plan downloads, added to ``hatecrime.urls``. Three path segments each, so they never
meet the plan's ``<period>/<reference>/`` action pages."""

from django.urls import path

from hatecrime import report_views

urlpatterns = [
    path("<str:period>/reports/download/", report_views.plan_downloads, name="plan_downloads"),
    path("<str:period>/reports/plan.<str:fmt>", report_views.plan_export, name="plan_export"),
]
