"""The audit record officials read: sign-in, invitations, two-step sign-in, exports, letters."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("directory", "0005_search_vector"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="AuditEvent",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "at",
                    models.DateTimeField(default=django.utils.timezone.now, verbose_name="when"),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("sign_in", "Signed in"),
                            ("sign_in_failed", "Sign-in failed"),
                            ("sign_out", "Signed out"),
                            ("invitation_sent", "Invitation sent"),
                            ("invitation_accepted", "Invitation accepted"),
                            ("two_factor_set_up", "Two-step sign-in set up"),
                            ("two_factor_reset", "Two-step sign-in reset"),
                            ("two_factor_off", "Two-step sign-in turned off"),
                            ("contacts_exported", "Contacts exported"),
                            ("letter_sent", "Letter sent"),
                        ],
                        max_length=32,
                        verbose_name="what",
                    ),
                ),
                (
                    "actor_name",
                    models.CharField(blank=True, max_length=150, verbose_name="account"),
                ),
                ("detail", models.CharField(blank=True, max_length=500, verbose_name="detail")),
                (
                    "ip_address",
                    models.GenericIPAddressField(blank=True, null=True, verbose_name="address"),
                ),
                (
                    "actor",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="who",
                    ),
                ),
                (
                    "forum",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        to="directory.forum",
                        verbose_name="forum",
                    ),
                ),
                (
                    "subject",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="directory.person",
                        verbose_name="person concerned",
                    ),
                ),
            ],
            options={
                "verbose_name": "audit event",
                "verbose_name_plural": "audit events",
                "ordering": ["-at", "-pk"],
                "indexes": [
                    models.Index(fields=["-at", "-id"], name="directory_audit_newest"),
                    models.Index(fields=["kind", "-at", "-id"], name="directory_audit_kind_newest"),
                ],
            },
        ),
    ]
