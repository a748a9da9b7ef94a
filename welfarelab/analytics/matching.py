"""Which open funding calls an organisation may apply to, ranked, with why each fits and what it lacks.

Pure: plain facts in (strings and sets, no models), scores and reasons out. The Django side
(`welfarelab.calls.matching`) turns organisations and calls into facts and the reason codes into
sentences. Two implementations of one rule set, kept equal by a test:

- `explain` / `rank_for_organisation`: one organisation, each call explained (pages and API);
- `CallMatrix` / `OrganisationMatrix` / `top_matches`: every organisation against every call at once,
  with bitsets and boolean matrices (numpy), for the national scale (~130,000 ETS × the open calls).

Eligibility (a call is shown only when both hold):
1. applicant: one of the types the organisation may be is accepted by the call. An ETS whose legal
   form is not stated may be any ETS form: it passes when the call accepts one, *uncertain*. A call
   that states no applicant type passes for everybody, *uncertain*;
2. territory: the call covers all Italy, the organisation's region or its province. An organisation
   whose place is unknown passes, *uncertain*.

Score (higher first; ties by deadline, the nearest first, then by call key):
    +2   for every theme the call and the organisation share
    +1   the call is reserved to the organisation's group (Third Sector only, public bodies only, …)
    +1   the call is local (regions or provinces) and covers the organisation's place
    −0.5 the call requires co-financing
    −1   for each uncertain criterion above
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

THEME_WEIGHT = 2.0
RESERVED_BONUS = 1.0
LOCAL_BONUS = 1.0
COFINANCING_PENALTY = 0.5
UNCERTAIN_PENALTY = 1.0
MAX_BITS = 64  # applicant types and themes are bits of one unsigned 64-bit word
MAX_CALLS = 10_000_000  # score (half points) × calls must fit a 32-bit key

# Reason codes (the Django side has a sentence for each).
APPLICANT_ELIGIBLE = "applicant_eligible"  # params: types
APPLICANT_FORM_NOT_STATED = "applicant_form_not_stated"  # params: types (those the call accepts)
APPLICANT_NOT_STATED_BY_CALL = "applicant_not_stated_by_call"
TERRITORY_ITALY = "territory_italy"
TERRITORY_REGION = "territory_region"  # params: region
TERRITORY_PROVINCE = "territory_province"  # params: province
TERRITORY_UNKNOWN = "territory_unknown"
THEMES_SHARED = "themes_shared"  # params: themes
THEMES_NONE_SHARED = "themes_none_shared"
THEMES_NOT_STATED = "themes_not_stated"
RESERVED_TO_GROUP = "reserved_to_group"  # params: group
COFINANCING_REQUIRED = "cofinancing_required"  # params: percent


@dataclass(frozen=True, slots=True)
class CallFacts:
    """What matching needs of one open call. No regions and no provinces means all Italy."""

    key: int
    applicant_types: frozenset[str] = frozenset()
    themes: frozenset[str] = frozenset()
    regions: frozenset[str] = frozenset()
    provinces: frozenset[str] = frozenset()
    cofinancing_percent: float | None = None
    closes_at: float | None = None  # POSIX seconds; None: no deadline (until funds run out)

    @property
    def nationwide(self) -> bool:
        return not self.regions and not self.provinces


@dataclass(frozen=True, slots=True)
class OrganisationFacts:
    """What matching needs of one organisation.

    `applicant_types` holds one type when it is known (`aps`), several when it is not (an ETS whose
    legal form is not stated may be any ETS form): then `type_known` is False.
    """

    key: int
    applicant_types: frozenset[str]
    type_known: bool = True
    region: str | None = None
    province: str | None = None
    themes: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Reason:
    code: str
    params: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Match:
    """One call an organisation may apply to: its score, why it fits (`reasons`), what to check (`lacks`)."""

    call_key: int
    eligible: bool
    score: float
    reasons: tuple[Reason, ...]
    lacks: tuple[Reason, ...]


def _group_of(types: Iterable[str], groups: Mapping[str, str]) -> frozenset[str]:
    return frozenset(groups[t] for t in types if t in groups)


def explain(organisation: OrganisationFacts, call: CallFacts, *, groups: Mapping[str, str]) -> Match:
    """Is `call` open to `organisation`, how well does it fit, and why. `groups` maps applicant type → group."""
    reasons: list[Reason] = []
    lacks: list[Reason] = []
    score = 0.0

    # 1. applicant type
    accepted = organisation.applicant_types & call.applicant_types
    if not call.applicant_types:
        applicant_ok = True
        lacks.append(Reason(APPLICANT_NOT_STATED_BY_CALL))
        score -= UNCERTAIN_PENALTY
    elif accepted and organisation.type_known:
        applicant_ok = True
        reasons.append(Reason(APPLICANT_ELIGIBLE, {"types": sorted(accepted)}))
    elif accepted:
        applicant_ok = True
        lacks.append(Reason(APPLICANT_FORM_NOT_STATED, {"types": sorted(accepted)}))
        score -= UNCERTAIN_PENALTY
    else:
        applicant_ok = False

    # 2. territory
    if call.nationwide:
        territory_ok = True
        reasons.append(Reason(TERRITORY_ITALY))
    elif organisation.province is not None and organisation.province in call.provinces:
        territory_ok = True
        reasons.append(Reason(TERRITORY_PROVINCE, {"province": organisation.province}))
        score += LOCAL_BONUS
    elif organisation.region is not None and organisation.region in call.regions:
        territory_ok = True
        reasons.append(Reason(TERRITORY_REGION, {"region": organisation.region}))
        score += LOCAL_BONUS
    elif organisation.region is None:
        territory_ok = True
        lacks.append(Reason(TERRITORY_UNKNOWN))
        score -= UNCERTAIN_PENALTY
    else:
        territory_ok = False

    # relevance
    shared = organisation.themes & call.themes
    if shared:
        reasons.append(Reason(THEMES_SHARED, {"themes": sorted(shared)}))
        score += THEME_WEIGHT * len(shared)
    elif not organisation.themes:
        lacks.append(Reason(THEMES_NOT_STATED))
    elif call.themes:
        lacks.append(Reason(THEMES_NONE_SHARED))
    call_groups = _group_of(call.applicant_types, groups)
    organisation_groups = _group_of(organisation.applicant_types, groups)
    if len(call_groups) == 1 and call_groups == organisation_groups:
        reasons.append(Reason(RESERVED_TO_GROUP, {"group": next(iter(call_groups))}))
        score += RESERVED_BONUS
    if call.cofinancing_percent:
        lacks.append(Reason(COFINANCING_REQUIRED, {"percent": call.cofinancing_percent}))
        score -= COFINANCING_PENALTY

    return Match(
        call_key=call.key,
        eligible=applicant_ok and territory_ok,
        score=score,
        reasons=tuple(reasons),
        lacks=tuple(lacks),
    )


def _deadline(call: CallFacts) -> float:
    return math.inf if call.closes_at is None else call.closes_at


def rank_for_organisation(
    organisation: OrganisationFacts, calls: Sequence[CallFacts], *, groups: Mapping[str, str]
) -> list[Match]:
    """The calls `organisation` may apply to, best first (ties: nearest deadline, then call key)."""
    deadlines = {call.key: _deadline(call) for call in calls}
    matches = [m for m in (explain(organisation, call, groups=groups) for call in calls) if m.eligible]
    return sorted(matches, key=lambda m: (-m.score, deadlines[m.call_key], m.call_key))


# --- every organisation against every call: bitsets and boolean matrices ----------------------------


def _bit_index(values: Iterable[str], what: str) -> dict[str, int]:
    ordered = sorted(set(values))
    if len(ordered) > MAX_BITS:
        raise ValueError(f"{len(ordered)} {what}: at most {MAX_BITS} fit in a bitset.")
    return {value: position for position, value in enumerate(ordered)}


def _mask(values: Iterable[str], index: Mapping[str, int]) -> int:
    mask = 0
    for value in values:
        if value in index:
            mask |= 1 << index[value]
    return mask


@dataclass(frozen=True)
class Vocabulary:
    """Bit positions of applicant types, groups and themes; indices of regions and provinces."""

    applicant_types: Mapping[str, int]
    groups: Mapping[str, int]
    themes: Mapping[str, int]
    regions: Mapping[str, int]
    provinces: Mapping[str, int]
    group_of: Mapping[str, str]

    @classmethod
    def build(
        cls,
        *,
        applicant_groups: Mapping[str, str],
        themes: Iterable[str],
        regions: Iterable[str],
        provinces: Iterable[str],
    ) -> Vocabulary:
        return cls(
            applicant_types=_bit_index(applicant_groups, "applicant types"),
            groups=_bit_index(applicant_groups.values(), "applicant groups"),
            themes=_bit_index(themes, "themes"),
            regions={code: i for i, code in enumerate(sorted(set(regions)))},
            provinces={code: i for i, code in enumerate(sorted(set(provinces)))},
            group_of=dict(applicant_groups),
        )

    def group_mask(self, types: Iterable[str]) -> int:
        return _mask((self.group_of[t] for t in types if t in self.group_of), self.groups)


U64 = npt.NDArray[np.uint64]
B = npt.NDArray[np.bool_]
F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]


@dataclass(frozen=True)
class CallMatrix:
    """The calls as columns, sorted by deadline (nearest first) then key, so ties keep that order."""

    keys: I64
    applicants: U64
    groups: U64
    themes: U64
    nationwide: B
    regions: B  # calls × (regions + 1): the last column is "unknown region", always False
    provinces: B  # calls × (provinces + 1): idem
    cofinancing: B
    deadlines: F64

    @classmethod
    def build(cls, calls: Sequence[CallFacts], vocabulary: Vocabulary) -> CallMatrix:
        ordered = sorted(calls, key=lambda c: (_deadline(c), c.key))
        n = len(ordered)
        regions = np.zeros((n, len(vocabulary.regions) + 1), dtype=np.bool_)
        provinces = np.zeros((n, len(vocabulary.provinces) + 1), dtype=np.bool_)
        for i, call in enumerate(ordered):
            for code in call.regions:
                if code in vocabulary.regions:
                    regions[i, vocabulary.regions[code]] = True
            for code in call.provinces:
                if code in vocabulary.provinces:
                    provinces[i, vocabulary.provinces[code]] = True
        return cls(
            keys=np.array([c.key for c in ordered], dtype=np.int64),
            applicants=np.array(
                [_mask(c.applicant_types, vocabulary.applicant_types) for c in ordered], dtype=np.uint64
            ),
            groups=np.array([vocabulary.group_mask(c.applicant_types) for c in ordered], dtype=np.uint64),
            themes=np.array([_mask(c.themes, vocabulary.themes) for c in ordered], dtype=np.uint64),
            nationwide=np.array([c.nationwide for c in ordered], dtype=np.bool_),
            regions=regions,
            provinces=provinces,
            cofinancing=np.array([bool(c.cofinancing_percent) for c in ordered], dtype=np.bool_),
            deadlines=np.array([_deadline(c) for c in ordered], dtype=np.float64),
        )

    def __len__(self) -> int:
        return len(self.keys)


@dataclass(frozen=True)
class OrganisationMatrix:
    """The organisations as rows: bitsets of what they may be and of their themes, place as indices."""

    keys: I64
    applicants: U64
    groups: U64
    type_known: B
    region: I64  # index in vocabulary.regions; len(regions) when unknown
    province: I64  # index in vocabulary.provinces; len(provinces) when unknown
    themes: U64

    @classmethod
    def build(cls, organisations: Sequence[OrganisationFacts], vocabulary: Vocabulary) -> OrganisationMatrix:
        unknown_region = len(vocabulary.regions)
        unknown_province = len(vocabulary.provinces)
        return cls(
            keys=np.array([o.key for o in organisations], dtype=np.int64),
            applicants=np.array(
                [_mask(o.applicant_types, vocabulary.applicant_types) for o in organisations],
                dtype=np.uint64,
            ),
            groups=np.array(
                [vocabulary.group_mask(o.applicant_types) for o in organisations], dtype=np.uint64
            ),
            type_known=np.array([o.type_known for o in organisations], dtype=np.bool_),
            region=np.array(
                [vocabulary.regions.get(o.region or "", unknown_region) for o in organisations],
                dtype=np.int64,
            ),
            province=np.array(
                [vocabulary.provinces.get(o.province or "", unknown_province) for o in organisations],
                dtype=np.int64,
            ),
            themes=np.array([_mask(o.themes, vocabulary.themes) for o in organisations], dtype=np.uint64),
        )

    @classmethod
    def from_arrays(
        cls,
        *,
        keys: I64,
        applicants: U64,
        groups: U64,
        type_known: B,
        region: I64,
        province: I64,
        themes: U64,
    ) -> OrganisationMatrix:
        """For callers that encode columns themselves (the benchmark's 130,000 profiles)."""
        return cls(keys, applicants, groups, type_known, region, province, themes)

    def __len__(self) -> int:
        return len(self.keys)

    def rows(self, start: int, stop: int) -> OrganisationMatrix:
        return OrganisationMatrix(
            self.keys[start:stop],
            self.applicants[start:stop],
            self.groups[start:stop],
            self.type_known[start:stop],
            self.region[start:stop],
            self.province[start:stop],
            self.themes[start:stop],
        )


@dataclass(frozen=True)
class Scores:
    """Organisations × calls: who may apply (`eligible`) and how well it fits (`score`, −inf if not)."""

    eligible: B
    score: F64


# Scores are computed in half points (every weight is a multiple of 0.5), as small integers: a quarter of
# the memory of floats, and exact.
_HALF = 2
_NOT_ELIGIBLE = np.iinfo(np.int32).min


def _score_halves(organisations: OrganisationMatrix, calls: CallMatrix) -> tuple[B, npt.NDArray[np.int16]]:
    """The rules of `explain` for every pair at once (bitwise AND, popcount, boolean indexing)."""
    zero = np.uint64(0)
    accepted = (organisations.applicants[:, None] & calls.applicants[None, :]) != zero
    stated = (calls.applicants != zero)[None, :]
    applicant_ok = accepted | ~stated
    applicant_uncertain = ~stated | (accepted & ~organisations.type_known[:, None])

    unknown_region = calls.regions.shape[1] - 1
    place_unknown = (organisations.region == unknown_region)[:, None]
    # (regions+1 × calls)[each organisation's region] → organisations × calls; likewise provinces.
    local = calls.regions.T[organisations.region] | calls.provinces.T[organisations.province]
    nationwide = calls.nationwide[None, :]
    territory_ok = nationwide | local | place_unknown
    territory_uncertain = place_unknown & ~nationwide & ~local
    local_match = local & ~nationwide

    single_group = (np.bitwise_count(calls.groups) == 1)[None, :]
    reserved = single_group & (calls.groups[None, :] == organisations.groups[:, None])

    halves = np.bitwise_count(organisations.themes[:, None] & calls.themes[None, :]).astype(np.int16)
    halves *= np.int16(THEME_WEIGHT * _HALF)
    halves += reserved * np.int16(RESERVED_BONUS * _HALF)
    halves += local_match * np.int16(LOCAL_BONUS * _HALF)
    halves -= (calls.cofinancing * np.int16(COFINANCING_PENALTY * _HALF))[None, :]
    halves -= applicant_uncertain * np.int16(UNCERTAIN_PENALTY * _HALF)
    halves -= territory_uncertain * np.int16(UNCERTAIN_PENALTY * _HALF)
    return applicant_ok & territory_ok, halves


def score_matrix(organisations: OrganisationMatrix, calls: CallMatrix) -> Scores:
    """Who may apply to what, and how well it fits (the score of `explain`; −inf where not eligible)."""
    eligible, halves = _score_halves(organisations, calls)
    return Scores(eligible=eligible, score=np.where(eligible, halves / _HALF, -np.inf))


@dataclass(frozen=True)
class TopMatches:
    """For each organisation: how many calls it may apply to, and the keys of the best `k`, best first."""

    organisation_keys: I64
    distinct_profiles: int
    eligible_counts: I64
    call_keys: I64  # organisations × k; -1 where fewer than k calls are open to it
    scores: F64  # organisations × k; -inf where no call


def _distinct(organisations: OrganisationMatrix) -> tuple[OrganisationMatrix, I64]:
    """The distinct profiles (same bitsets and place rank the calls the same), and each row's profile."""
    signature = np.stack(
        [
            organisations.applicants,
            organisations.groups,
            organisations.type_known.astype(np.uint64),
            organisations.region.astype(np.uint64),
            organisations.province.astype(np.uint64),
            organisations.themes,
        ],
        axis=1,
    )
    # Sort the rows (lexsort is much faster than np.unique(axis=0)), number the runs of equal rows.
    order = np.lexsort(signature.T[::-1])
    ordered = signature[order]
    starts = np.ones(len(ordered), dtype=np.bool_)
    starts[1:] = (ordered[1:] != ordered[:-1]).any(axis=1)
    inverse = np.empty(len(ordered), dtype=np.int64)
    inverse[order] = np.cumsum(starts) - 1
    first = order[starts]
    unique = signature[first]
    distinct = OrganisationMatrix(
        organisations.keys[first],
        unique[:, 0],
        unique[:, 1],
        unique[:, 2].astype(np.bool_),
        unique[:, 3].astype(np.int64),
        unique[:, 4].astype(np.int64),
        unique[:, 5],
    )
    return distinct, inverse


def top_matches(
    organisations: OrganisationMatrix,
    calls: CallMatrix,
    *,
    k: int = 10,
    chunk: int = 2048,
    share_profiles: bool = True,
) -> TopMatches:
    """The best `k` calls of every organisation, best first.

    Organisations with the same facts rank the calls the same, so each distinct profile is scored once
    (`chunk` profiles at a time, bounded memory) and the result is copied to the organisations that
    share it (`share_profiles=False` scores every row, for measuring). Ties keep the calls' order
    (nearest deadline first).
    """
    n_calls = len(calls)
    m = len(organisations)
    counts = np.zeros(m, dtype=np.int64)
    keys = np.full((m, k), -1, dtype=np.int64)
    best = np.full((m, k), -np.inf, dtype=np.float64)
    if n_calls == 0 or m == 0:
        return TopMatches(organisations.keys, 0, counts, keys, best)
    if n_calls > MAX_CALLS:
        raise ValueError(f"{n_calls} calls: at most {MAX_CALLS} fit the 32-bit ranking keys.")
    if share_profiles:
        distinct, inverse = _distinct(organisations)
    else:
        distinct, inverse = organisations, np.arange(m, dtype=np.int64)
    d = len(distinct)
    k_eff = min(k, n_calls)
    d_counts = np.zeros(d, dtype=np.int64)
    d_keys = np.full((d, k), -1, dtype=np.int64)
    d_best = np.full((d, k), -np.inf, dtype=np.float64)
    # One integer key per pair: the score in half points, then the column (calls are sorted by deadline),
    # so that the largest key is the best call and ties go to the nearest deadline.
    column = np.arange(n_calls, dtype=np.int32)[None, :]
    for start in range(0, d, chunk):
        stop = min(start + chunk, d)
        eligible, halves = _score_halves(distinct.rows(start, stop), calls)
        d_counts[start:stop] = eligible.sum(axis=1)
        ranked = halves.astype(np.int32) * np.int32(n_calls) - column
        ranked[~eligible] = _NOT_ELIGIBLE
        # k passes of argmax (keys are distinct within a row): much faster than argpartition on rows
        # where most pairs are not eligible and so equal.
        rows = np.arange(stop - start)
        top = np.empty((stop - start, k_eff), dtype=np.int64)
        for j in range(k_eff):
            best_column = ranked.argmax(axis=1)
            top[:, j] = best_column
            ranked[rows, best_column] = _NOT_ELIGIBLE
        found = np.take_along_axis(eligible, top, axis=1)
        d_keys[start:stop, :k_eff] = np.where(found, calls.keys[top], -1)
        d_best[start:stop, :k_eff] = np.where(found, np.take_along_axis(halves, top, axis=1) / _HALF, -np.inf)
    counts[:] = d_counts[inverse]
    keys[:] = d_keys[inverse]
    best[:] = d_best[inverse]
    return TopMatches(organisations.keys, len(distinct), counts, keys, best)
