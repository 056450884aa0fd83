"""Create the product's roles as Django groups. Safe to run again."""

from django.contrib.auth.models import Group, Permission
from django.core.management.base import BaseCommand

from wrc import access

# Officials edit every record, also through the admin: they hold every model permission of the
# product's own apps. The other roles' rights come from wrc.access, not from permissions.
PRODUCT_APPS = ("directory", "meetings", "actions", "hatecrime", "correspondence")


def setup_roles() -> dict[str, bool]:
    """Ensure the three role groups exist; returns {group name: created now}."""
    created = {}
    for name in access.GROUPS:
        _group, created[name] = Group.objects.get_or_create(name=name)
    officials = Group.objects.get(name=access.OFFICIALS)
    officials.permissions.add(*Permission.objects.filter(content_type__app_label__in=PRODUCT_APPS))
    return created


class Command(BaseCommand):
    help = (
        'Create the role groups "Officials", "Secretariat" and "Forum members" and give '
        "officials every permission on the product's records. Idempotent."
    )

    def handle(self, *args, **options):
        for name, was_created in setup_roles().items():
            state = "created" if was_created else "already present"
            self.stdout.write(f"Role group {name!r}: {state}")
