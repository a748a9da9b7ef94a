"""Settings for welfarelab, read from environment variables with safe local defaults.

Every variable is listed in `.env.example`. In production (`WELFARELAB_ENV=production`)
DEBUG is off and a missing `DJANGO_SECRET_KEY` stops the start with a clear message.
"""

from __future__ import annotations

import sys
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"  # local state: the SQLite file, collected static files, uploads
VAR_DIR.mkdir(exist_ok=True)

env = environ.Env()
if (BASE_DIR / ".env").exists():  # the process environment wins over .env
    env.read_env(BASE_DIR / ".env")

WELFARELAB_ENV = env.str("WELFARELAB_ENV", default="development")
PRODUCTION = WELFARELAB_ENV == "production"
TESTING = "pytest" in sys.modules

if PRODUCTION:
    DEBUG = False
    SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
    if not SECRET_KEY:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. In production (WELFARELAB_ENV=production) the secret key "
            "must come from the environment: generate one with "
            "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`."
        )
else:
    DEBUG = env.bool("DJANGO_DEBUG", default=not TESTING)
    SECRET_KEY = env.str(
        "DJANGO_SECRET_KEY", default="insecure-local-development-key-do-not-use-in-production"
    )

ALLOWED_HOSTS = env.list(
    "DJANGO_ALLOWED_HOSTS", default=[] if PRODUCTION else ["127.0.0.1", "localhost", "[::1]"]
)
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "template_partials",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "welfarelab.core",
    "welfarelab.accounts",
    "welfarelab.territories",
    "welfarelab.organisations",
    "welfarelab.indicators",
    "welfarelab.rounds",
    "welfarelab.helpdesk",
    "welfarelab.services",
    "welfarelab.benchmarking",
    "welfarelab.practices",
    "welfarelab.calls",
    "welfarelab.alerts",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "welfarelab.core.middleware.ApiLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
]

ROOT_URLCONF = "welfarelab.urls"
WSGI_APPLICATION = "welfarelab.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "welfarelab" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "welfarelab.core.context_processors.site",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'welfarelab.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the page server read while a loader writes; the busy timeout waits instead of failing.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;", "timeout": 20}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://welfarelab")}

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "core:home"
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only

LANGUAGE_CODE = "it"
LANGUAGES = [("it", _("Italian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "welfarelab" / "locale"]
TIME_ZONE = "Europe/Rome"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "welfarelab" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media/"

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="welfarelab <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Where the bundled open data lives (see data/README.md).
WELFARELAB_DATA_DIR = Path(env.str("WELFARELAB_DATA_DIR", default=str(BASE_DIR / "data")))
# Shown in the header and footer: the lab that runs this installation.
WELFARELAB_LAB_NAME = env.str("WELFARELAB_LAB_NAME", default="Laboratorio Locale di Innovazione del Welfare")
WELFARELAB_OWNER_NAME = env.str("WELFARELAB_OWNER_NAME", default="welfarelab")
ACCESSIBILITY_STATEMENT_URL = env.str("ACCESSIBILITY_STATEMENT_URL", default="")

# Every asset is served by us: 'self' is enough. Plotly needs inline styles it injects itself.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
    }
}

SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_HTTPONLY = True
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=3600)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

NINJA_PAGINATION_PER_PAGE = 50

# Background work (django-tasks, the backport of Django 6's tasks API): tasks are rows in the database,
# run by `welfarelab db_worker`; the tests run them at once, in the same thread.
TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks.backends.immediate.ImmediateBackend"
            if TESTING
            else "django_tasks_db.DatabaseBackend"
        ),
        "QUEUES": ["default"],
    }
}
# The scheme and host links in emails sent by background tasks start with (no request to ask).
WELFARELAB_SITE_URL = env.str("WELFARELAB_SITE_URL", default="http://localhost:8000")
# Days before a data-collection round's deadline when members with missing data get a reminder.
try:
    WELFARELAB_ROUND_REMINDER_DAYS = [
        int(day) for day in env.list("WELFARELAB_ROUND_REMINDER_DAYS", default=["7", "1"])
    ]
except ValueError:
    raise ImproperlyConfigured(
        "WELFARELAB_ROUND_REMINDER_DAYS must list whole numbers of days separated by commas, e.g. 7,1."
    ) from None

# Questions to the help desk (docs/helpdesk.md). Working days skip weekends and Italian public holidays;
# a province code (RM, MI…) in WELFARELAB_HOLIDAYS_SUBDIVISION adds its patron saint's day.
WELFARELAB_QUESTION_DUE_WORKING_DAYS = env.int("WELFARELAB_QUESTION_DUE_WORKING_DAYS", default=5)
WELFARELAB_HOLIDAYS_SUBDIVISION = env.str("WELFARELAB_HOLIDAYS_SUBDIVISION", default="")
WELFARELAB_QUESTION_ATTACHMENT_MAX_BYTES = env.int(
    "WELFARELAB_QUESTION_ATTACHMENT_MAX_BYTES", default=5 * 1024 * 1024
)
WELFARELAB_QUESTION_LINK_MAX_AGE_DAYS = env.int("WELFARELAB_QUESTION_LINK_MAX_AGE_DAYS", default=7)
# Closed questions are anonymised this many days after closing (`welfarelab anonymise-questions`).
WELFARELAB_QUESTION_RETENTION_DAYS = env.int("WELFARELAB_QUESTION_RETENTION_DAYS", default=365)

# Alerts (docs/alerts.md): email digests, Telegram, feeds; every message leaves through the outbox.
WELFARELAB_ALERT_LINK_MAX_AGE_DAYS = env.int("WELFARELAB_ALERT_LINK_MAX_AGE_DAYS", default=7)  # confirmation
WELFARELAB_ALERT_REMINDER_DAYS = env.int("WELFARELAB_ALERT_REMINDER_DAYS", default=3)  # before a deadline
WELFARELAB_OUTBOX_MAX_ATTEMPTS = env.int("WELFARELAB_OUTBOX_MAX_ATTEMPTS", default=8)
WELFARELAB_OUTBOX_LEASE_SECONDS = env.int("WELFARELAB_OUTBOX_LEASE_SECONDS", default=300)
WELFARELAB_OUTBOX_BATCH = env.int("WELFARELAB_OUTBOX_BATCH", default=50)
# The Telegram bot: empty token = no bot; the API base is a setting so tests use a stub on the loopback.
WELFARELAB_TELEGRAM_TOKEN = env.str("WELFARELAB_TELEGRAM_TOKEN", default="")
WELFARELAB_TELEGRAM_API_BASE = env.str("WELFARELAB_TELEGRAM_API_BASE", default="https://api.telegram.org/bot")
WELFARELAB_TELEGRAM_BOT_NAME = env.str("WELFARELAB_TELEGRAM_BOT_NAME", default="")
