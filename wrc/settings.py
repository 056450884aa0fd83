"""Settings for wrc, read from the environment (django-environ).

With no environment set the product runs on the embedded defaults: SQLite in ``var/`` and a
filesystem Celery broker in ``var/broker/``, so a newcomer needs no server. ``DATABASE_URL`` and
``CELERY_BROKER_URL`` switch it to PostgreSQL and Redis. Production hardening lives in
``wrc.settings_production``.
"""

from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("WRC_VAR_DIR", default=str(BASE_DIR / "var")))

env = environ.Env(
    DEBUG=(bool, True),
    ALLOWED_HOSTS=(list, ["localhost", "127.0.0.1", "[::1]", "testserver"]),
)
environ.Env.read_env(BASE_DIR / ".env", overwrite=False) if (BASE_DIR / ".env").exists() else None

DEBUG = env("DEBUG")
# The fallback key is only for the embedded default; production settings refuse to start without it.
SECRET_KEY = env.str("SECRET_KEY", default="insecure-embedded-default-key-change-me-in-production")
ALLOWED_HOSTS = env("ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# True only when running on the embedded defaults (no DATABASE_URL): demo accounts may be created.
EMBEDDED_DEFAULTS = "DATABASE_URL" not in env.ENVIRON

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "crispy_forms",
    "crispy_forms_gds",
    "django_filters",
    "simple_history",
    "axes",
    "csp",
    # Second step at sign-in (directory/two_factor.py): authenticator apps and recovery codes.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "directory",
    "outbox",
    "meetings",
    "actions",
    "hatecrime",
    "correspondence",
    "calendars",
    "exports",
    "reminders",
    "search",
    "imports",
    "progress",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # After sign-in, before any page: the second step, or setting it up where it is required.
    "directory.two_factor.TwoFactorMiddleware",
    "wrc.middleware.SessionExpiryMiddleware",
    "wrc.middleware.PrivacyHeadersMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "wrc.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wrc.context_processors.product",
            ],
        },
    },
]

WSGI_APPLICATION = "wrc.wsgi.application"

VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'wrc.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several processes (web, worker, beat) share the file: wait rather than fail on a lock.
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].setdefault("timeout", 20)
    DATABASES["default"]["OPTIONS"].setdefault("transaction_mode", "IMMEDIATE")
    DATABASES["default"]["OPTIONS"].setdefault(
        "init_command", "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
    )
    # Tests use an in-memory database unless WRC_TEST_DB names a file (the worker tests need a
    # file that a separate worker process can open).
    if env.str("WRC_TEST_DB", default=""):
        DATABASES["default"]["TEST"] = {"NAME": env.str("WRC_TEST_DB")}
# Persistent connections: opening a PostgreSQL connection per request cost more than a whole
# hello-world page (issue 13: the floor rose from 275 to 995 requests a second). The health
# check replaces a connection the server has dropped before a request uses it. 0 turns it off.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = env.bool("CONN_HEALTH_CHECKS", default=True)
if DATABASES["default"]["CONN_MAX_AGE"] < 0:
    raise ImproperlyConfigured("CONN_MAX_AGE must be 0 (a connection per request) or more seconds")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    # Login throttling: django-axes locks out repeated failed sign-ins.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Lock-out is per (username, address): a stranger elsewhere cannot lock a member out. The
# handler adds a wider limit per address across usernames, against password spraying.
AXES_HANDLER = "wrc.lib.throttling.SignInHandler"
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
SIGN_IN_ADDRESS_FAILURE_LIMIT = env.int("SIGN_IN_ADDRESS_FAILURE_LIMIT", default=20)
AXES_COOLOFF_TIME = env.int("AXES_COOLOFF_HOURS", default=1)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# A fixed pause: more wrong passwords during it do not keep the owner out for longer.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# Behind TLS proxies, each appends the address it saw to X-Forwarded-For (wrc/lib/client_ip.py).
TRUSTED_PROXIES = env.int("TRUSTED_PROXIES", default=0)
if TRUSTED_PROXIES < 0:
    raise ImproperlyConfigured("TRUSTED_PROXIES must be 0 or more")
AXES_CLIENT_IP_CALLABLE = "wrc.lib.client_ip.client_ip"
# A locked-out person gets a page in the product's layout saying what happened and what to do.
AXES_LOCKOUT_TEMPLATE = "axes/lockout.html"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Sessions end after inactivity (wrc/middleware.py): officials and the secretariat, who see
# every contact detail, after a working day; members after SESSION_MEMBER_SECONDS.
SESSION_STAFF_SECONDS = env.int("SESSION_STAFF_SECONDS", default=8 * 60 * 60)
SESSION_MEMBER_SECONDS = env.int("SESSION_MEMBER_SECONDS", default=7 * 24 * 60 * 60)
SESSION_COOKIE_AGE = SESSION_STAFF_SECONDS
# Officials, the secretariat and superusers must use a second step at sign-in (an authenticator
# app, or a recovery code); members may turn it on. Off by default with DEBUG, so the embedded
# demo accounts sign in with a password alone; production settings always require it.
MFA_REQUIRED_FOR_STAFF = env.bool("MFA_REQUIRED_FOR_STAFF", default=not DEBUG)
# Password reset links work for a day (Django's default is three).
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT", default=24 * 60 * 60)
# Invitation links (directory/accounts.py) work for a week, once, and only the latest one sent.
INVITATION_TIMEOUT_SECONDS = env.int("INVITATION_TIMEOUT_SECONDS", default=7 * 24 * 60 * 60)
if INVITATION_TIMEOUT_SECONDS <= 0:
    raise ImproperlyConfigured("INVITATION_TIMEOUT_SECONDS must be a positive number of seconds")

# No inline script or style anywhere; the letter preview alone allows the style attributes an
# email needs (correspondence/views.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        # data: for the set-up page's QR code, an inline SVG image (directory/two_factor.py).
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    },
}
PERMISSIONS_POLICY = (
    "accelerometer=(), autoplay=(), camera=(), display-capture=(), geolocation=(), "
    "gyroscope=(), magnetometer=(), microphone=(), midi=(), payment=(), usb=()"
)

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("cy", _("Cymraeg"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# The one home of the date formats pages, emails and downloads use (wrc.lib.dates).
FORMAT_MODULE_PATH = ["wrc.formats"]
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.str("STATIC_ROOT", default=str(VAR_DIR / "staticfiles"))
MEDIA_URL = "/media/"
# Enclosures can be restricted documents: they are stored outside the static tree and only ever
# served through views that check access.
MEDIA_ROOT = env.str("MEDIA_ROOT", default=str(VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

CRISPY_ALLOWED_TEMPLATE_PACKS = ["gds"]
CRISPY_TEMPLATE_PACK = "gds"

# Email: the file backend on the embedded default so a newcomer can read what was sent.
EMAIL_BACKEND = env.str(
    "EMAIL_BACKEND",
    default="django.core.mail.backends.filebased.EmailBackend"
    if EMBEDDED_DEFAULTS
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_FILE_PATH = env.str("EMAIL_FILE_PATH", default=str(VAR_DIR / "sent-email"))
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Wales Race Forum <forum@localhost>")
SITE_URL = env.str("SITE_URL", default="http://localhost:8000")

# Celery: a filesystem broker on the embedded default (no server needed); Redis via the env.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    # kombu's filesystem transport, with messages written atomically (see the module).
    CELERY_BROKER_TRANSPORT = "wrc.lib.filesystem_broker:Transport"
    _broker_dir = VAR_DIR / "broker"
    for _sub in ("queue", "processed", "control"):
        (_broker_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        # Without it kombu keeps exchange bindings in ./control, wherever the worker was started.
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
        # kombu waits this long whenever the worker's prefetch slots are full: at the default
        # (1 s) a worker with two processes sends about two letters a second.
        "polling_interval": env.float("CELERY_BROKER_POLLING_INTERVAL", default=0.1),
    }
# Two deployments (or test runs) sharing one Redis keep apart by using different queue names.
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_TASK_DEFAULT_QUEUE", default="celery")
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {}
# Deadline reminders: one sweep each working-day morning (Welsh bank holidays are skipped by the
# task); the sweep itself decides which reminders are due, so a missed morning is caught up.
REMINDERS = {
    "SEND_AT": env.str("REMINDERS_SEND_AT", default="07:30"),
    "DUE_SOON_DAYS": env.int("REMINDERS_DUE_SOON_DAYS", default=7),
    "DIGEST_WEEKDAY": env.int("REMINDERS_DIGEST_WEEKDAY", default=0),
    "NO_DATE_EVERY_DAYS": env.int("REMINDERS_NO_DATE_EVERY_DAYS", default=28),
    "BEFORE_MEETING_DAYS": env.int("REMINDERS_BEFORE_MEETING_DAYS", default=7),
    "SUMMARY_MAX_LISTED": env.int("REMINDERS_SUMMARY_MAX_LISTED", default=50),
}
try:
    _reminders_at = [int(part) for part in REMINDERS["SEND_AT"].split(":")]
    CELERY_BEAT_SCHEDULE["reminders-sweep"] = {
        "task": "reminders.tasks.send_due_reminders",
        "schedule": crontab(hour=_reminders_at[0], minute=_reminders_at[1], day_of_week="1-5"),
    }
except (ValueError, IndexError) as error:
    raise ImproperlyConfigured(f"REMINDERS_SEND_AT must be HH:MM: {error}") from error
if not 0 <= REMINDERS["DIGEST_WEEKDAY"] <= 4:
    raise ImproperlyConfigured("REMINDERS_DIGEST_WEEKDAY must be 0 (Monday) to 4 (Friday)")
if min(REMINDERS["DUE_SOON_DAYS"], REMINDERS["NO_DATE_EVERY_DAYS"]) < 1:
    raise ImproperlyConfigured(
        "REMINDERS_DUE_SOON_DAYS and REMINDERS_NO_DATE_EVERY_DAYS must be 1+"
    )
# The outbox (every message the product sends): a sweeper re-queues rows whose task was lost and
# marks those stuck in "sending" (the worker died mid-send) as uncertain, for a person to settle.
CELERY_BEAT_SCHEDULE["outbox-sweep"] = {
    "task": "outbox.tasks.sweep_outbox",
    "schedule": env.float("OUTBOX_SWEEP_SECONDS", default=60.0),
}
# Progress returns: each morning, chase the lead organisations whose returns are due within this
# many days or overdue (each stage once per period and organisation, however often it runs).
PROGRESS_RETURN_REMINDER_DAYS = env.int("PROGRESS_RETURN_REMINDER_DAYS", default=7)
CELERY_BEAT_SCHEDULE["progress-return-reminders"] = {
    "task": "progress.tasks.send_progress_return_reminders",
    "schedule": crontab(hour=7, minute=45),
}
OUTBOX_MAX_ATTEMPTS = env.int("OUTBOX_MAX_ATTEMPTS", default=5)
OUTBOX_RETRY_BASE_SECONDS = env.float("OUTBOX_RETRY_BASE_SECONDS", default=60.0)
OUTBOX_SENDING_TIMEOUT_SECONDS = env.int("OUTBOX_SENDING_TIMEOUT_SECONDS", default=600)
OUTBOX_QUEUE_STALE_SECONDS = env.int("OUTBOX_QUEUE_STALE_SECONDS", default=900)

# Uploads (letter enclosures): types and size that are accepted.
ENCLOSURE_MAX_BYTES = env.int("ENCLOSURE_MAX_BYTES", default=10 * 1024 * 1024)
ENCLOSURE_ALLOWED_EXTENSIONS = ["pdf", "docx", "odt", "xlsx", "pptx", "txt", "png", "jpg", "jpeg"]
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Documents brought in by the importers (notes, plans, letters): refused above this size before
# they are read, and any line longer than IMPORT_MAX_LINE_CHARS is refused with its number.
IMPORT_MAX_BYTES = env.int("IMPORT_MAX_BYTES", default=10 * 1024 * 1024)
IMPORT_MAX_LINE_CHARS = env.int("IMPORT_MAX_LINE_CHARS", default=20_000)

FORUM_NAME = env.str("FORUM_NAME", default="Wales Race Forum")
# The service's own name in the header and page titles. An installation holds several forums,
# so it is not any one forum's name; empty means "Forum records" in the reader's language.
SITE_NAME = env.str("SITE_NAME", default="")

# Calendar feed tokens are masked in every log line (wrc/lib/logmask.py), runserver's access
# log included; gunicorn's is masked by its logger class (gunicorn.conf.py).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"feed_tokens": {"()": "wrc.lib.logmask.FeedTokenFilter"}},
    "formatters": {
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        }
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["feed_tokens"]},
        "django.server": {
            "class": "logging.StreamHandler",
            "formatter": "django.server",
            "filters": ["feed_tokens"],
        },
    },
    "loggers": {
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="WARNING")},
}
