"""Two-step sign-in pages of the signed-in person (directory/two_factor_views.py), included
under accounts/two-step/ by wrc/urls.py. An official's reset of someone else's is on the
person's page: directory/urls_accounts.py."""

from django.urls import path

from directory import two_factor_views as views

app_name = "two_factor"
urlpatterns = [
    path("", views.manage, name="manage"),
    path("verify/", views.verify, name="verify"),
    path("set-up/", views.set_up, name="set_up"),
    path("recovery-codes/", views.recovery_codes, name="recovery_codes"),
    path("recovery-codes/new/", views.recovery_codes_renew, name="recovery_codes_renew"),
    path("turn-off/", views.turn_off, name="turn_off"),
]
