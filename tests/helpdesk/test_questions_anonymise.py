"""The anonymiser: emails, phone numbers, codici fiscali, partite IVA, IBANs and the names given become
placeholders; dates, amounts, laws and references stay."""

from __future__ import annotations

import pytest

from welfarelab.helpdesk.anonymise import (
    EMAIL,
    IBAN,
    ORGANISATION,
    PERSON,
    PHONE,
    TAX_CODE,
    VAT_NUMBER,
    anonymise,
    find_personal_data,
    iban_is_valid,
    vat_number_is_valid,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("scrivete a mario.rossi@example.it, grazie", f"scrivete a {EMAIL}, grazie"),
        ("Mail: M.Rossi+aps@posta.comune.roma.it.", f"Mail: {EMAIL}."),
        ("cell. 333 123 4567", f"cell. {PHONE}"),
        ("cell. 3331234567", f"cell. {PHONE}"),
        ("tel. +39 06 1234 5678", f"tel. {PHONE}"),
        ("tel. 0039 011.123.4567", f"tel. {PHONE}"),
        ("tel. 06-12345678 (ufficio)", f"tel. {PHONE} (ufficio)"),
        ("il mio CF è RSSMRA80A41H501Z.", f"il mio CF è {TAX_CODE}."),
        ("cf rssmra80a41h501z", f"cf {TAX_CODE}"),
        ("omocodia: RSSMRA8LA41H5L1Z", f"omocodia: {TAX_CODE}"),
        ("P.IVA 01234567897", f"P.IVA {VAT_NUMBER}"),
        ("P.IVA IT01234567897", f"P.IVA {VAT_NUMBER}"),
        ("CF dell'associazione 97123450011", f"CF dell'associazione {VAT_NUMBER}"),
        ("IBAN IT60 X054 2811 1010 0000 0123 456 presso la banca", f"IBAN {IBAN} presso la banca"),
        ("IBAN IT60X0542811101000000123456.", f"IBAN {IBAN}."),
        ("conto DE89 3704 0044 0532 0130 00", f"conto {IBAN}"),
    ],
)
def test_personal_data_becomes_a_placeholder(text, expected):
    assert anonymise(text).text == expected


@pytest.mark.parametrize(
    "text",
    [
        "entro il 30/06/2025 o il 03/05/2024",
        "entrate sotto i 220.000 euro, o 300.000.000 di euro",
        "D.Lgs. 117/2017 art. 79 c. 5, L. 106/2016, DM 106/2020",
        "la domanda SP-2026-000123 sul comune 058091",
        "il 5x1000 del 2023 e l'anno 2024-2025",
        "CAP 00185 Roma",
    ],
)
def test_dates_amounts_laws_and_references_stay(text):
    assert anonymise(text).text == text


def test_names_are_replaced_whole_word_without_minding_case_or_accents():
    result = anonymise(
        "Sono Maria Rossi; ROSSI è il cognome, Rossini no. Scrive anche Niccolò.",
        people=["Maria Rossi", "Niccolo Bianchi"],
    )

    assert result.text == f"Sono {PERSON}; {PERSON} è il cognome, Rossini no. Scrive anche {PERSON}."
    assert result.replaced == {PERSON: 3}


def test_an_organisation_is_found_with_or_without_its_legal_form():
    result = anonymise(
        "L'Associazione Amici del Parco APS chiede… gli amici del parco hanno 30 soci.",
        organisations=["Associazione Amici del Parco APS"],
    )

    assert result.text == f"L'{ORGANISATION} chiede… gli {ORGANISATION} hanno 30 soci."


def test_a_name_too_short_or_inside_a_placeholder_is_left_alone():
    text = "Un [nome] e un [ente] di Al"
    assert anonymise(text, people=["Al", "Nome"], organisations=["Ente"]).text == text


def test_anonymising_twice_changes_nothing_more():
    once = anonymise(
        "Maria Rossi, maria@example.it, 333 1234567, RSSMRA80A41H501Z, Amici del Parco",
        people=["Maria Rossi"],
        organisations=["Amici del Parco"],
    )
    twice = anonymise(once.text, people=["Maria Rossi"], organisations=["Amici del Parco"])

    assert once.replaced == {PERSON: 1, EMAIL: 1, PHONE: 1, TAX_CODE: 1, ORGANISATION: 1}
    assert twice.text == once.text
    assert not twice.changed


def test_find_personal_data_names_what_is_left_in_a_stable_order():
    assert find_personal_data("Chiamate Rossi al 333 1234567", people=["Maria Rossi"]) == [PHONE, PERSON]
    assert find_personal_data("Un testo generale sul RUNTS.") == []


def test_check_digits():
    assert vat_number_is_valid("01234567897")
    assert not vat_number_is_valid("01234567890")
    assert not vat_number_is_valid("00000000000")
    assert iban_is_valid("IT60 X054 2811 1010 0000 0123 456")
    assert not iban_is_valid("IT61 X054 2811 1010 0000 0123 456")


def test_an_italian_iban_with_a_typo_is_still_replaced():
    assert anonymise("IBAN IT61X0542811101000000123456").text == f"IBAN {IBAN}"
