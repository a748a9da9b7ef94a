"""The public REST API, version 1: `/api/v1/`, OpenAPI document at `/api/v1/openapi.json`.

The interactive documentation at `/api/v1/docs` is Swagger UI served from ninja's own static files,
with no remote call (see `docs.OfflineSwagger`).
"""

from ninja import NinjaAPI

from welfarelab.api.v1.calls import organisation_router as organisation_calls_router
from welfarelab.api.v1.calls import router as calls_router
from welfarelab.api.v1.docs import OfflineSwagger
from welfarelab.api.v1.errors import install_error_handlers
from welfarelab.api.v1.indicators import router as indicators_router
from welfarelab.api.v1.kb import router as kb_router
from welfarelab.api.v1.kb_search import router as kb_search_router
from welfarelab.api.v1.observations import router as observations_router
from welfarelab.api.v1.organisations import router as organisations_router
from welfarelab.api.v1.practices import router as practices_router
from welfarelab.api.v1.profiles import router as profiles_router
from welfarelab.api.v1.questions import router as questions_router
from welfarelab.api.v1.territories import router as territories_router

api = NinjaAPI(
    title="welfarelab API",
    version="1",
    description=(
        "Open data of the Laboratorio Locale di Innovazione del Welfare: territories, population, "
        "organisations, indicators. Every list answers `?format=csv|xlsx|json`: JSON gives one page "
        "(`count`, `page`, `pages`, `results`), CSV and XLSX the whole filtered list as a download. "
        'Errors are JSON: `{"detail": "…"}` for 401, 403 and 404, '
        '`{"detail": [{"type", "loc", "msg"}]}` for 422.'
    ),
    urls_namespace="api-v1",
    docs=OfflineSwagger(),
)
install_error_handlers(api)
api.add_router("/territories", territories_router)
api.add_router("/territories", profiles_router)
# GET /organisations/{id}/matching-calls: its own router, before the organisations' /{id} routes.
api.add_router("/organisations", organisation_calls_router)
api.add_router("/organisations", organisations_router)
api.add_router("/calls", calls_router)
api.add_router("/practices", practices_router)
api.add_router("/indicators", observations_router)  # POST /indicators/observations, before /{code}
api.add_router("/indicators", indicators_router)
api.add_router("/kb", kb_search_router)  # GET /kb/search
api.add_router("/kb", kb_router)
api.add_router("/helpdesk/questions", questions_router)
