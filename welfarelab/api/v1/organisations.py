"""The directory of organisations: public bodies, partners and Third Sector Entities (ETS).

    GET   /api/v1/organisations?kind=ets&territory=058091&search=anffas&page=1&format=json|csv|xlsx
    GET   /api/v1/organisations/{id}
    PATCH /api/v1/organisations/{id}     (signed in; the organisation's editors and the lab coordinators)

Everybody sees the organisations listed in the public directory; members also see their own unlisted
organisation, coordinators see all (`accounts.permissions.visible_to`). An organisation the user may
not see answers 404, as if it did not exist; one it may see but not change answers 403 to a PATCH.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from django.http import Http404, HttpRequest, HttpResponse
from ninja import P, PathEx, QueryEx, Router, Schema
from ninja.errors import AuthenticationError
from ninja.security import django_auth
from pydantic import ConfigDict, Field, field_validator

from welfarelab.accounts.models import User
from welfarelab.api.v1.common import (
    DEFAULT_PAGE_SIZE,
    DOWNLOAD_RESPONSES,
    FORMAT_DESCRIPTION,
    MAX_PAGE_SIZE,
    PAGE_DESCRIPTION,
    PAGE_SIZE_DESCRIPTION,
    ErrorOut,
    PageSlice,
    TabularFormat,
    ValidationErrorOut,
    export_response,
)
from welfarelab.api.v1.territories import TerritoryKind
from welfarelab.organisations.models import Organisation
from welfarelab.organisations.selectors import (
    organisation_get,
    organisation_get_for_change,
    organisation_list,
)
from welfarelab.organisations.services import organisation_update
from welfarelab.territories.models import Territory

router = Router(tags=["organisations"])

# The values of Organisation.Kind and Organisation.LegalForm (a test keeps them equal).
OrganisationKind = Literal[
    "comune", "ambito", "provincia", "regione", "csv", "universita", "ente_formazione", "ets", "altro"
]
LegalForm = Literal[
    "odv",
    "aps",
    "impresa_sociale",
    "ente_filantropico",
    "rete_associativa",
    "societa_mutuo_soccorso",
    "altro_ets",
    "non_indicata",
]

COMUNE_CODE_PATTERN = r"^[0-9]{6}$"
MAX_ID = 2**63 - 1  # the largest primary key a database can hold
NAME_CANNOT_BE_CLEARED = "An organisation must have a name."


def unknown_comune_message(code: str) -> str:
    return f"No comune with code {code!r}."


class OrganisationListItem(Schema):
    id: int
    kind: OrganisationKind
    name: str
    legal_form: LegalForm | None = Field(description="RUNTS section of an ETS; null for the others.")
    runts_id: str | None
    tax_code: str | None
    territory_kind: TerritoryKind | None = Field(examples=["comune"])
    territory_code: str | None = Field(
        description="ISTAT code of its territory or seat.", examples=["058091"]
    )
    territory_name: str | None = Field(examples=["Roma"])
    website: str | None
    email: str | None
    is_public: bool = Field(description="Listed in the public directory.")

    @staticmethod
    def resolve_territory_kind(obj: Organisation) -> str | None:
        return obj.territory.kind if obj.territory is not None else None

    @staticmethod
    def resolve_territory_code(obj: Organisation) -> str | None:
        return obj.territory.code if obj.territory is not None else None

    @staticmethod
    def resolve_territory_name(obj: Organisation) -> str | None:
        return obj.territory.name if obj.territory is not None else None

    @staticmethod
    def resolve_legal_form(obj: Organisation) -> str | None:
        return obj.legal_form or None

    @staticmethod
    def resolve_runts_id(obj: Organisation) -> str | None:
        return obj.runts_id or None

    @staticmethod
    def resolve_tax_code(obj: Organisation) -> str | None:
        return obj.tax_code or None

    @staticmethod
    def resolve_website(obj: Organisation) -> str | None:
        return obj.website or None

    @staticmethod
    def resolve_email(obj: Organisation) -> str | None:
        return obj.email or None


# The columns of a download (`?format=csv|xlsx`): the fields of OrganisationListItem, as the database has them.
ORGANISATION_EXPORT_PATHS = {
    "id": "id",
    "kind": "kind",
    "name": "name",
    "legal_form": "legal_form",
    "runts_id": "runts_id",
    "tax_code": "tax_code",
    "territory_kind": "territory__kind",
    "territory_code": "territory__code",
    "territory_name": "territory__name",
    "website": "website",
    "email": "email",
    "is_public": "is_public",
}


class OrganisationPage(Schema):
    count: int = Field(description="Organisations in the whole filtered list.")
    page: int
    pages: int = Field(description="Number of pages; at least 1, even for an empty list.")
    results: list[OrganisationListItem]


class OrganisationDetail(OrganisationListItem):
    description: str
    source: str = Field(description="Where the record comes from.", examples=["5x1000_2022"])
    five_per_mille_choices: int | None = Field(description="Taxpayers who chose it for the 5x1000 (2022).")
    five_per_mille_amount: float | None = Field(description="Euros received from the 5x1000 (2022).")
    updated_at: datetime = Field(description="Last change.")

    @staticmethod
    def resolve_five_per_mille_amount(obj: Organisation) -> float | None:
        amount = obj.five_per_mille_amount
        return float(amount) if amount is not None else None


class OrganisationPatch(Schema):
    """The profile fields an organisation's editors may change: send only those that change.

    Text is stripped of surrounding spaces; `null` or `""` clears a field, except the name.
    """

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=300, description="Cannot be cleared.")
    description: str | None = None
    website: str | None = Field(default=None, max_length=200, description="A full address, with https://.")
    email: str | None = Field(default=None, max_length=254)
    legal_form: Literal[LegalForm, ""] | None = Field(default=None, description="Only for an ETS.")
    runts_id: str | None = Field(default=None, max_length=30, description="Number in the RUNTS.")

    @field_validator("name")
    @classmethod
    def name_is_not_cleared(cls, value: str | None) -> str:
        if value is None:
            raise ValueError(NAME_CANNOT_BE_CLEARED)
        return value

    @field_validator("description", "website", "email", "legal_form", "runts_id")
    @classmethod
    def null_clears(cls, value: str | None) -> str:
        return "" if value is None else value


@router.get(
    "",
    response={200: OrganisationPage, 404: ErrorOut, 422: ValidationErrorOut},
    openapi_extra=DOWNLOAD_RESPONSES,
    summary="List organisations",
)
def organisation_list_endpoint(
    request: HttpRequest,
    kind: QueryEx[OrganisationKind | None, P(description="Only organisations of this kind.")] = None,
    territory: QueryEx[
        str | None,
        P(pattern=COMUNE_CODE_PATTERN, description="ISTAT code of a comune: the organisations based there."),
    ] = None,
    search: QueryEx[
        str | None,
        P(max_length=200, description="Words of the name, without minding accents or case; or a tax code."),
    ] = None,
    page: QueryEx[int, P(ge=1, description=PAGE_DESCRIPTION)] = 1,
    page_size: QueryEx[int, P(ge=1, le=MAX_PAGE_SIZE, description=PAGE_SIZE_DESCRIPTION)] = DEFAULT_PAGE_SIZE,
    fmt: QueryEx[TabularFormat, P(alias="format", description=FORMAT_DESCRIPTION)] = TabularFormat.JSON,
) -> dict[str, object] | HttpResponse:
    """The organisations the user may see, by name. An unknown comune in `territory` answers 404."""
    if territory and not Territory.objects.filter(kind=Territory.Kind.COMUNE, code=territory).exists():
        raise Http404(unknown_comune_message(territory))  # well-formed but unknown: as for /territories
    organisations = organisation_list(
        user=request.user,
        filters={"kind": kind, "comune": territory, "q": (search or "").replace("\x00", "")},
    )
    if fmt != TabularFormat.JSON:
        return export_response(
            queryset=organisations,
            item_schema=OrganisationListItem,
            paths=ORGANISATION_EXPORT_PATHS,
            fmt=fmt,
            filename="organisations",
        )
    return PageSlice(organisations, page=page, page_size=page_size).as_dict()


@router.get(
    "/{organisation_id}",
    response={200: OrganisationDetail, 404: ErrorOut, 422: ValidationErrorOut},
    summary="One organisation",
)
def organisation_detail_endpoint(
    request: HttpRequest, organisation_id: PathEx[int, P(ge=1, le=MAX_ID)]
) -> Organisation:
    """One organisation; 404 when it does not exist or the user may not see it."""
    return organisation_get(user=request.user, pk=organisation_id)


@router.patch(
    "/{organisation_id}",
    auth=django_auth,
    response={
        200: OrganisationDetail,
        400: ErrorOut,
        401: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
        422: ValidationErrorOut,
    },
    summary="Change an organisation's profile",
)
def organisation_patch_endpoint(
    request: HttpRequest, organisation_id: PathEx[int, P(ge=1, le=MAX_ID)], payload: OrganisationPatch
) -> Organisation:
    """Change some of name, description, website, email, legal_form (ETS only) and runts_id.

    Signed-in users only (session cookie and CSRF token). 400 when the body is not JSON, 404 when the
    user may not see the organisation, 403 when it may see but not change it, 422 naming the field of
    a value that is not valid; a refused request changes nothing.
    """
    user = request.user
    if not isinstance(user, User):  # django_auth let only signed-in users through
        raise AuthenticationError()
    organisation = organisation_get_for_change(user=user, pk=organisation_id)
    return organisation_update(
        organisation=organisation, changed_by=user, data=payload.model_dump(exclude_unset=True)
    )
