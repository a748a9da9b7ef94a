"""The public REST API, version 1: `/api/v1/`, OpenAPI document at `/api/v1/openapi.json`."""

from ninja import NinjaAPI

from welfarelab.api.v1.errors import install_error_handlers
from welfarelab.api.v1.organisations import router as organisations_router
from welfarelab.api.v1.territories import router as territories_router

api = NinjaAPI(
    title="welfarelab API",
    version="1",
    description=(
        "Open data of the Laboratorio Locale di Innovazione del Welfare: territories, population, "
        "organisations. Every list answers `?format=csv|xlsx|json`."
    ),
    urls_namespace="api-v1",
)
install_error_handlers(api)
api.add_router("/territories", territories_router)
api.add_router("/organisations", organisations_router)
