"""The service is not for general inquiries; requests phrased as questions are still requests."""


import pytest

from intake.inquiry import is_general_inquiry


@pytest.mark.parametrize("text", [
    "How do I renew my iqama?",
    "What are the fees for a family visit visa?",
    "When does the passport office open",
    "Can I travel with an expired exit re-entry visa?",
    "ما هي رسوم تأشيرة الزيارة العائلية؟",
    "كيف أجدد جواز السفر؟",
    "هل يمكنني السفر بتأشيرة خروج وعودة منتهية",
    "متى يتم إصدار الإقامة للمولود؟",
])
def test_a_question_about_nothing_in_particular_is_an_inquiry(text):
    assert is_general_inquiry(text)


@pytest.mark.parametrize("text", [
    "Why does the portal refuse to renew Iqama 2000000006 of my driver?",
    "Can you extend the visit of my brother-in-law 3000000010? The portal shows an error.",
    "How can I finish the exit re-entry for 2000000014? It failed twice online.",
    "لماذا تعذر تجديد إقامة العامل ٢٠٠٠٠٠٠٠٠٦؟",
    "هل يمكن إصدار تأشيرة خروج وعودة للمقيم 2000000006؟ النظام يظهر خطأ",
    "The transaction could not be completed online for Iqama 2000000006",
    "تعذر إكمال المعاملة إلكترونياً لرقم الإقامة 2000000006",
    "Please renew the passport of my son 1000000016, the renewal was rejected online.",
])
def test_a_request_about_a_transaction_is_not_an_inquiry_even_when_it_asks(text):
    assert not is_general_inquiry(text)


@pytest.mark.parametrize("text", [
    "What are the opening hours of the office in Jeddah? my ID is 1000000008",
    "What documents do I need to renew the iqama of 2000000006?",
    "What should I do if my visit visa request is rejected? ID 1000000016",
    "I would like to know the fees for transferring a domestic worker's sponsorship. ID 1000000008",
    "ما هي رسوم تجديد الإقامة؟ رقم إقامتي 2000000006",
    "كم رسوم تأشيرة الخروج والعودة؟ هويتي 1000000008",
    "وش الأوراق المطلوبة لنقل الكفالة؟ اقامتي ٢٠٠٠-٠٠٠-٠٠٠٦",
    "ماذا أفعل إذا رفض طلب الزيارة العائلية؟ هويتي 1000000008",
])
def test_the_identity_number_the_rules_require_does_not_make_a_question_concrete(text):
    assert is_general_inquiry(text)


@pytest.mark.parametrize("text", [
    "Why was the renewal of Iqama 2000000006 refused?",
    "Please transfer the sponsorship of my driver 2000000006 to the new employer; the request is stuck",
    "I need the newborn added to my record 1000000008, the birth certificate is attached",
    "What is the status of my request 5541230? It is about the transfer of worker 2000000014.",
    "The renewal could not be completed online for me.",
    "The transaction could not be completed online (request 3) for ID 2000000006; the portal gave an error.",
    "تعذر إكمال المعاملة إلكترونياً عبر البوابة (طلب 3) لصاحب الرقم 2000000006، وظهرت رسالة خطأ.",
    "ليش ما ينحذف التابع ٢٠٠٠٠٠٠٠١٤ من سجلي؟ غادر نهائي من سنة",
    "ابي اصدر خروج وعودة لزوجتي 2000000014 وما قدرت، يطلع لي الجواز منتهي",
    "أرجو إضافة المولود إلى سجل الأسرة، رقم الهوية 1000000008، مرفق شهادة الميلاد",
])
def test_a_request_without_a_question_word_or_with_one_is_accepted(text):
    assert not is_general_inquiry(text)


@pytest.mark.parametrize("text", ["", "1000000008 help", "?", "؟", "x" * 4000])
def test_a_text_with_nothing_to_weigh_is_not_refused_as_an_inquiry(text):
    assert not is_general_inquiry(text)


@pytest.mark.parametrize(("text", "inquiry"), [
    ("ما هي رسوم تجديد الإقامة؟ ", True), ("Why? If not, what?, ", True), ("لم ما ", False), ("does x ", False),
])
def test_a_description_of_the_longest_allowed_length_is_decided(text, inquiry):
    """Repetitive text of the longest allowed length, which would make a backtracking pattern run away (the
    suite's timeout would end it)."""
    assert is_general_inquiry((text * 4000)[:4000]) is inquiry
