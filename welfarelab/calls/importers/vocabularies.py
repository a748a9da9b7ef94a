"""How importers read themes, applicant types and territories written by people: slugs, codes or names."""

from __future__ import annotations

from dataclasses import dataclass

from welfarelab.calls.models import ApplicantType, Theme
from welfarelab.calls.vocabulary import ETS_TYPES
from welfarelab.core.text import fold
from welfarelab.territories.models import Territory

# Words meaning "every Third Sector Entity" in a list of applicants.
ALL_ETS_WORDS = frozenset({"ets", "terzo settore", "enti del terzo settore", "enti terzo settore"})


@dataclass(frozen=True)
class Lookup:
    """Folded slug or name → slug (themes, applicant types); folded code or name → code (territories)."""

    themes: dict[str, str]
    applicants: dict[str, str]
    regions: dict[str, str]
    provinces: dict[str, str]

    @classmethod
    def load(cls) -> Lookup:
        themes: dict[str, str] = {}
        for slug, name_it, name_en in Theme.objects.values_list("slug", "name_it", "name_en"):
            for key in (slug, name_it, name_en):
                if key:
                    themes[fold(key)] = slug
        applicants: dict[str, str] = {}
        for slug, name_it, name_en in ApplicantType.objects.values_list("slug", "name_it", "name_en"):
            for key in (slug, name_it, name_en):
                if key:
                    applicants[fold(key)] = slug
        regions: dict[str, str] = {}
        provinces: dict[str, str] = {}
        for kind, code, name, abbreviation in Territory.objects.filter(
            kind__in=[Territory.Kind.REGIONE, Territory.Kind.PROVINCIA]
        ).values_list("kind", "code", "name", "province_abbreviation"):
            target = regions if kind == Territory.Kind.REGIONE else provinces
            for key in (code, name, abbreviation):
                if key:
                    target[fold(key)] = code
        return cls(themes=themes, applicants=applicants, regions=regions, provinces=provinces)

    def theme(self, text: str) -> str | None:
        return self.themes.get(fold(text))

    def applicant_types(self, text: str) -> tuple[str, ...] | None:
        """One applicant type, or every ETS form for "ETS"/"terzo settore"; None when unknown."""
        key = fold(text)
        if key in ALL_ETS_WORDS:
            return ETS_TYPES
        slug = self.applicants.get(key) or self.applicants.get(key.replace(" ", "_"))
        return (slug,) if slug else None

    def region(self, text: str) -> str | None:
        key = fold(text)
        return self.regions.get(key) or (self.regions.get(key.zfill(2)) if key.isdigit() else None)

    def province(self, text: str) -> str | None:
        key = fold(text)
        return self.provinces.get(key) or (self.provinces.get(key.zfill(3)) if key.isdigit() else None)
