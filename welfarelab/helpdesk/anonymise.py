"""Personal data out of a text: what turns a question and its answer into a knowledge-base article, and
what the retention period leaves of a closed question.

Plain Python (no Django). `anonymise(text, names=[...])` replaces, with a placeholder in square brackets:

| found                                                   | placeholder          |
| ------------------------------------------------------- | -------------------- |
| email addresses                                         | `[email]`            |
| IBANs (`IT60 X054 2811 1010 0000 0123 456`, spaced or not) | `[IBAN]`          |
| codici fiscali of persons (16 characters, omocodia too) | `[codice fiscale]`   |
| partite IVA and numeric codici fiscali (11 digits, `IT` optional; a phone number unless the check digit is right) | `[partita IVA]` |
| Italian phone numbers, fixed and mobile, `+39`/`0039` optional, spaced, dotted or dashed | `[telefono]` |
| the names given: the asker's, the organisation's        | `[nome]`, `[ente]`   |

Names are matched whole-word, without minding case or accents (`Niccolò` finds `niccolo`); a person's
name is also matched by its parts of three letters or more (`Rossi` alone), an organisation's also
without the words of its legal form (`Associazione Amici del Parco APS` → `Amici del Parco`). The
patterns err on the side of replacing: eleven digits are a partita IVA even with a wrong check digit,
and an amount written without dots may pass for a phone number. It is a first pass: the operator reads the draft before it is published
(`find_personal_data` says what is left).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

EMAIL = "[email]"
IBAN = "[IBAN]"
TAX_CODE = "[codice fiscale]"
VAT_NUMBER = "[partita IVA]"
PHONE = "[telefono]"
PERSON = "[nome]"
ORGANISATION = "[ente]"

_EMAIL = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+")
# Country, check digits, then groups of four (spaced or not) and a shorter last group.
_IBAN = re.compile(r"\b[A-Z]{2}[0-9]{2}(?:[ -]?[A-Z0-9]{4}){2,7}(?:[ -]?[A-Z0-9]{1,3})?\b", re.IGNORECASE)
# Omocodia replaces digits with the letters LMNPQRSTUV.
_DIGITISH = "[0-9LMNPQRSTUV]"
_PERSON_TAX_CODE = re.compile(
    rf"\b[A-Z]{{6}}{_DIGITISH}{{2}}[ABCDEHLMPRST]{_DIGITISH}{{2}}[A-Z]{_DIGITISH}{{3}}[A-Z]\b", re.IGNORECASE
)
_VAT_NUMBER = re.compile(r"\b(?:IT[ ]?)?([0-9]{11})\b", re.IGNORECASE)
# A run of digits with separators, optionally after +39/0039: `_is_phone` decides afterwards.
_PHONE = re.compile(r"(?<![\w+])(?:(?:\+|00)39[ .-]?)?\(?[03][0-9]{1,3}\)?(?:[ ./-]?[0-9]){4,9}(?!\w)")
_DATE = re.compile(r"[0-9]{1,2}([./-])[0-9]{1,2}\1[0-9]{2,4}")
_THOUSANDS = re.compile(r"[0-9]{1,3}(?:\.[0-9]{3})+")
_LEGAL_FORM_WORDS = (
    "associazione di promozione sociale",
    "organizzazione di volontariato",
    "cooperativa sociale",
    "impresa sociale",
    "societa cooperativa",
    "associazione",
    "fondazione",
    "cooperativa",
    "comitato",
    "onlus",
    "aps",
    "odv",
    "ets",
    "coop",
    "scs",
    "srl",
)
MIN_NAME_PART = 3
PLACEHOLDERS = (EMAIL, IBAN, TAX_CODE, VAT_NUMBER, PHONE, PERSON, ORGANISATION)


@dataclass(frozen=True)
class Anonymised:
    text: str
    replaced: Counter[str] = field(default_factory=Counter)  # placeholder → how many times

    @property
    def changed(self) -> bool:
        return bool(self.replaced)


def _compact(candidate: str) -> str:
    return re.sub(r"[ -]", "", candidate).upper()


def iban_is_valid(candidate: str) -> bool:
    """ISO 13616: the first four characters moved to the end, letters read as numbers, mod 97 is 1."""
    compact = _compact(candidate)
    if not re.fullmatch(r"[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}", compact):
        return False
    rearranged = compact[4:] + compact[:4]
    return int("".join(str(int(char, 36)) for char in rearranged)) % 97 == 1


def _is_iban(candidate: str) -> bool:
    # An Italian IBAN with a wrong check digit (a typo) is still somebody's account.
    return iban_is_valid(candidate) or bool(
        re.fullmatch(r"IT[0-9]{2}[A-Z][0-9]{10}[A-Z0-9]{12}", _compact(candidate))
    )


def vat_number_is_valid(digits: str) -> bool:
    """The check digit of an Italian partita IVA (also the numeric codice fiscale of a body)."""
    if not re.fullmatch(r"[0-9]{11}", digits) or digits == "0" * 11:
        return False
    total = 0
    for position, char in enumerate(digits[:10]):
        value = int(char)
        if position % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return (10 - total % 10) % 10 == int(digits[10])


def _is_phone(candidate: str) -> bool:
    if _DATE.fullmatch(candidate) or _THOUSANDS.fullmatch(candidate):
        return False  # 03/05/2024, 300.000.000
    digits = re.sub(r"[^0-9]", "", candidate)
    if candidate.startswith("+39"):
        digits = digits[2:]
    elif candidate.startswith("0039"):
        digits = digits[4:]
    if digits.startswith("3"):  # mobile: 3xx and six or seven more digits
        return 9 <= len(digits) <= 10
    return digits.startswith("0") and 7 <= len(digits) <= 11  # fixed: the area code starts with 0


def _fold(text: str) -> str:
    return "".join(
        piece
        for char in text
        for piece in unicodedata.normalize("NFKD", char.casefold())
        if not unicodedata.combining(piece)
    )


def _folded_with_map(text: str) -> tuple[str, list[int]]:
    """`text` folded (lower case, no accents) and, for each folded character, its index in `text`."""
    folded: list[str] = []
    index: list[int] = []
    for position, char in enumerate(text):
        for piece in _fold(char):
            folded.append(piece)
            index.append(position)
    return "".join(folded), index


def _name_variants(name: str, *, organisation: bool) -> set[str]:
    """The folded forms of `name` to look for."""
    folded = " ".join(re.sub(r"[\W_]+", " ", _fold(name)).split())
    if len(folded) < MIN_NAME_PART:
        return set()
    variants = {folded}
    if organisation:
        core = folded
        for words in _LEGAL_FORM_WORDS:
            core = re.sub(rf"\b{re.escape(words)}\b", " ", core)
        core = " ".join(core.split())
        if len(core) >= MIN_NAME_PART:
            variants.add(core)
    else:
        variants.update(word for word in folded.split() if len(word) >= MIN_NAME_PART)
    return variants


def _replace_names(
    text: str, names: Iterable[str], placeholder: str, *, organisation: bool
) -> tuple[str, int]:
    # The longest forms first, whichever name they come from: "Lucia Verdi" before "Lucia".
    variants = sorted(
        {variant for name in names for variant in _name_variants(name, organisation=organisation)},
        key=lambda variant: (-len(variant), variant),
    )
    count = 0
    for variant in variants:
        # Whole words; any punctuation between them ("Amici del-Parco"); never inside a placeholder.
        words = r"[\W_]+".join(map(re.escape, variant.split()))
        pattern = re.compile(rf"(?<![\w\[]){words}(?![\w\]])")
        folded, index = _folded_with_map(text)
        pieces: list[str] = []
        last = 0
        for match in pattern.finditer(folded):
            start, end = index[match.start()], index[match.end() - 1] + 1
            pieces += [text[last:start], placeholder]
            last = end
            count += 1
        text = "".join(pieces) + text[last:]
    return text, count


def anonymise(text: str, *, people: Sequence[str] = (), organisations: Sequence[str] = ()) -> Anonymised:
    """`text` with personal data replaced by placeholders, and how many of each were replaced.

    `people` are names of persons (the asker's full name), `organisations` names of bodies. Placeholders
    are never replaced again: anonymising twice changes nothing more.
    """
    replaced: Counter[str] = Counter()

    def sub(
        pattern: re.Pattern[str], placeholder: str, text: str, keep: Callable[[str], bool] | None = None
    ) -> str:
        def replace(match: re.Match[str]) -> str:
            found = match.group(0)
            if keep is not None and not keep(found):
                return found
            replaced[placeholder] += 1
            return placeholder

        return pattern.sub(replace, text)

    text = sub(_EMAIL, EMAIL, text)
    text = sub(_IBAN, IBAN, text, keep=_is_iban)
    text = sub(_PERSON_TAX_CODE, TAX_CODE, text)
    # Eleven digits are a partita IVA (or a body's codice fiscale), even with a wrong check digit,
    # unless they make a phone number and the check digit does not confirm the partita IVA.
    text = sub(
        _VAT_NUMBER,
        VAT_NUMBER,
        text,
        keep=lambda found: vat_number_is_valid(found[-11:]) or not _is_phone(found),
    )
    text = sub(_PHONE, PHONE, text, keep=_is_phone)
    text, count = _replace_names(text, organisations, ORGANISATION, organisation=True)
    replaced[ORGANISATION] += count
    text, count = _replace_names(text, people, PERSON, organisation=False)
    replaced[PERSON] += count
    return Anonymised(text=text, replaced=+replaced)


def find_personal_data(
    text: str, *, people: Sequence[str] = (), organisations: Sequence[str] = ()
) -> list[str]:
    """The kinds of personal data left in `text`, as their placeholders in a stable order; empty if none."""
    found = anonymise(text, people=people, organisations=organisations).replaced
    return [placeholder for placeholder in PLACEHOLDERS if found.get(placeholder)]
