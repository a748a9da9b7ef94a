from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HelpdeskConfig(AppConfig):
    name = "welfarelab.helpdesk"
    label = "helpdesk"
    verbose_name = _("Third Sector help desk")

    def ready(self) -> None:
        from welfarelab.helpdesk import checks  # noqa: F401 - registers the system checks
