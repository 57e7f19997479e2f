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
