"""SMS length: the encoding a text needs, how many segments it takes, and shortening it to fit.

GSM-7 (GSM 03.38) carries 160 septets in one SMS and 153 per segment of a concatenated one; an
extension-table character takes two septets (escape + code) and is never split across segments.
Any other character forces UCS-2: 70 UTF-16 code units in one SMS, 67 per concatenated segment;
a character outside the BMP (an emoji) takes two units and is never split across segments.
"""

from typing import Literal

Encoding = Literal["GSM-7", "UCS-2"]

GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
"""The GSM 03.38 default alphabet, one septet each (the escape code itself is not a character)."""

GSM_EXTENSION = frozenset("^{}\\[~]|€\f")
"""The GSM 03.38 extension table: two septets each."""

LIMITS: dict[Encoding, tuple[int, int]] = {"GSM-7": (160, 153), "UCS-2": (70, 67)}
"""Per encoding: units in a single SMS, units per segment of a concatenated SMS."""

ELLIPSIS = "…"


def encoding(text: str) -> Encoding:
    """GSM-7 if every character is in the GSM 03.38 basic or extension table, else UCS-2."""
    return "GSM-7" if all(c in GSM_BASIC or c in GSM_EXTENSION for c in text) else "UCS-2"


def _cost(char: str, enc: Encoding) -> int:
    """Units one character takes: septets in GSM-7, UTF-16 code units in UCS-2."""
    if enc == "GSM-7":
        return 2 if char in GSM_EXTENSION else 1
    return 2 if ord(char) > 0xFFFF else 1


def segments(text: str) -> int:
    """How many SMS segments `text` takes (an empty text still takes one)."""
    enc = encoding(text)
    single, per_segment = LIMITS[enc]
    costs = [_cost(c, enc) for c in text]
    if sum(costs) <= single:
        return 1
    count, used = 1, 0
    for cost in costs:
        if used + cost > per_segment:
            count, used = count + 1, 0
        used += cost
    return count


def fit(text: str, max_segments: int, ellipsis: str = ELLIPSIS) -> str:
    """`text` unchanged if it fits in `max_segments`, else its longest fitting prefix ending with `ellipsis`.

    The cut falls on whole characters (never inside a surrogate pair) and, when a space lies within
    the last 20 characters kept, on that space. The result is measured as a whole, so an ellipsis
    outside GSM-7 (the default "…") turns a GSM-7 text into UCS-2 and is budgeted as such.
    """
    if max_segments < 1:
        raise ValueError(f"max_segments must be at least 1, not {max_segments}")
    if segments(text) <= max_segments:
        return text

    def shortened(n: int) -> str:
        return text[:n].rstrip() + ellipsis

    if segments(ellipsis) > max_segments:
        raise ValueError(f"the ellipsis {ellipsis!r} alone takes more than {max_segments} segments")
    low, high = 0, len(text) - 1
    while low < high:
        mid = (low + high + 1) // 2
        if segments(shortened(mid)) <= max_segments:
            low = mid
        else:
            high = mid - 1
    space = max(text.rfind(" ", 0, low), text.rfind("\n", 0, low))
    if space > 0 and low - space <= 20 and text[:space].strip() and segments(shortened(space)) <= max_segments:
        low = space
    return shortened(low)
