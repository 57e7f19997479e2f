"""Is a description only a general question, with no transaction behind it? The service does not take those.

A description is a general inquiry when it is phrased as a question (a question mark, or it opens
with a question word) and names nothing of a transaction: no identity number, no tracking or
application number, and no sign of a procedure that failed ("could not", "error", "تعذر", "رفض"…).
"Why was the renewal of Iqama 2000000006 refused?" is a request; "How do I renew an Iqama?" is not.
"""

import re

from intake.identity import normalise_digits

_QUESTION_WORDS = (
    r"(what|what's|how|when|where|why|which|who|whom|is|are|can|could|do|does|did|should|may|will|would"
    r"|هل|ما|ماذا|ماهي|ماهو|كيف|متى|أين|اين|لماذا|كم|بكم)"
)
_OPENS_WITH_QUESTION = re.compile(rf"^\W*(?:please\W+|لو سمحت\W+|من فضلك\W+)?{_QUESTION_WORDS}\b", re.IGNORECASE)
_PROBLEM = re.compile(
    r"could ?n[o']t|can ?n[o']t|unable|not able|failed|fails|failure|error|rejected|refused|declined|stuck"
    r"|not working|does ?n[o']t work|did ?n[o']t|won'?t|blocked|suspended|pending|not completed|incomplete"
    r"|تعذر|يتعذر|لم أتمكن|لم اتمكن|لا أستطيع|لا استطيع|لا يمكنني|لم يتم|خطأ|خطا|رفض|مرفوض|فشل|لم تكتمل|لم يكتمل"
    r"|معلق|متوقف|توقف|لا يعمل|إيقاف|ايقاف|موقوف|مشكلة|عطل|ما قدرت|ما تمكنت",
    re.IGNORECASE,
)
_REFERENCE = re.compile(r"\d{6,}")


def is_general_inquiry(description: str) -> bool:
    text = " ".join(normalise_digits(description).split())
    asks = "?" in text or "؟" in text or bool(_OPENS_WITH_QUESTION.match(text))
    concrete = bool(_PROBLEM.search(text)) or bool(_REFERENCE.search(re.sub(r"[ \-]", "", text)))
    return asks and not concrete
