"""Notification rendering: every event in both languages over both channels, and what each must and must not say."""

import itertools
from datetime import UTC, datetime

import pytest
from jinja2 import UndefinedError

from notify.render import CHANNELS, EVENT_TYPES, LANGUAGES, TEMPLATES_VERSION, Message, format_when, render
from notify.segments import encoding, segments
from routing.rules import load

RULES = load()
TRACKING = "TW2600000018"
UTC_NOON = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)  # 15:00 in Riyadh

CONTEXT = {
    "tracking_number": TRACKING,
    "department": "passports",
    "due_at": UTC_NOON,
    "question": "Please upload a clear copy of the passport's data page.",
    "outcome": "completed",
    "public_reply": "Your passport has been renewed; you can collect it from the Riyadh office.",
    "new_due_at": datetime(2026, 12, 7, 9, 30, tzinfo=UTC),
}
CONTEXT_AR = CONTEXT | {
    "question": "يُرجى إرفاق صورة واضحة من صفحة بيانات الجواز.",
    "public_reply": "تم تجديد جوازك، ويمكنك استلامه من مكتب الرياض.",
}
NEEDS = {
    "RequestSubmitted": {"tracking_number"},
    "Routed": {"tracking_number", "department", "due_at"},
    "InfoRequested": {"tracking_number", "question"},
    "Resolved": {"tracking_number", "outcome", "public_reply"},
    "SlaBreached": {"tracking_number", "new_due_at"},
}
EVERY = list(itertools.product(EVENT_TYPES, LANGUAGES, CHANNELS))


def context(language: str) -> dict:
    return CONTEXT_AR if language == "ar" else CONTEXT


def test_the_product_is_five_events_two_languages_two_channels():
    assert len(EVERY) == 20 and set(EVENT_TYPES) == set(NEEDS)
    assert TEMPLATES_VERSION


@pytest.mark.parametrize(("event_type", "language", "channel"), EVERY)
def test_every_message_renders_with_the_tracking_number(event_type, language, channel):
    message = render(event_type, language, channel, context(language))
    assert isinstance(message, Message)
    assert TRACKING in message.text
    if channel == "email":
        assert message.subject and TRACKING in message.subject and "\n" not in message.subject
        assert message.html and TRACKING in message.html
        assert message.html.lstrip().startswith("<!DOCTYPE html>")
        direction = 'dir="rtl"' if language == "ar" else 'dir="ltr"'
        assert f'lang="{language}"' in message.html and direction in message.html
        assert ("text-align:right" in message.html) == (language == "ar")
    else:
        assert message.subject is None and message.html is None
        assert segments(message.text) <= 3
        assert "…" not in message.text and "..." not in message.text  # typical content is not shortened
        assert encoding(message.text) == ("UCS-2" if language == "ar" else "GSM-7")


@pytest.mark.parametrize(("event_type", "language"), list(itertools.product(EVENT_TYPES, LANGUAGES)))
def test_typical_sms_take_one_or_two_segments_in_english_and_at_most_three_in_arabic(event_type, language):
    assert segments(render(event_type, language, "sms", context(language)).text) <= (3 if language == "ar" else 2)


@pytest.mark.parametrize(("event_type", "language", "channel"), EVERY)
def test_every_message_needs_each_of_its_values(event_type, language, channel):
    for key in NEEDS[event_type]:
        incomplete = {k: v for k, v in context(language).items() if k != key}
        with pytest.raises(UndefinedError):
            render(event_type, language, channel, incomplete)


@pytest.mark.parametrize(("event_type", "language", "channel"), EVERY)
def test_an_internal_note_is_never_sent(event_type, language, channel):
    message = render(event_type, language, channel, context(language) | {"internal_note": "SECRET-NOTE-42"})
    assert all("SECRET-NOTE-42" not in (part or "") for part in (message.subject, message.text, message.html))


@pytest.mark.parametrize(("language", "channel"), list(itertools.product(LANGUAGES, CHANNELS)))
def test_the_due_date_is_shown_in_riyadh_time(language, channel):
    message = render("Routed", language, channel, context(language))
    shown = "15:00 (Riyadh time)" if language == "en" else "3:00 م بتوقيت الرياض"
    assert shown in message.text
    assert "12:00" not in message.text
    weekday = "Monday 30 November 2026" if language == "en" else "الاثنين 30 نوفمبر 2026"
    assert weekday in message.text
    if message.html:
        assert shown in message.html


def test_dates_are_localised_and_converted_across_midnight():
    late = datetime(2026, 11, 30, 22, 5, tzinfo=UTC)  # 01:05 on Tuesday 1 December in Riyadh
    assert format_when(late, "en") == "Tuesday 1 December 2026, 01:05 (Riyadh time)"
    assert format_when(late, "ar") == "الثلاثاء 1 ديسمبر 2026، 1:05 ص بتوقيت الرياض"
    assert format_when(datetime(2026, 11, 30, 9, 0, tzinfo=UTC), "ar").endswith("12:00 م بتوقيت الرياض")
    with pytest.raises(ValueError):
        format_when(datetime(2026, 11, 30, 12, 0), "en")


@pytest.mark.parametrize("channel", CHANNELS)
def test_the_new_due_date_of_a_breach_is_shown_in_riyadh_time(channel):
    assert "Monday 7 December 2026, 12:30 (Riyadh time)" in render("SlaBreached", "en", channel, CONTEXT).text
    assert "الاثنين 7 ديسمبر 2026، 12:30 م بتوقيت الرياض" in render("SlaBreached", "ar", channel, CONTEXT_AR).text


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_routed_case_without_a_due_date_leaves_it_out(language):
    message = render("Routed", language, "email", context(language) | {"due_at": None})
    assert "2026" not in message.text and "2026" not in (message.html or "")


@pytest.mark.parametrize(
    ("language", "department", "name"),
    [("en", "passports", "Passports Department"), ("ar", "passports", "إدارة الجوازات"),
     ("en", "general-desk", "General Services Desk"), ("ar", "residency-riyadh", "إدارة شؤون الإقامة"),
     ("en", "unknown-unit", "unknown-unit")],
)
def test_departments_are_named_in_the_language_or_shown_by_code(language, department, name):
    named = {"department": department, "department_names": RULES.names_of(department)}  # as `Routed` carries them
    assert name in render("Routed", language, "sms", context(language) | named).text


@pytest.mark.parametrize(
    ("language", "outcome", "label"),
    [("en", "completed", "completed"), ("en", "rejected", "rejected"), ("ar", "completed", "مكتمل"),
     ("ar", "rejected", "مرفوض"), ("en", "closed_no_response", "closed for lack of a reply"),
     ("ar", "closed_no_response", "مغلق لعدم الرد")],
)
def test_outcomes_are_localised(language, outcome, label):
    for channel in CHANNELS:
        message = render("Resolved", language, channel, context(language) | {"outcome": outcome})
        assert label in message.text and context(language)["public_reply"] in message.text


@pytest.mark.parametrize("language", LANGUAGES)
def test_info_requested_says_what_how_and_that_the_clock_is_paused(language):
    for channel in CHANNELS:
        text = render("InfoRequested", language, channel, context(language)).text
        assert context(language)["question"] in text
        assert ("Tawasul portal" if language == "en" else "بوابة تواصل") in text
        assert ("7-working-day" if language == "en" else "7 أيام عمل") in text
        assert ("paused" if language == "en" else "متوقفة") in text


@pytest.mark.parametrize(("language", "event_type"), list(itertools.product(LANGUAGES, ["Resolved", "InfoRequested"])))
def test_html_escapes_the_officers_text(language, event_type):
    hostile = '<script>alert("x")</script> & <b>bold</b>\nsecond line'
    message = render(event_type, language, "email", context(language) | {"public_reply": hostile, "question": hostile})
    assert "<script>" not in message.html and "<b>bold</b>" not in message.html
    assert "&lt;script&gt;" in message.html and "&amp;" in message.html
    assert "<br>" in message.html  # line breaks kept
    assert hostile in message.text  # plain text is not escaped


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_long_reply_is_shortened_to_the_segment_budget(language):
    reply = ("تم تجديد جوازك. " if language == "ar" else "Your passport has been renewed. ") * 60
    for max_segments in (1, 2, 3, 4):
        text = render("Resolved", language, "sms", context(language) | {"public_reply": reply},
                      max_sms_segments=max_segments).text
        assert segments(text) <= max_segments
        assert TRACKING in text
        assert text.endswith("…" if language == "ar" else "...")  # "…" would make a GSM-7 SMS UCS-2


def test_content_outside_gsm7_makes_an_english_sms_ucs2():
    text = render("Resolved", "en", "sms", CONTEXT | {"public_reply": "تم تجديد جوازك"}).text
    assert encoding(text) == "UCS-2" and segments(text) <= 3


@pytest.mark.parametrize(
    ("event_type", "language", "channel"),
    [("Unknown", "en", "email"), ("routed", "en", "sms"), ("Routed", "fr", "email"), ("Routed", "en", "fax")],
)
def test_an_unknown_event_language_or_channel_is_a_lookup_error(event_type, language, channel):
    with pytest.raises(LookupError):
        render(event_type, language, channel, CONTEXT)


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_rejection_tells_its_reason_in_the_beneficiary_s_language_on_every_channel(language):
    rejected = context(language) | {"outcome": "rejected", "rejection_reason": "violations_outstanding"}
    reason = {"en": "violations or fines must be settled first", "ar": "وجود مخالفات أو غرامات يلزم سدادها أولًا"}
    for channel in CHANNELS:
        message = render("Resolved", language, channel, rejected)
        assert reason[language] in message.text
        if message.html is not None:
            assert reason[language] in message.html
    completed = render("Resolved", language, "email", context(language) | {"outcome": "completed",
                                                                            "rejection_reason": None})
    assert reason[language] not in completed.text
