from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from welfarelab.api.v1 import api as api_v1

admin.site.site_header = settings.WELFARELAB_LAB_NAME
admin.site.site_title = "welfarelab"

urlpatterns = [
    path("api/v1/", api_v1.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    *i18n_patterns(
        path("", include("welfarelab.core.urls")),
        path("territori/", include("welfarelab.territories.urls")),
        path("organizzazioni/", include("welfarelab.organisations.urls")),
        path("indicatori/", include("welfarelab.indicators.urls")),
        path("rilevazioni/", include("welfarelab.rounds.urls")),
        path("sportello/", include("welfarelab.helpdesk.urls")),
        path("servizi/", include("welfarelab.services.urls")),
        path("profili/", include("welfarelab.benchmarking.urls")),
        path("buone-pratiche/", include("welfarelab.practices.urls")),
        path("bandi/", include("welfarelab.calls.urls")),
        path("avvisi/", include("welfarelab.alerts.urls")),
        path("account/", include("welfarelab.accounts.urls")),
        path("admin/", admin.site.urls),
        prefix_default_language=False,
    ),
]

# The 500 page inside the site's shell, without the session or the database (see core.views).
handler500 = "welfarelab.core.views.server_error"
