"""The calls an organisation may apply to: its facts and the open calls' facts, ranked by
`welfarelab.analytics.matching`, each reason turned into a sentence.

An organisation applies as its applicant type: its legal form for an ETS (`aps`), or its kind (`comune`,
`ambito` …, see `vocabulary.ORGANISATION_KIND_APPLICANT`). An ETS whose legal form is not stated may
be any ETS form. Its place is its territory's region and province; its themes are those its editors
chose (`OrganisationProfile`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from welfarelab.analytics import matching as rules
from welfarelab.calls.models import ApplicantType, Call, OrganisationProfile, Theme
from welfarelab.calls.vocabulary import (
    APPLICANT_GROUPS,
    ETS,
    ETS_TYPES,
    ORGANISATION_KIND_APPLICANT,
    PRIVATE,
    PUBLIC,
    UNKNOWN_LEGAL_FORM,
)
from welfarelab.organisations.models import Organisation
from welfarelab.territories.models import Territory

GROUP_LABELS = {
    ETS: gettext_lazy("Third Sector Entities"),
    PUBLIC: gettext_lazy("public bodies"),
    PRIVATE: gettext_lazy("enterprises and people"),
}


def organisation_facts(organisation: Organisation) -> rules.OrganisationFacts:
    if organisation.kind == Organisation.Kind.ETS:
        form = organisation.legal_form
        known = bool(form) and form != UNKNOWN_LEGAL_FORM and form in APPLICANT_GROUPS
        types = frozenset({form}) if known else frozenset(ETS_TYPES)
    else:
        known = True
        types = frozenset({ORGANISATION_KIND_APPLICANT.get(organisation.kind, "altro")})
    region = province = None
    territory = organisation.territory
    if territory is not None:
        if territory.kind == Territory.Kind.REGIONE:
            region = territory.code
        elif territory.kind == Territory.Kind.PROVINCIA:
            region, province = (territory.regione.code if territory.regione else None), territory.code
        else:
            region = territory.regione.code if territory.regione else None
            province = territory.provincia.code if territory.provincia else None
    profile = OrganisationProfile.objects.filter(organisation=organisation).first()
    themes = frozenset(profile.themes.values_list("slug", flat=True)) if profile else frozenset()
    return rules.OrganisationFacts(
        key=organisation.pk,
        applicant_types=types,
        type_known=known,
        region=region,
        province=province,
        themes=themes,
    )


def call_facts(calls: Iterable[Call]) -> list[rules.CallFacts]:
    """Facts of calls fetched with their themes, applicant types and territories prefetched."""
    facts = []
    for call in calls:
        territories = list(call.territories.all())
        facts.append(
            rules.CallFacts(
                key=call.pk,
                applicant_types=frozenset(a.slug for a in call.eligible_applicants.all()),
                themes=frozenset(t.slug for t in call.themes.all()),
                regions=frozenset(t.code for t in territories if t.kind == Territory.Kind.REGIONE),
                provinces=frozenset(t.code for t in territories if t.kind == Territory.Kind.PROVINCIA),
                cofinancing_percent=float(call.cofinancing_percent)
                if call.cofinancing_percent is not None
                else None,
                closes_at=call.closes_at.timestamp() if call.closes_at else None,
            )
        )
    return facts


def open_calls(now: dt.datetime) -> list[Call]:
    return list(
        Call.objects.open(now).prefetch_related("themes", "eligible_applicants", "territories").order_by("pk")
    )


@dataclass(frozen=True)
class CallMatch:
    call: Call
    score: float
    reasons: list[str]  # why it fits, as sentences
    lacks: list[str]  # what to check or what the organisation lacks
    reason_codes: list[str]
    lack_codes: list[str]


class _Names:
    def __init__(self) -> None:
        self.themes = {t.slug: t.name for t in Theme.objects.all()}
        self.applicants = {a.slug: a.name for a in ApplicantType.objects.all()}
        self.places = {
            (kind, code): name
            for kind, code, name in Territory.objects.filter(
                kind__in=[Territory.Kind.REGIONE, Territory.Kind.PROVINCIA]
            ).values_list("kind", "code", "name")
        }

    def listing(self, slugs: Sequence[str], names: dict[str, str]) -> str:
        return ", ".join(names.get(slug, slug) for slug in slugs)


def sentence(reason: rules.Reason, names: _Names) -> str:
    p = reason.params
    if reason.code == rules.APPLICANT_ELIGIBLE:
        return _("Open to its legal form or kind: %(types)s.") % {
            "types": names.listing(p["types"], names.applicants)
        }
    if reason.code == rules.APPLICANT_FORM_NOT_STATED:
        return _(
            "Its legal form is not stated: the call accepts %(types)s; check that it is one of them."
        ) % {"types": names.listing(p["types"], names.applicants)}
    if reason.code == rules.APPLICANT_NOT_STATED_BY_CALL:
        return _("The call does not say who may apply: read it.")
    if reason.code == rules.TERRITORY_ITALY:
        return _("Open in all of Italy.")
    if reason.code == rules.TERRITORY_REGION:
        return _("Open in its region, %(place)s.") % {
            "place": names.places.get(("regione", str(p["region"])), p["region"])
        }
    if reason.code == rules.TERRITORY_PROVINCE:
        return _("Open in its province, %(place)s.") % {
            "place": names.places.get(("provincia", str(p["province"])), p["province"])
        }
    if reason.code == rules.TERRITORY_UNKNOWN:
        return _("Its seat is not known: check that the call covers it.")
    if reason.code == rules.THEMES_SHARED:
        return _("Themes in common: %(themes)s.") % {"themes": names.listing(p["themes"], names.themes)}
    if reason.code == rules.THEMES_NONE_SHARED:
        return _("No theme in common with its activity.")
    if reason.code == rules.THEMES_NOT_STATED:
        return _("The organisation has not stated the themes of its activity.")
    if reason.code == rules.RESERVED_TO_GROUP:
        group = str(p["group"])
        return _("Reserved to: %(group)s.") % {"group": GROUP_LABELS.get(group, group)}
    if reason.code == rules.COFINANCING_REQUIRED:
        return _("Requires co-financing of %(percent)s%%.") % {
            "percent": number_format(p["percent"], decimal_pos=0)
        }
    return reason.code


def matching_calls(
    *, organisation: Organisation, now: dt.datetime | None = None, limit: int | None = None
) -> list[CallMatch]:
    """The open calls `organisation` may apply to, best first, each with its reasons."""
    now = now or timezone.now()
    calls = {call.pk: call for call in open_calls(now)}
    ranked = rules.rank_for_organisation(
        organisation_facts(organisation), call_facts(calls.values()), groups=APPLICANT_GROUPS
    )
    if limit is not None:
        ranked = ranked[:limit]
    names = _Names()
    return [
        CallMatch(
            call=calls[match.call_key],
            score=match.score,
            reasons=[sentence(r, names) for r in match.reasons],
            lacks=[sentence(r, names) for r in match.lacks],
            reason_codes=[r.code for r in match.reasons],
            lack_codes=[r.code for r in match.lacks],
        )
        for match in ranked
    ]
