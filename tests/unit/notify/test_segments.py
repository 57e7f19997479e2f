"""SMS length: GSM-7 and UCS-2 segment boundaries, and shortening a text to fit."""

import pytest

from notify.segments import encoding, fit, segments

ARABIC = "ب"
EMOJI = "😀"


@pytest.mark.parametrize(
    ("length", "expected"), [(1, 1), (160, 1), (161, 2), (306, 2), (307, 3), (459, 3), (460, 4)]
)
def test_gsm7_takes_160_septets_alone_and_153_per_concatenated_segment(length, expected):
    assert encoding("a" * length) == "GSM-7"
    assert segments("a" * length) == expected


@pytest.mark.parametrize(("count", "expected"), [(80, 1), (81, 2)])
def test_extension_characters_take_two_septets(count, expected):
    assert encoding("€" * count) == "GSM-7"
    assert segments("€" * count) == expected


@pytest.mark.parametrize("char", list("^{}\\[~]|€\f"))
def test_every_extension_character_is_gsm7_and_counts_double(char):
    assert encoding(char) == "GSM-7"
    assert segments(char * 80) == 1
    assert segments(char * 81) == 2


def test_an_extension_character_is_not_split_across_segments():
    # 152 septets then "€": 154 septets do not fit the first 153-septet segment; 152 + 2 + 152 + 2 > 306
    assert segments("a" * 152 + "€" + "a" * 151 + "€") == 3
    assert segments("a" * 151 + "€" + "a" * 151 + "€") == 2


def test_gsm7_basic_characters_beyond_ascii_stay_gsm7():
    assert encoding("@£$¥èéùìòÇØøÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ¤¡ÄÖÑÜ§¿äöñüà\n\r") == "GSM-7"


@pytest.mark.parametrize("char", ["…", "’", "—", "ç", "`", "\t"])
def test_a_character_outside_gsm7_forces_ucs2(char):
    assert encoding("plain text " + char) == "UCS-2"


@pytest.mark.parametrize(
    ("length", "expected"), [(1, 1), (70, 1), (71, 2), (134, 2), (135, 3), (201, 3), (202, 4)]
)
def test_ucs2_takes_70_units_alone_and_67_per_concatenated_segment(length, expected):
    assert encoding(ARABIC * length) == "UCS-2"
    assert segments(ARABIC * length) == expected


def test_an_emoji_forces_ucs2_and_counts_two_units():
    assert encoding("hello " + EMOJI) == "UCS-2"
    assert segments(EMOJI * 35) == 1
    assert segments(EMOJI * 36) == 2
    assert segments("a" * 68 + EMOJI) == 1
    assert segments("a" * 69 + EMOJI) == 2


def test_a_surrogate_pair_is_not_split_across_segments():
    assert segments("a" * 66 + EMOJI + "a" * 66) == 3  # 134 units, but the pair cannot straddle units 67 and 68
    assert segments("a" * 65 + EMOJI + "a" * 67) == 2


def test_an_empty_text_still_takes_one_segment():
    assert encoding("") == "GSM-7"
    assert segments("") == 1


@pytest.mark.parametrize(
    "text",
    ["", "short", "a" * 459, ARABIC * 201, "€" * 229, EMOJI * 100],
)
def test_fit_leaves_a_fitting_text_unchanged(text):
    if segments(text) <= 3:
        assert fit(text, 3) == text


@pytest.mark.parametrize("max_segments", [1, 2, 3, 5])
@pytest.mark.parametrize(
    "text",
    [
        "a" * 1000,
        "word " * 300,
        ARABIC * 1000,
        "كلمة " * 300,
        "€" * 1000,
        EMOJI * 500,
        "a" * 66 + EMOJI * 300,
        "ab" + EMOJI * 300,
        "Tawasul: your request TW2600000018 has been completed. Our reply: " + "x" * 900,
    ],
)
def test_fit_shortens_to_fit_and_ends_with_an_ellipsis(text, max_segments):
    fitted = fit(text, max_segments)
    assert segments(fitted) <= max_segments
    assert fitted.endswith("…")
    assert text.startswith(fitted[:-1])
    assert not any(0xD800 <= ord(c) <= 0xDFFF for c in fitted)
    fitted.encode("utf-16-le")  # whole surrogate pairs only: a lone surrogate would fail to encode


def test_fit_fills_the_budget():
    fitted = fit(ARABIC * 1000, 2)
    assert len(fitted) == 134 and segments(fitted) == 2
    # "…" is not GSM-7, so a GSM-7 text ending with it is measured as UCS-2
    assert len(fit("a" * 1000, 1)) == 70
    assert fit("a" * 1000, 1, ellipsis="...") == "a" * 157 + "..."


def test_fit_prefers_to_cut_between_words():
    fitted = fit("word " * 300, 1, ellipsis="...")
    assert fitted.endswith("word...")
    assert segments(fitted) == 1


def test_fit_refuses_less_than_one_segment():
    with pytest.raises(ValueError):
        fit("text", 0)
