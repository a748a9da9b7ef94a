"""Writes to the territories: the import of ambiti (ATS)."""

from __future__ import annotations

from django.db import transaction

from welfarelab.accounts.models import User
from welfarelab.core.text import fold
from welfarelab.organisations.models import Organisation
from welfarelab.territories.importers import ambiti_parse
from welfarelab.territories.loaders import ambito_population_rebuild, territory_areas_sum_up
from welfarelab.territories.models import AmbitoImport, Territory


def ambiti_import(*, content: bytes, filename: str, imported_by: User | None) -> AmbitoImport:
    """Create or update the ambiti of a CSV file (see importers.py) with exactly the comuni it lists.

    An ambito named in the file gets exactly its listed comuni: comuni listed elsewhere move to it,
    comuni no longer listed leave it. Ambiti not named in the file are not touched. Raises
    ImportRejected (nothing written) when any row is wrong. Each new ambito also gets its public body
    in the organisation directory.
    """
    ambiti = ambiti_parse(content)
    with transaction.atomic():
        existing = {
            a.code: a for a in Territory.objects.select_for_update().filter(kind=Territory.Kind.AMBITO)
        }
        for parsed in ambiti:
            ambito = existing.get(parsed.code) or Territory(kind=Territory.Kind.AMBITO, code=parsed.code)
            ambito.name = parsed.name
            ambito.name_folded = fold(parsed.name)
            ambito.regione_id = parsed.regione_id
            ambito.full_clean(exclude=["area_km2"])
            ambito.save()
            Territory.objects.filter(ambito=ambito).exclude(pk__in=parsed.comune_ids).update(ambito=None)
            Territory.objects.filter(pk__in=parsed.comune_ids).update(ambito=ambito)
            Organisation.objects.get_or_create(
                kind=Organisation.Kind.AMBITO,
                territory=ambito,
                defaults={
                    "name": f"Ambito territoriale sociale {parsed.name}",
                    "name_folded": fold(f"Ambito territoriale sociale {parsed.name}"),
                    "source": Organisation.Source.MANUAL,
                },
            )
        territory_areas_sum_up()
        ambito_population_rebuild()
        # A service an ambito declares is shared among its comuni: the supply indicators follow the new members.
        from welfarelab.services.supply import supply_indicators_refresh  # services builds on territories

        supply_indicators_refresh()
        # The ambiti's indicator values and peers are sums of their comuni: rebuilt in the background.
        from welfarelab.benchmarking.tasks import ambiti_changed  # the benchmarking app builds on territories

        transaction.on_commit(ambiti_changed.enqueue)
        return AmbitoImport.objects.create(
            filename=filename[:255],
            imported_by=imported_by,
            ambiti=len(ambiti),
            comuni=sum(len(a.comune_ids) for a in ambiti),
        )
