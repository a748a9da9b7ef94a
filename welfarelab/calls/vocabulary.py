"""The calls' shared vocabulary: themes and applicant types, with stable slugs.

Both are rows (`Theme`, `ApplicantType`) so that filters, subscriptions and feeds can point at them, and
the lab can add themes in the admin; the built-in ones below are created after every `migrate` (and after
a test database is flushed) by `vocabulary_sync`, and never renamed by it once they exist.

Applicant types of the Third Sector use the values of `Organisation.LegalForm` (the RUNTS sections), so
an ETS's legal form *is* its applicant type; the other kinds of organisation map through
`ORGANISATION_KIND_APPLICANT`.
"""

from __future__ import annotations

from typing import NamedTuple


class Entry(NamedTuple):
    slug: str
    name_it: str
    name_en: str


# At least the themes the lab's seed names (youth, social and environmental policies …); slugs never change.
THEMES: tuple[Entry, ...] = (
    Entry("politiche-giovanili", "Politiche giovanili", "Youth policies"),
    Entry("politiche-sociali", "Politiche sociali e inclusione", "Social policies and inclusion"),
    Entry("ambiente", "Ambiente ed energia", "Environment and energy"),
    Entry("cultura", "Cultura e patrimonio", "Culture and heritage"),
    Entry("sport", "Sport", "Sport"),
    Entry("lavoro", "Lavoro e formazione professionale", "Work and vocational training"),
    Entry("salute", "Salute e sanità", "Health"),
    Entry("educazione", "Educazione e scuola", "Education and schools"),
    Entry("digitale", "Digitale e innovazione della PA", "Digital and public-sector innovation"),
    Entry("ricerca-innovazione", "Ricerca e innovazione", "Research and innovation"),
    Entry("impresa", "Impresa e sviluppo economico", "Enterprise and economic development"),
    Entry("rigenerazione-urbana", "Rigenerazione urbana e casa", "Urban regeneration and housing"),
    Entry("turismo", "Turismo", "Tourism"),
)

# The groups of applicant types (a call reserved to one group scores higher for its members).
ETS = "ets"
PUBLIC = "pubblico"
PRIVATE = "privato"

# (entry, group). The ETS slugs equal Organisation.LegalForm's values (a test keeps them equal).
APPLICANT_TYPES: tuple[tuple[Entry, str], ...] = (
    (Entry("odv", "Organizzazioni di volontariato (ODV)", "Voluntary organisations (ODV)"), ETS),
    (Entry("aps", "Associazioni di promozione sociale (APS)", "Social promotion associations (APS)"), ETS),
    (
        Entry(
            "impresa_sociale", "Imprese sociali e cooperative sociali", "Social enterprises and co-operatives"
        ),
        ETS,
    ),
    (Entry("ente_filantropico", "Enti filantropici", "Philanthropic bodies"), ETS),
    (Entry("rete_associativa", "Reti associative", "Association networks"), ETS),
    (Entry("societa_mutuo_soccorso", "Società di mutuo soccorso", "Mutual aid societies"), ETS),
    (Entry("altro_ets", "Altri enti del Terzo settore", "Other Third Sector Entities"), ETS),
    (Entry("comune", "Comuni e unioni di comuni", "Municipalities and their unions"), PUBLIC),
    (Entry("ambito", "Ambiti territoriali sociali", "Social districts (ATS)"), PUBLIC),
    (Entry("provincia", "Province e città metropolitane", "Provinces and metropolitan cities"), PUBLIC),
    (Entry("regione", "Regioni e province autonome", "Regions and autonomous provinces"), PUBLIC),
    (Entry("pa_centrale", "Amministrazioni centrali", "Central administrations"), PUBLIC),
    (Entry("scuola", "Scuole", "Schools"), PUBLIC),
    (
        Entry("universita_ricerca", "Università ed enti di ricerca", "Universities and research bodies"),
        PUBLIC,
    ),
    (Entry("altro_ente_pubblico", "Altri enti pubblici", "Other public bodies"), PUBLIC),
    (Entry("impresa", "Imprese", "Enterprises"), PRIVATE),
    (Entry("persona_fisica", "Persone fisiche e professionisti", "Individuals and professionals"), PRIVATE),
    (Entry("altro", "Altri soggetti", "Others"), PRIVATE),
)

ETS_TYPES: tuple[str, ...] = tuple(entry.slug for entry, group in APPLICANT_TYPES if group == ETS)
APPLICANT_GROUPS: dict[str, str] = {entry.slug: group for entry, group in APPLICANT_TYPES}

# Organisation.Kind → the applicant type it applies as (an ETS applies as its legal form).
ORGANISATION_KIND_APPLICANT: dict[str, str] = {
    "comune": "comune",
    "ambito": "ambito",
    "provincia": "provincia",
    "regione": "regione",
    "csv": "altro_ets",  # a volunteer service centre is an ETS accredited by the ONC (CTS art. 61)
    "universita": "universita_ricerca",
    "ente_formazione": "altro",
    "altro": "altro",
}
UNKNOWN_LEGAL_FORM = "non_indicata"
