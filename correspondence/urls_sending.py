"""Composing, sending and the outbox; added to the "correspondence" namespace in urls.py."""

from django.urls import path

from correspondence import compose_views as views

urlpatterns = [
    path("compose/", views.compose, name="compose"),
    path("drafts/<int:pk>/", views.draft, name="draft"),
    path("drafts/<int:pk>/enclosures/", views.enclosure_add, name="draft_enclosure_add"),
    path(
        "drafts/<int:pk>/enclosures/<int:enclosure_pk>/remove/",
        views.enclosure_remove,
        name="draft_enclosure_remove",
    ),
    path("drafts/<int:pk>/preview/", views.preview, name="draft_preview"),
    path("drafts/<int:pk>/send/", views.send, name="draft_send"),
    path("outbox/", views.outbox, name="outbox"),
    path("outbox/<int:pk>/", views.outbox_letter, name="outbox_letter"),
    # Resending failed copies, and recording uncertain ones as arrived or sending them again.
    path("outbox/<int:pk>/settle/", views.outbox_settle, name="outbox_settle"),
]
