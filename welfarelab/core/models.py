"""Shared model parts: timestamps and the ISTAT code field."""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

istat_code_validator = RegexValidator(
    regex=r"^[0-9]{1,6}$|^[A-Z0-9]{1,12}$",
    message=_("An ISTAT code is made of digits, kept as text with its leading zeros (e.g. 058091)."),
)


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True
