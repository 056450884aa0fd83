from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("wrc.site_urls")),
    path("meetings/", include("meetings.urls")),
    path("actions/", include("actions.urls")),
    path("plan/", include("hatecrime.urls")),
    path("directory/", include("directory.urls")),
    path("letters/", include("correspondence.urls")),
    path("calendar/", include("calendars.urls")),
    path("exports/", include("exports.urls")),
]
