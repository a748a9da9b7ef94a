"""Reads of data-collection rounds: lists, and completeness computed from the observations.

A member has *sent* an indicator when the observation table holds a value reported for its territory
and the round's year (origin "reported", whoever loaded it and however: through the round, the import
page or the API). Sums of comuni computed up the hierarchy (origin "aggregated") do not count: an ambito
asked for its own figure has not answered because its comuni did.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from welfarelab.accounts.models import User
from welfarelab.accounts.permissions import CHANGE_ROLES, organisation_ids_of
from welfarelab.indicators.models import Indicator, Observation
from welfarelab.indicators.permissions import PUBLIC_BODY_KINDS
from welfarelab.organisations.models import Organisation
from welfarelab.rounds.models import Round, RoundMember, RoundSubmission
from welfarelab.territories.models import Territory

# Kinds of territory a member of a round may answer for: those governed by a public body.
MEMBER_TERRITORY_KINDS = (
    Territory.Kind.COMUNE,
    Territory.Kind.AMBITO,
    Territory.Kind.PROVINCIA,
    Territory.Kind.REGIONE,
)


def _percent(sent: int, owed: int) -> float | None:
    return None if owed == 0 else 100 * sent / owed


@dataclass(frozen=True)
class MemberProgress:
    """What one member has sent of what it owes, in the order of the round's indicators."""

    member: RoundMember
    cells: tuple[tuple[Indicator, bool], ...]  # (indicator, sent?)
    last_submission: dt.datetime | None

    @property
    def sent(self) -> tuple[Indicator, ...]:
        return tuple(indicator for indicator, done in self.cells if done)

    @property
    def missing(self) -> tuple[Indicator, ...]:
        return tuple(indicator for indicator, done in self.cells if not done)

    @property
    def sent_count(self) -> int:
        return len(self.sent)

    @property
    def owed(self) -> int:
        return len(self.cells)

    @property
    def percent(self) -> float | None:
        return _percent(self.sent_count, self.owed)

    @property
    def is_complete(self) -> bool:
        return not self.missing


@dataclass(frozen=True)
class IndicatorProgress:
    indicator: Indicator
    sent: int  # members that sent it
    owed: int  # members asked for it

    @property
    def percent(self) -> float | None:
        return _percent(self.sent, self.owed)


@dataclass(frozen=True)
class RoundProgress:
    round: Round
    indicators: tuple[Indicator, ...]
    members: tuple[MemberProgress, ...]
    by_indicator: tuple[IndicatorProgress, ...]

    @property
    def sent(self) -> int:
        return sum(member.sent_count for member in self.members)

    @property
    def owed(self) -> int:
        return sum(member.owed for member in self.members)

    @property
    def percent(self) -> float | None:
        return _percent(self.sent, self.owed)

    @property
    def complete_members(self) -> int:
        return sum(1 for member in self.members if member.is_complete)


def round_indicators(*, round: Round) -> tuple[Indicator, ...]:
    return tuple(round.indicators.order_by("position", "code"))


def _sent_cells(*, round: Round, members: QuerySet[RoundMember]) -> set[tuple[int, int]]:
    """(indicator id, territory id) of the values reported for the members' territories in the round's year."""
    return set(
        Observation.objects.filter(
            indicator__in=round.indicators.all(),
            territory_id__in=members.values("territory_id"),  # a subquery: no limit on the number of members
            period=round.period,
            origin=Observation.Origin.REPORTED,
        )
        .filter(Q(value__isnull=False) | Q(numerator__isnull=False))
        .values_list("indicator_id", "territory_id")
    )


def _last_submissions(*, round: Round) -> dict[int, dt.datetime]:
    return dict(
        RoundSubmission.objects.filter(round=round)
        .values("organisation_id")
        .annotate(last=Max("submitted_at"))
        .values_list("organisation_id", "last")
    )


def round_progress(*, round: Round, members: QuerySet[RoundMember] | None = None) -> RoundProgress:
    """The completeness board: every member (or those of `members`) × every indicator of the round.

    Three queries whatever the number of members: the indicators, the members, the reported cells.
    """
    indicators = round_indicators(round=round)
    if members is None:
        members = RoundMember.objects.filter(round=round)
    members = members.select_related("organisation", "territory").order_by(
        "territory__kind", "territory__code"
    )
    sent = _sent_cells(round=round, members=members)
    last = _last_submissions(round=round)
    progress = tuple(
        MemberProgress(
            member=member,
            cells=tuple((indicator, (indicator.pk, member.territory_id) in sent) for indicator in indicators),
            last_submission=last.get(member.organisation_id),
        )
        for member in members
    )
    counts: dict[int, int] = defaultdict(int)
    for indicator_id, _territory_id in sent:
        counts[indicator_id] += 1
    return RoundProgress(
        round=round,
        indicators=indicators,
        members=progress,
        by_indicator=tuple(
            IndicatorProgress(indicator=indicator, sent=counts[indicator.pk], owed=len(progress))
            for indicator in indicators
        ),
    )


def member_progress(*, member: RoundMember) -> MemberProgress:
    """One member's completeness (the member page, the reminder)."""
    progress = round_progress(round=member.round, members=RoundMember.objects.filter(pk=member.pk))
    return progress.members[0]


def member_values(*, member: RoundMember) -> dict[int, Observation]:
    """By indicator id, the values reported for the member's territory in the round's year."""
    observations = Observation.objects.filter(
        indicator__in=member.round.indicators.all(),
        territory_id=member.territory_id,
        period=member.round.period,
        origin=Observation.Origin.REPORTED,
    ).select_related("batch")
    return {observation.indicator_id: observation for observation in observations}


def round_list() -> QuerySet[Round]:
    """Every round, newest deadline first, with how many members and indicators it has."""
    return Round.objects.annotate(
        member_count=Count("members", distinct=True), indicator_count=Count("indicators", distinct=True)
    ).order_by("-deadline", "-pk")


@dataclass(frozen=True)
class OwedRound:
    """A round as a member sees it on "My rounds"."""

    progress: MemberProgress
    days_left: int  # negative once the deadline has passed

    @property
    def member(self) -> RoundMember:
        return self.progress.member

    @property
    def round(self) -> Round:
        return self.progress.member.round

    @property
    def is_overdue(self) -> bool:
        return self.days_left < 0


def rounds_owed_by(*, user: User, today: dt.date | None = None) -> list[OwedRound]:
    """The rounds the organisations `user` edits are asked for: open ones first by deadline, then closed ones.

    Drafts are left out; so are rounds whose opening day has not come yet.
    """
    today = today or timezone.localdate()
    organisations = organisation_ids_of(user, roles=CHANGE_ROLES)
    members = (
        RoundMember.objects.filter(organisation_id__in=organisations, round__opens_on__lte=today)
        .exclude(round__status=Round.Status.DRAFT)
        .select_related("round", "organisation", "territory")
        .order_by("round__status", "round__deadline", "organisation__name_folded")
    )
    owed = []
    for member in members:  # one round each: a person edits a few organisations, not hundreds
        owed.append(
            OwedRound(progress=member_progress(member=member), days_left=(member.round.deadline - today).days)
        )
    return sorted(owed, key=lambda o: (o.round.status != Round.Status.OPEN, o.round.deadline, o.member.pk))


def member_submissions(*, member: RoundMember, limit: int = 10) -> QuerySet[RoundSubmission]:
    submissions = RoundSubmission.objects.filter(
        round_id=member.round_id, organisation_id=member.organisation_id
    )
    return submissions.select_related("user", "batch")[:limit]


def public_bodies_of(*, territories: QuerySet[Territory]) -> dict[int, list[Organisation]]:
    """By territory id, the public bodies governing it (the organisations of the same kind)."""
    bodies: dict[int, list[Organisation]] = defaultdict(list)
    candidates = Organisation.objects.filter(territory__in=territories, kind__in=PUBLIC_BODY_KINDS)
    for organisation in candidates.select_related("territory"):
        if organisation.territory is not None and organisation.kind == organisation.territory.kind:
            bodies[organisation.territory_id].append(organisation)  # type: ignore[index]
    return bodies


_SEPARATORS = re.compile(r"[\s,;]+")


def territories_from_codes(text: str) -> tuple[list[Territory], list[str]]:
    """The territories named in `text` (codes separated by spaces, commas, semicolons or new lines).

    A code is an ISTAT code (058091, 058, 12; leading zeros may be missing) or an ambito's code;
    `kind:code` chooses when a code names several territories. Returns the territories found, in the order given, and one message per code
    that names none or several.
    """
    found: list[Territory] = []
    problems: list[str] = []
    for token in (part for part in _SEPARATORS.split(text.strip()) if part):
        kind, sep, code = token.partition(":")
        if not sep:
            kind, code = "", token
        candidates = Territory.objects.filter(kind__in=MEMBER_TERRITORY_KINDS)
        if kind:
            candidates = candidates.filter(kind=kind.lower())
        matches = list(candidates.filter(code__iexact=code)[:5])
        if not matches and code.isdigit():  # a spreadsheet drops leading zeros: 58091 for 058091
            padded = {code.zfill(width) for width in (2, 3, 6) if width > len(code)}
            matches = list(candidates.filter(code__in=padded)[:5])
        if len(matches) == 1:
            if matches[0] not in found:
                found.append(matches[0])
        elif not matches:
            problems.append(
                _("%(code)s is not the code of a comune, ambito, provincia or regione.") % {"code": token}
            )
        else:
            problems.append(
                _("%(code)s names several territories (%(places)s): write kind:code, e.g. %(example)s.")
                % {
                    "code": token,
                    "places": ", ".join(str(match) for match in matches),
                    "example": f"{matches[0].kind}:{matches[0].code}",
                }
            )
    return found, problems
