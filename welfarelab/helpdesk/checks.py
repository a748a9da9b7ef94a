"""System checks of the help desk's questions: settings that would break due dates, uploads or retention."""

from __future__ import annotations

from typing import Any

import holidays
from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, register

POSITIVE_SETTINGS = (
    "WELFARELAB_QUESTION_DUE_WORKING_DAYS",
    "WELFARELAB_QUESTION_ATTACHMENT_MAX_BYTES",
    "WELFARELAB_QUESTION_LINK_MAX_AGE_DAYS",
    "WELFARELAB_QUESTION_RETENTION_DAYS",
)


@register(Tags.compatibility)
def check_question_settings(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    errors: list[CheckMessage] = []
    for index, name in enumerate(POSITIVE_SETTINGS, start=1):
        value = getattr(settings, name, None)
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            errors.append(
                Error(
                    f"{name} is {value!r}: it must be a whole number, 1 or more.",
                    hint=f"Set {name} in the environment (see .env.example).",
                    id=f"helpdesk.E00{index}",
                )
            )
    subdivision = getattr(settings, "WELFARELAB_HOLIDAYS_SUBDIVISION", "")
    if subdivision and subdivision not in holidays.IT.subdivisions:
        errors.append(
            Error(
                f"WELFARELAB_HOLIDAYS_SUBDIVISION is {subdivision!r}: it must be empty or the code of an "
                "Italian province as the `holidays` package spells it (RM, MI, TO…).",
                hint="Leave it empty to count the national holidays only.",
                id="helpdesk.E005",
            )
        )
    return errors
