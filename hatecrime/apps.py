from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HatecrimeConfig(AppConfig):
    name = "hatecrime"
    verbose_name = _("Hate crime delivery plan")
