from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

urlpatterns = [
    path("admin/", admin.site.urls),
    # Public, so the language switch also works on the sign-in page and the accessibility statement.
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("", include("wrc.site_urls")),
    path("accounts/two-step/", include("directory.urls_two_factor")),
    path("meetings/", include("meetings.urls")),
    path("actions/", include("actions.urls")),
    path("plan/", include("hatecrime.urls")),
    path("directory/", include("directory.urls")),
    path("letters/", include("correspondence.urls")),
    path("calendar/", include("calendars.urls")),
    path("exports/", include("exports.urls")),
    path("search/", include("search.urls")),
    path("imports/", include("imports.urls")),
    path("progress/", include("progress.urls")),
    path("outbox/", include("outbox.urls")),
]
