"""Example practices for a demonstration: invented, and marked as such on every page (`is_example`).

The product invents no practices: these are loaded only on request (`welfarelab load-example-practices`),
never by `load-open-data`. Their titles start with "Esempio", their texts say they are invented, and
they run in real comuni only so that the filters (territory, size of the comune) have something to show.
`--remove` deletes them. Every example is checked (its comune and need domains loaded) before any is
written, in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction

from welfarelab.indicators.models import NeedDomain
from welfarelab.practices.models import Practice, PracticePartner
from welfarelab.practices.services import (
    ContactData,
    PartnerData,
    PracticeData,
    practice_example_load,
)
from welfarelab.territories.models import Territory

DISCLAIMER = (
    "Esempio dimostrativo: la pratica è inventata per mostrare come funziona il repertorio delle buone "
    "pratiche. Il Comune indicato non l'ha realizzata e i numeri non sono reali."
)
CONTACT = ContactData(
    name="Ufficio di Piano (esempio)",
    role="Contatto fittizio",
    email="buone-pratiche@example.org",
    consent=True,
)


@dataclass(frozen=True)
class Example:
    slug: str
    comune_code: str
    need_domains: tuple[str, ...]
    title: str
    summary: str
    problem: str
    actions: str
    resources: str
    total_cost: Decimal
    funding_sources: tuple[str, ...]
    results: str
    start_year: int
    end_year: int | None
    partners: tuple[PartnerData, ...] = field(default=())


EXAMPLES: tuple[Example, ...] = (
    Example(
        slug="esempio-portierato-di-comunita-per-anziani-soli",
        comune_code="001001",
        need_domains=("invecchiamento_non_autosufficienza", "comunita_terzo_settore"),
        title="Esempio — Portierato di comunità per anziani che vivono soli",
        summary=(
            "Un punto di ascolto in piazza e una rete di vicini volontari che ogni settimana telefonano o "
            "passano a trovare le persone anziane che vivono da sole. " + DISCLAIMER
        ),
        problem=(
            "Molte persone con più di 75 anni vivono sole, lontane dai figli, e non chiedono aiuto finché "
            "la situazione non diventa grave: l'isolamento anticipa la non autosufficienza."
        ),
        actions=(
            "Il Comune ha aperto due mattine a settimana un portierato di comunità in un locale della "
            "piazza. Un'associazione di volontariato ha formato 15 vicini che telefonano o passano a "
            "trovare 40 persone anziane; l'assistente sociale segue i casi che segnalano."
        ),
        resources="Un locale comunale, 15 volontari formati, 6 ore a settimana dell'assistente sociale.",
        total_cost=Decimal("18000.00"),
        funding_sources=("comune", "fondazione"),
        results=(
            "Nel primo anno 40 persone seguite, 9 segnalazioni precoci al servizio sociale (numeri "
            "inventati per l'esempio)."
        ),
        start_year=2022,
        end_year=None,
        partners=(
            PartnerData(
                name="Associazione di volontariato del paese (esempio)",
                kind=PracticePartner.Kind.VOLUNTEERS,
                role=PracticePartner.Role.PROMOTER,
                contribution="Forma e coordina i volontari.",
            ),
            PartnerData(
                name="Farmacia comunale (esempio)",
                kind=PracticePartner.Kind.HEALTH,
                contribution="Segnala le persone che vede in difficoltà.",
            ),
        ),
    ),
    Example(
        slug="esempio-emporio-solidale-e-orientamento-al-lavoro",
        comune_code="016024",
        need_domains=("poverta_inclusione", "lavoro_occupabilita"),
        title="Esempio — Emporio solidale con orientamento al lavoro",
        summary=(
            "Un emporio dove le famiglie in difficoltà fanno la spesa con una tessera a punti e trovano uno "
            "sportello di orientamento al lavoro. " + DISCLAIMER
        ),
        problem=(
            "Le famiglie che ricevono pacchi alimentari restano dipendenti dall'aiuto e raramente entrano "
            "in contatto con i servizi per il lavoro."
        ),
        actions=(
            "Il servizio sociale assegna una tessera a punti per sei mesi; nell'emporio, gestito da "
            "un'associazione e da volontari, uno sportello del centro per l'impiego propone colloqui di "
            "orientamento, corsi brevi e tirocini con le imprese del territorio."
        ),
        resources="Un magazzino in comodato, 30 volontari, un orientatore a metà tempo.",
        total_cost=Decimal("95000.00"),
        funding_sources=("comune", "nazionale", "privato"),
        results="In due anni 210 famiglie servite e 48 tirocini avviati (numeri inventati per l'esempio).",
        start_year=2021,
        end_year=2023,
        partners=(
            PartnerData(
                name="Cooperativa sociale di inserimento lavorativo (esempio)",
                kind=PracticePartner.Kind.ETS,
                role=PracticePartner.Role.PROMOTER,
                contribution="Gestisce l'emporio.",
            ),
            PartnerData(
                name="Supermercati della zona (esempio)",
                kind=PracticePartner.Kind.COMPANY,
                contribution="Donano le eccedenze alimentari.",
            ),
        ),
    ),
    Example(
        slug="esempio-spazio-famiglie-0-3-anni-nei-quartieri",
        comune_code="072006",
        need_domains=("prima_infanzia_famiglie", "minori_giovani"),
        title="Esempio — Spazio famiglie 0–3 anni nei quartieri periferici",
        summary=(
            "Tre mattine a settimana un educatore e un'ostetrica accolgono genitori e bambini sotto i tre "
            "anni in una biblioteca di quartiere. " + DISCLAIMER
        ),
        problem=(
            "Nei quartieri periferici i posti al nido sono pochi e molte famiglie con bambini piccoli non "
            "incontrano alcun servizio prima della scuola dell'infanzia."
        ),
        actions=(
            "Il Comune ha aperto uno spazio gioco gratuito in due biblioteche di quartiere, con un "
            "educatore, incontri con l'ostetrica del consultorio e gruppi di genitori."
        ),
        resources="Due biblioteche, due educatori a tempo parziale, il consultorio familiare.",
        total_cost=Decimal("60000.00"),
        funding_sources=("comune", "pnrr"),
        results="Nel primo anno 120 famiglie iscritte (numeri inventati per l'esempio).",
        start_year=2023,
        end_year=None,
        partners=(
            PartnerData(
                name="Consultorio familiare (esempio)",
                kind=PracticePartner.Kind.HEALTH,
                contribution="Incontri con l'ostetrica e la psicologa.",
            ),
        ),
    ),
    Example(
        slug="esempio-abitare-in-autonomia-per-giovani-con-disabilita",
        comune_code="008031",
        need_domains=("disabilita_vita_indipendente", "casa_abitare"),
        title="Esempio — Abitare in autonomia per giovani adulti con disabilità",
        summary=(
            "Un appartamento condiviso dove quattro giovani adulti con disabilità imparano a vivere "
            "fuori dalla famiglia, con un educatore che li accompagna. " + DISCLAIMER
        ),
        problem=(
            "Quando i genitori invecchiano, i figli con disabilità rischiano di entrare in una struttura "
            'senza aver mai provato a vivere in autonomia ("dopo di noi").'
        ),
        actions=(
            "Un'associazione di famiglie ha messo a disposizione un appartamento; il Comune e l'ambito "
            "finanziano un educatore e percorsi di autonomia (cucina, spesa, trasporti) con progetti "
            "personalizzati."
        ),
        resources="Un appartamento di quattro posti, un educatore, i progetti personalizzati.",
        total_cost=Decimal("70000.00"),
        funding_sources=("ambito", "nazionale", "ets"),
        results="Quattro giovani vivono nell'appartamento da un anno (numeri inventati per l'esempio).",
        start_year=2022,
        end_year=None,
        partners=(
            PartnerData(
                name="Associazione di famiglie (esempio)",
                kind=PracticePartner.Kind.ETS,
                role=PracticePartner.Role.PROMOTER,
                contribution="Mette a disposizione l'appartamento.",
            ),
        ),
    ),
)


class ExamplesNotLoadable(Exception):
    """What the examples need is missing (territories or need domains): nothing was written."""


def examples_load() -> tuple[int, int]:
    """Create or update the examples, all or none; returns (created, updated)."""
    comuni = {
        t.code: t
        for t in Territory.objects.filter(
            kind=Territory.Kind.COMUNE, code__in=[e.comune_code for e in EXAMPLES]
        )
    }
    domains = {d.code: d for d in NeedDomain.objects.all()}
    missing = sorted({e.comune_code for e in EXAMPLES} - set(comuni))
    missing_domains = sorted({c for e in EXAMPLES for c in e.need_domains} - set(domains))
    if missing or missing_domains:
        raise ExamplesNotLoadable(
            "The examples need the open data: "
            + (f"comuni {', '.join(missing)} are missing" if missing else "")
            + ("; " if missing and missing_domains else "")
            + (f"need domains {', '.join(missing_domains)} are missing" if missing_domains else "")
            + ". Run `welfarelab load-open-data` first."
        )
    created = updated = 0
    with transaction.atomic():
        for example in EXAMPLES:
            data = PracticeData(
                title=example.title,
                summary=example.summary,
                territory=comuni[example.comune_code],
                need_domains=[domains[code] for code in example.need_domains],
                problem=example.problem,
                actions=example.actions,
                resources=example.resources,
                total_cost=example.total_cost,
                funding_sources=example.funding_sources,
                results=example.results,
                start_year=example.start_year,
                end_year=example.end_year,
                partners=example.partners,
                contacts=[CONTACT],
            )
            _practice, was_created = practice_example_load(data=data, slug=example.slug)
            created, updated = created + was_created, updated + (not was_created)
    return created, updated


def examples_remove() -> int:
    """Delete every example practice (only those flagged `is_example`); returns how many."""
    examples = Practice.objects.filter(is_example=True)
    count = examples.count()
    examples.delete()
    return count
