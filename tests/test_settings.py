"""Settings come from the environment; production refuses to start without a secret key."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _run(env: dict[str, str], code: str) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "WELFARELAB_", "DATABASE_URL"))
    }
    return subprocess.run(
        [sys.executable, "-c", code],
        env={**clean, "DJANGO_SETTINGS_MODULE": "welfarelab.settings", **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_production_without_a_secret_key_stops_with_a_clear_message():
    result = _run({"WELFARELAB_ENV": "production"}, "import django; django.setup()")

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr


def test_production_turns_debug_off_whatever_the_environment_says():
    result = _run(
        {
            "WELFARELAB_ENV": "production",
            "DJANGO_SECRET_KEY": "x" * 50,
            "DJANGO_DEBUG": "true",
            "DJANGO_ALLOWED_HOSTS": "welfare.example.org",
        },
        "from django.conf import settings; print(settings.DEBUG, settings.ALLOWED_HOSTS, settings.SESSION_COOKIE_SECURE)",
    )

    assert result.stdout.split() == ["False", "['welfare.example.org']", "True"]


def test_database_and_email_come_from_urls():
    result = _run(
        {
            "DATABASE_URL": "postgres://u:p@db.example.org:5432/welfare",
            "EMAIL_URL": "smtp://mail.example.org:2525",
        },
        "from django.conf import settings; d = settings.DATABASES['default'];"
        "print(d['ENGINE'], d['HOST'], d['NAME'], settings.EMAIL_HOST, settings.EMAIL_PORT)",
    )

    assert result.stdout.split() == [
        "django.db.backends.postgresql",
        "db.example.org",
        "welfare",
        "mail.example.org",
        "2525",
    ]


def test_production_warns_when_email_would_only_be_printed():
    result = _run(
        {
            "WELFARELAB_ENV": "production",
            "DJANGO_SECRET_KEY": "x" * 50,
            "DJANGO_ALLOWED_HOSTS": "a.example.org",
        },
        "import django; django.setup(); from django.core.checks import run_checks;"
        "print([m.id for m in run_checks()])",
    )

    assert "welfarelab.W002" in result.stdout
