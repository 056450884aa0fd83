"""Importing and exporting people, and the organisation's main contact; added to directory.urls
(namespace "directory")."""

from django.urls import path

from directory import contact_views as views

urlpatterns = [
    path("people/import/", views.ContactImportView.as_view(), name="contacts_import"),
    path("people/import/check/", views.ContactPreviewView.as_view(), name="contacts_preview"),
    path("people/import/save/", views.ContactCommitView.as_view(), name="contacts_commit"),
    path(
        "forums/<slug:slug>/contacts/",
        views.ContactExportView.as_view(),
        name="contacts_export",
    ),
    path(
        "organisations/<slug:slug>/main-contact/",
        views.OrganisationMainContactView.as_view(),
        name="organisation_main_contact",
    ),
]
