from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RoundsConfig(AppConfig):
    name = "welfarelab.rounds"
    label = "rounds"
    verbose_name = _("Data-collection rounds")

    def ready(self) -> None:
        from welfarelab.rounds import checks  # noqa: F401 - registers the system checks
