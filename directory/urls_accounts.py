"""Account changes from a person's page, added to directory.urls (namespace "directory").
The page where an invited person chooses their password is public: wrc/site_urls.py."""

from django.urls import path

from directory import account_views as views
from directory import two_factor_views

urlpatterns = [
    path("people/invite/", views.people_invite, name="people_invite"),
    path("people/<int:pk>/invite/", views.person_invite, name="person_invite"),
    path("people/<int:pk>/deactivate/", views.person_deactivate, name="person_deactivate"),
    path("people/<int:pk>/reactivate/", views.person_reactivate, name="person_reactivate"),
    path(
        "people/<int:pk>/two-step/reset/",
        two_factor_views.person_reset,
        name="person_two_factor_reset",
    ),
]
