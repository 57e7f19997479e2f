"""Identity numbers: kinds, check digits, and finding them in text however they are written."""

import pytest

from intake.identity import Kind, kind_of, numbers_in


@pytest.mark.parametrize(("number", "kind"), [
    ("1000000008", Kind.NATIONAL_ID),
    ("2000000006", Kind.IQAMA),
    ("3000000010", Kind.BORDER_NUMBER),
    ("4123456789", Kind.BORDER_NUMBER),
])
def test_valid_numbers_have_their_kind(number, kind):
    assert kind_of(number) is kind


@pytest.mark.parametrize("number", [
    "1000000007",  # national ID, wrong check digit
    "2000000007",  # Iqama, wrong check digit
    "5000000000",  # no such kind
    "0500000000",  # a mobile number
    "200000000",  # nine digits
    "20000000060",  # eleven digits
    "٢٠٠٠٠٠٠٠٠٦",  # must be normalised first
])
def test_invalid_numbers_have_no_kind(number):
    assert kind_of(number) is None


@pytest.mark.parametrize("text", [
    "Iqama 2000000006 renewal failed",
    "رقم الإقامة ٢٠٠٠٠٠٠٠٠٦",
    "رقم الإقامة ۲۰۰۰۰۰۰۰۰۶",  # Eastern Arabic-Indic, as Persian and Urdu keyboards type it
    "Iqama 2000 000 006",
    "Iqama 2000-000-006",
    "الإقامة ٢٠٠٠-٠٠٠-٠٠٦ لم تُجدد",
    "(2000000006)",
])
def test_a_number_is_found_however_it_is_written(text):
    assert "2000000006" in numbers_in(text)


def test_two_numbers_side_by_side_are_both_found_and_longer_runs_are_not_ids():
    assert numbers_in("1000000008 2000000006") == {"1000000008", "2000000006"}
    assert numbers_in("call +966 50 000 0000 or 00966500000000") == set()
    assert "2000000006" not in numbers_in("20000000061")
