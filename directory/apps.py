from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DirectoryConfig(AppConfig):
    name = "directory"
    verbose_name = _("Directory of organisations and people")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from directory import audit
        from wrc.middleware import session_expiry_on_sign_in

        # Session lifetimes depend on the roles kept here (wrc/access.py).
        user_logged_in.connect(session_expiry_on_sign_in, dispatch_uid="wrc-session-expiry")
        # Sign-in, failed sign-in and signing out go to the audit record officials read.
        audit.connect_signals()
