"""The Celery application, wired as the Celery documentation for Django describes."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wrc.settings")

app = Celery("wrc")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
