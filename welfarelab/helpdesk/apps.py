from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HelpdeskConfig(AppConfig):
    name = "welfarelab.helpdesk"
    label = "helpdesk"
    verbose_name = _("Third Sector help desk")
