"""Editing pages for the directory, added to directory.urls (namespace "directory").

"add/…" rather than "organisations/add/": the latter would be read as an organisation's slug.
"""

from django.urls import path

from directory import editing_views as views

urlpatterns = [
    path("add/organisation/", views.OrganisationCreateView.as_view(), name="organisation_add"),
    path(
        "organisations/<slug:slug>/edit/",
        views.OrganisationUpdateView.as_view(),
        name="organisation_edit",
    ),
    path(
        "organisations/<slug:slug>/merge/",
        views.OrganisationMergeView.as_view(),
        name="organisation_merge",
    ),
    path(
        "organisations/<slug:slug>/archive/",
        views.OrganisationArchiveView.as_view(),
        name="organisation_archive",
    ),
    path(
        "organisations/<slug:slug>/restore/",
        views.OrganisationRestoreView.as_view(),
        name="organisation_restore",
    ),
    path("add/person/", views.PersonCreateView.as_view(), name="person_add"),
    path("people/<int:pk>/edit/", views.PersonUpdateView.as_view(), name="person_edit"),
    path("people/<int:pk>/archive/", views.PersonArchiveView.as_view(), name="person_archive"),
    path("people/<int:pk>/restore/", views.PersonRestoreView.as_view(), name="person_restore"),
]
