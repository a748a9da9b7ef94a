from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TerritoriesConfig(AppConfig):
    name = "welfarelab.territories"
    label = "territories"
    verbose_name = _("Territories")
