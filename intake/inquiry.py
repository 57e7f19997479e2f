"""Is a description only a general question, with no transaction behind it? The service does not take those.

Every description must carry the subject's ten-digit identity number (a separate rule), so that number
cannot be what makes a description concrete: "What are the opening hours of the Jeddah office? My ID
is 1000000008" is still a general inquiry, and "Why was the renewal of Iqama 2000000006 refused?" is a
request. The rule decides from the rest of the text, in Arabic and in English, by weighing evidence of
a concrete request against evidence of a general question.

1. Normalise. Arabic-Indic digits become ASCII; Arabic letter variants are folded (أ إ آ → ا, ى → ي,
   ة → ه, ؤ → و, ئ → ي; diacritics and tatweel dropped); ؟ is read as ?; everything is lower-cased.
2. Numbers. A reference of the writer's own case counts 3 towards a request: a number introduced by
   request/application/ref/report no. or طلب رقم/رقم الطلب/رقم البلاغ, or a code of letters and digits
   (a TW… tracking number, an application code such as VV-2231877, a passport number such as
   A12345678). Then every run of five or more digits, however grouped by spaces or dashes, is removed:
   identity numbers give no evidence either way.
3. Request evidence, each kind counted once:
   5  a failure, refusal, error or wrong record (could not, rejected, error, mismatch, not updated;
      تعذر, رفض, خطأ, لم + verb, ما قدرت, ما يقبل, غير مطابق …);
   3  asking the service to do something to a case (please/kindly/can you + renew, issue, cancel …;
      I need/want/we'd like + an action; an imperative opening such as "Cancel the …"; أرجو, نرجو, فضلاً,
      ابي, ودي, نحتاج + an action; وش الحل);
   3  a reference (step 2);
   2  a first-person attempt (I tried, we applied, paid, every time; حاولت, قدمت, جددت, كل مرة);
   2  what the portal answered (it says, the system shows, I get; يظهر لي, تطلع رسالة, يقول);
   2  a stalled state (still, under processing, two weeks ago; ما زال, لا يزال, تحت الإجراء, منذ);
   2  an attachment (attached, enclosed; مرفق);
   2  something that happened to a person or document (lost my, was stolen, torn, absconded, passed
      away, expired while; ضاع, انسرق, تلف, هرب, توفي, انتهت);
   1  a person of the writer's own (my son, our driver; زوجتي, ولدي, العامل).
   A clause opened by if/in case/إذا/لو/في حال is left out of this count: what it describes is supposed,
   not something that happened ("What should I do if the visa is rejected?").
4. Inquiry evidence:
   1  a question mark;
   2  a clause that opens with a question word (what, how, can I, is there; هل, ما, كيف, كم, وش, وين, ممكن)
      or ends with one ("… how long", "… ايش؟"); only 1 when the word is why/لماذا/ليش/ليه, which
      usually complain about the writer's own case;
   2 or 3 for each topic a general question is about: fees and cost; opening hours and days; places and
      addresses; eligibility, conditions and required documents; how to do something; durations,
      deadlines and validity; differences and kinds; contact numbers (3); saying outright that one asks
      (3: inquiry, question, I'd like to know, please advise; استفسار, سؤال, ابي اعرف, أرجو إفادتي).
      The topics together give at most `TOPICS_CAP` (4): a question about fees and hours is no more a
      general inquiry than a question about fees.
5. A description is a general inquiry when its inquiry evidence exceeds its request evidence by at
   least `THRESHOLD`.

Where the threshold sits, and why
---------------------------------
A wrongly refused request costs a beneficiary a stalled transaction and a second attempt; a missed
inquiry only costs a caseworker a short reply. So the rule leans towards accepting.

`THRESHOLD` is 3. Inquiry evidence is at most 7 (1 + 2 + 4), so:
- a description that reports a failure (5) is never refused, whatever it asks: 7 - 5 < 3;
- a typical general question ("What are the fees? 1000000008": 1 + 2 + 2 = 5) is refused when it shows
  at most 2 points of a case of the writer's ("for my son" 1, an attachment 2) and accepted with 3 or
  more (it asks the service to act, names a reference, or shows two signs such as an attempt and an
  answer of the portal);
- a question mark and a question word with no topic (3), or a statement that says outright that it
  asks (3), are refused only when nothing at all points to a case.
On the labelled tuning set in tests/unit/intake/inquiries/ every general inquiry scores a margin of
at least 3 and no request more than 1: 3 is the most accepting threshold that still refuses them, and
the request closest to being refused would need two more points of inquiry evidence to be.
`tests/unit/intake/test_inquiry_measured.py` prints precision and recall on that set and on a
held-out one.
"""

import re
from typing import NamedTuple

from intake.identity import normalise_digits

THRESHOLD = 3
TOPICS_CAP = 4

_FOLD = {"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه", "ؤ": "و", "ئ": "ي", "ـ": None}
_LETTERS = str.maketrans(_FOLD)
_TEXT = str.maketrans({**_FOLD, "؟": "?", "،": ",", "؛": ";", "’": "'", "‘": "'", "`": "'"})
_DIACRITICS = re.compile(r"[\u064b-\u0652\u0670]")
_DIGIT_RUN = re.compile(r"\d+(?:[ \u00a0\-\u2010-\u2015/]\d+)*")


def _rx(*alternatives: str) -> re.Pattern[str]:
    """One pattern from alternatives written naturally: Arabic letters are folded as the text is."""
    return re.compile("|".join(f"(?:{_DIACRITICS.sub('', a.translate(_LETTERS))})" for a in alternatives))


# An Arabic word may carry a clitic prefix (و ف ب ل ك ال …) but must not sit inside another word.
_AR = r"(?<!\w)(?:[وفبلك]|ال|وال|بال|فال|لل|ولل|وب|ول)?"

# -- a reference of the writer's own case, noticed before digits are removed ----------------------
_REFERENCE = _rx(
    r"\b(?:request|application|app|ref(?:erence)?|tracking|report|case|ticket|order|receipt|invoice|bill)\s*"
    r"(?:no\.?|number|num|#)?\s*[:#]?\s*\d{3,9}\b",
    r"#\s*\d{3,}",
    r"\b[a-z]{1,3}-?\d{5,9}\b",
    r"\btw\d{10}\b",
    _AR + r"(?:طلب|طلبي|البلاغ|بلاغ|المعامله|معامله|فاتوره|سداد)\s+(?:رقم\s*)?[:#]?\s*\d{3,9}(?!\d)",
    _AR + r"رقم\s+(?:الطلب|طلبي|البلاغ|المرجع|التتبع|المعامله|الفاتوره|السداد)\s*[:#]?\s*\d{3,9}(?!\d)",
)

# -- evidence of a request ------------------------------------------------------------------------
_DO_EN = (
    r"(?:re-?new|re-?issue|issue|cancel|correct|update|transfer|extend|add|remove|move|re-?activate|activate|"
    r"re-?print|fix|lift|amend|change|register|process|approve|delete|review|reconsider|finish|complete|"
    r"modify|release|restore|unblock|look into|check (?:my|our|his|her|the|why)|help|solve|resolve|"
    r"expedite|speed up|follow up)"
)
_DO_AR = (
    r"(?:اصدار|اصدر|نصدر|تجديد|اجدد|نجدد|تمديد|امدد|نمدد|الغاء|الغي|نلغي|نقل|انقل|ننقل|تعديل|اعدل|نعدل|تحديث|احدث|"
    r"تصحيح|اصحح|اضافه|اضيف|نضيف|تسجيل|اسجل|نسجل|حذف|احذف|بدل|تاشيره|خروج|طباعه|اعاده|تفعيل|رفع|اطلع|نطلع|"
    r"استخراج|استخرج|معالجه|حل|مساعده|مساعدتي|النظر|اعتماد|ازاله|فك|تغيير|انهاء|متابعه)"
)
_NOT_AFTER = r"(?<!قبل )(?<!بعد )(?<!حسب )(?<!مثل )(?<!كل )(?<!عند )"
_FAILURE = _rx(
    r"\b(?:(?:could|can|did|will|wo|was|were|has|have|had|would)(?:n'?t|\s*not)|cannot|unable|not able|"
    r"(?:does|do|is|are)(?:n'?t|\s+not)\s+(?:\w+\s+)?(?:work|working|show|showing|appear|accept|allow|load|open|"
    r"exist|go|see|get|have|updated|issued|renewed|changed|reflect|there|available|possible|valid|linked|match|"
    r"correspond)|"
    r"fail(?:ed|s|ing|ure)?|errors?|reject(?:ed|s|ion)?|refus(?:e|ed|es|al|ing)|declined?|stuck|stall(?:ed|s)?|"
    r"blocked|suspended|suspension|not working|"
    r"not (?:been )?(?:updated|issued|renewed|printed|received|done|changed|reflected|completed|accepted|approved|"
    r"allowed|linked|found|showing|shown|possible|generated|activated|go(?:ing)? thr(?:ough|u))|never|incomplete|"
    r"mismatch|wrong|mistake|mistakenly|misspel\w*|incorrect|erroneous|twice|deducted|unavailable|invalid|"
    r"expired while|closed without|no (?:reply|response|answer|option|button|way|bill|result)|nothing happen\w*|"
    r"problem|issue with|doesnt|didnt|cant|couldnt|wont|isnt|wasnt)\b",
    _AR + r"(?:تعذر|يتعذر|فشل|رفض|مرفوض|يرفض|ترفض|معلق|متوقف|واقف|متعطل|تعطل|عطل فني|فيه عطل|مشكله|ايقاف|موقوف|"
    r"بالخطا|بالغلط|غلط|خطا(?!ب))",
    r"(?<!\w)[وف]?لم\s+\w+",
    # ما before a verb denies it ("ما يقبل", "ولكن ما وصلتني"), unless it asks what is needed ("ما يلزم") or
    # follows قبل/بعد/كل ("قبل ما تنتهي": before it ends)
    rf"(?<!\w){_NOT_AFTER}[وف]?ما\s+(?!(?:يلزم|يجب|يحتاج|يشترط|يمكن|يسمح|ينبغي|يترتب|يتم|يكون|يعني|يخص|يتعلق)"
    r"(?!\w))ي\w+",
    rf"(?<=\w\s){_NOT_AFTER}ما\s+(?!ال)(?:ت\w+(?<!ه)(?<!ات)|\w+(?<!ا)ت|\w+ني|\w+نا)(?!\w)",
    r"(?<!\w)[وف]?(?:لم|ما)\s+(?:ا|ن)?(?:تمكن|قدر|ضبط|زبط|مشي|مشت|نفع|ينفع|ينجح|نجح|يتم|تم|يقبل|تقبل|ينفذ|يتنفذ|"
    r"يصل|يوصل|وصل|وصلت|وصلني|يصلني|يطلع|تطلع|يظهر|تظهر|يتغير|تغير|تصدر|يصدر|صدر|صدرت|تطبع|ينعكس|تجدد|يتجدد|تكتمل|يكتمل|"
    r"ينحذف|يتحدث|تحدث|يرد|استطيع|اقدر|قدرت|تمكنت|ضبطت|زبطت|تنجح|يكمل|تكمل|اكمل|ينقل|تنقل|يمدد|يتمدد|تمدد|تتمدد|"
    r"يسمح|يشتغل|تشتغل|اشتغل|رضي|يرضي|يرضى|يعمل|تعمل|يعطيني|يعطي|يفتح|تفتح|يمشي|تمشي|يتحرك|تحرك|تحركت|انتقل|"
    r"انتقلت|ينقبل|تنقبل|فيه خيار|في خيار|سافر|جا|جاء|جاني|جاتني|طلع|صار|انضاف|انحذف|ردوا|انقبل|لقيت|لقينا)(?!\w)",
    r"(?<!\w)(?:لا|ولا)\s+(?:استطيع|يمكنني|يمكن|يتيح|يقبل|تقبل|يظهر|تظهر|يوجد|اقدر|نقدر|نستطيع|يسمح|يعمل|تعمل)",
    r"غير\s+(?:متاح|متاحه|مطابق|مطابقه|صحيح|صحيحه|مكتمل|مكتمله|صادره|مسجل|مسجله|مستخدمه|كاف|كافي|مناسب|موجود|موجوده|"
    r"مفعل|مفعله|معروف)",
    _AR + r"(?:خصم|مرتين|بدون\s+(?:سبب|ذكر|تنفيذ|اي سبب)|بلا\s+سبب|تم\s+اغلاق)",
)
_ATTEMPT = _rx(
    r"\b(?:i|we|i've|we've|i have|we have|i had|we had|i did|we did)\s+(?:already\s+|just\s+|also\s+|even\s+)?"
    r"(?:tried|applied|submitted|filed|paid|registered|renewed|transferred|raised|uploaded|bought|requested|attempted|"
    r"reported|sent|made|visited|called|done|did|issued|updated|cancelled|canceled|try|apply|pay|submit)\b",
    r"\b(?:tried|trying|attempt(?:ed|s|ing)?|applied|submitted|every time|each time|again and again|keeps?|kept|"
    r"(?:tried|attempted|failed)\s+(?:\w+\s+){0,3}(?:times|days))\b",
    r"^\W*(?:renewed|paid|applied|submitted|filed|registered|transferred|tried|raised|uploaded)\b",
    r"\b(?:renewed|paid|transferred|registered|filed|cancelled|canceled|updated|changed)\s+(?:his|her|my|our|their|"
    r"the|it|them)\b",
    r"\b(?:is|are|was|were|been|already|fully) paid\b",
    _AR + r"(?:حاولت|حاولنا|احاول|نحاول|جربت|جربنا|قدمت|قدمنا|قمت|قمنا|سجلت|سجلنا|جددت|جددنا|دفعت|دفعنا|سددت|"
    r"سددنا|تم سداد|تم الدفع|مدفوعه|مسدده|ارفقت|ارفقنا|رفعت|رفعنا|سويت|سوينا|عملنا|عملت|نقلت|نقلنا|اصدرنا|اصدرت|"
    r"طلعت|طلعنا|كل مره)",
)
_PORTAL_SAID = _rx(
    r"\b(?:it|system|portal|absher|muqeem|screen|site|app|page|status|message|iqama|passport|visa|record|card)\s+"
    r"(?:\w+\s+)?"
    r"(?:says|said|saying|shows|showed|showing|gives|gave|giving|displays|returns|states|asks|asking|requires|"
    r"requiring|tells|telling)\b",
    r"\b(?:says|shows|showing|gives|gave)\s+(?:me\s+|an?\s+|the\s+)?(?:error|message|that|\"|')",
    r"\b(?:i|we) (?:always |still |keep )?get\b|\b(?:keep|am|i'm|we're|are) getting\b",
    _AR + r"(?:يظهر|تظهر|يطلع|تطلع|يعطيني|يعطي|يقول|تقول|ترجع|يرجع|يطلب|تطلب|يطالب|تطالب)"
    r"(?:ني|لي|لنا|\s+لي|\s+لنا)?(?!\w)"
    r"(?:\s+(?:رساله|ان|خطا|انه|انها))?",
)
_STALLED = _rx(
    r"\b(?:still(?! valid)|yet to|so far|under process(?:ing)?|in process|ago|since (?:last|\d+)|no update|"
    r"(?:waiting|waited|pending|been|since|after|over|more than)\s+(?:for\s+)?(?:\d+|a|one|two|three|four|five|"
    r"a few|several)\s+(?:days?|weeks?|months?))\b",
    _AR + r"(?:ما زال|مازال|ما زالت|لا يزال|لايزال|لا تزال|لازال|لازالت|تحت الاجراء|تحت المعالجه|"
    r"قيد (?:المعالجه|الاجراء)|منذ|من (?:اسبوع|اسبوعين|شهر|شهرين|سنه|يومين|\d+))",
)
_ATTACHED = _rx(r"\b(?:attached|attaching|enclosed|uploaded|see attachment|proof)\b",
                _AR + r"(?:مرفق|مرفقه|المرفق|المرفقه|ارفقت|ارفقنا|ارفاق)")
_EVENT = _rx(
    r"\b(?:lost (?:my|his|her|our|their|the)|was (?:lost|stolen|damaged|torn)|got (?:lost|stolen|damaged|wet)|"
    r"(?:is|are|got|was|has been) (?:torn|damaged|broken|lost|stolen|expired)|stolen|water damaged|absconded|"
    r"ran away|escaped|passed away|died|married|divorced|born (?:on|at|in)|"
    r"came back|returned|left (?:on|the|for)|(?:iqama|passport|visa|permit|it|has|had|have|already)\s+expired|"
    r"ran out|turned \d+)\b",
    _AR + r"(?:ضاع|ضاعت|انسرق|انسرقت|سرق|سرقت|فقدت|فقدنا|تلف|تلفت|تالف|هرب|هربت|متغيب|متغيبه|توفي|توفيت|"
    r"تزوجت|تزوج|انولد|ولدت|رجع|رجعت|غادر|غادرت|سافر|سافرت|انتهت|انتهي|خلصت|خلص)",
)
_ASK_TO_DO = _rx(
    rf"\b(?:please|pls|plz|kindly|urgently)\s+(?:\w+\s+)?{_DO_EN}\b",
    rf"\b(?:can|could|would|will)\s+you\s+(?:please\s+|kindly\s+)?{_DO_EN}\b",
    rf"(?<!do )(?<!did )(?<!can )(?<!should )(?<!would )(?<!will )(?<!must )(?<!if )"
    rf"\b(?:i|we)\s+(?:really\s+|urgently\s+)?(?:need|want|wish|would like|request|ask)\s+(?:you\s+)?(?:to\s+)?"
    rf"(?:have\s+|get\s+)?(?:the\s+|my\s+|our\s+|a\s+)?(?:\w+\s+)?{_DO_EN}",
    rf"\b(?:i'd|we'd) like\s+(?:you\s+)?(?:to\s+)?{_DO_EN}",
    r"(?<!do )(?<!did )(?<!would )(?<!should )(?<!if )\b(?:i|we|i'd|we'd)\s+(?:need|want|would like|like)\b"
    r"[^.?!;]{0,60}?\b(?:changed|updated|corrected|cancelled|canceled|renewed|issued|transferred|removed|added|"
    r"extended|fixed|amended|reprinted|deleted|moved|reactivated)\b",
    rf"\b(?:needs? to be|requesting|request(?:ing)? (?:to|for)|we ask to)\s+(?:to\s+)?(?:\w+\s+)?{_DO_EN}",
    rf"^\W*(?:(?:hello|hi|dear|good (?:morning|evening|afternoon))\W+(?:\w+\W+)?)?{_DO_EN}\b(?!\s+(?:of|for)\s+"
    r"(?:a|an)\b)",
    r"(?:(?<!do )(?<!does )(?<!did )(?<!will )(?<!would )(?<!should )(?<!if )"
    r"\b(?:i|we|he|she)\s+(?:urgently\s+|really\s+)?(?:need|needs|want|wants|am requesting|are requesting)|"
    r"(?:^|[.!?;,:]\s*)(?:need|needs|requesting|request for))\s+(?:a |an |the |his |her |my |our )?(?:\w+\s+)?"
    r"(?:replacement|renewal|extension|transfer|cancellation|correction|update|final exit|exit re-?entry|iqama|"
    r"passport|visa|permit|reprint)\b",
    r"(?<!هل )" + _AR + r"(?:ارجو|نرجو|الرجاء|يرجي|فضلا|من فضلك|من فضلكم|لو سمحتوا|نامل|امل|اطلب|نطلب|ابي|ابغي|"
    r"ابغا|ودي|نبي|نبغي|نبغا|اريد|نريد|ارغب في|ارغب ب|نرغب في|نرغب ب|احتاج|نحتاج|اتمني|نتمني|عايز)"
    rf"\s+(?:\w+\s+)?{_DO_AR}",
    _AR + r"(?:وش الحل|ما الحل|ايش الحل|شو الحل|ساعدوني|تساعدوني|ممكن المساعده)",
)
_OWN_PERSON = _rx(
    r"\b(?:my|our)\s+(?:\w+\s+)?(?:son|daughter|wife|husband|mother|father|mom|dad|brother|sister|driver|worker|"
    r"workers|housemaid|maid|employee|employees|dependent|dependents|uncle|aunt|cousin|nephew|niece|friend|"
    r"colleague|parents|children|kids|child|baby|newborn|nurse|establishment|company|sponsored)\b",
    _AR + r"(?:زوجتي|زوجي|ولدي|ابني|بنتي|ابنتي|امي|والدتي|والدي|ابوي|اخوي|اخي|اختي|عمي|خالي|صديقي|"
    r"طليقتي|عاملتي|سائقي|مكفولي|تابعي|مولودي|اولادي|عيالي|عندي عامل|عامل عندي|العامل|للعامل|العامله|للعامله|"
    r"السائق|للسائق|السواق|الممرضه|المكفول|للمكفول|التابع|للتابع|المقيم|للمقيم)(?!\w)(?!\s+(?:المنزلي|المنزليه)\b)",
)
# What an "if" clause says happened is only supposed: it is no evidence of a case.
_SUPPOSED = _rx(r"\b(?:if|in case|in the event|whether|what happens when)\b[^.?!;,]*",
                _AR + r"(?:اذا|لو(?!\s+سمحت)|في حال|في حاله)(?!\w)[^.?!;,]*")
_REQUEST_EVIDENCE = ((_FAILURE, 5), (_ASK_TO_DO, 3), (_ATTEMPT, 2), (_PORTAL_SAID, 2), (_STALLED, 2),
                     (_ATTACHED, 2), (_EVENT, 2), (_OWN_PERSON, 1))

# -- evidence of an inquiry -----------------------------------------------------------------------
_CLAUSE = re.compile(r"[.!?;:\n,()]+|\s[-–—]+\s")
_GREETING = _rx(
    r"^\W*(?:(?:hello|hi|hey|dear(?: sir| team| jawazat)?|good (?:morning|evening|afternoon)|greetings|"
    r"assalamu? ?alaikum|salam|thank you|thanks(?: in advance)?)\b[\s,!.:-]*)+",
    r"^\W*(?:(?:السلام عليكم(?: ورحمه الله(?: وبركاته)?)?|مرحبا|اهلا|هلا|سلام|صباح الخير|مساء الخير|"
    r"(?:الله )?يعطيكم العافيه|الله يعافيكم|شكرا)[\s,!.:-]*)+",
)
_QUESTION_OPENING = _rx(
    r"^\W*(?:please\s+|pls\s+|kindly\s+|just\s+|quick question\W+|general question\W+)?"
    r"(?:what|what's|whats|how|when|where|which|who|whom|whose|is|are|am|can|could|do|does|should|may|might|"
    r"will|would|shall|at what|in which|is it|are there|is there|until|till|since when|for how)\b(?!n?'t|not)",
    r"^\W*(?:لو سمحت\s+|لو سمحتوا\s+|من فضلك\s+|سؤال\s+|استفسار\s+)?"
    r"(?:هل|ما(?!\s+(?:قدرت|قدرنا|تمكنت|تمكنا|زبط|ضبط|ضبطت|زال|زالت|وصل\w*|مشي|لقيت|لقينا|فيه|في|عندي))|ماذا|ماهي|"
    r"ماهو|مالذي|كيف|متي|اين|وين|فين|كم|بكم|وش|ايش|شو|شنو|اي|ممكن|يا تري)(?!\w)",
)
_QUESTION_CLOSING = _rx(r"\b(?:how long|how much|how many|how|when|where|what|which|or not)\W*$",
                        r"(?<!\w)(?:ايش|وش|كم|متي|وين|فين|بكم|شو|كيف|ولا لا)\W*$")
_WHY_OPENING = _rx(r"^\W*(?:why|how come)\b", r"^\W*(?:لماذا|ليش|ليه|لم\s+لا)(?!\w)")
_TOPICS = tuple((_rx(*alternatives), weight) for weight, *alternatives in (
    # fees and cost
    (2, r"\b(?:fees?|cost|costs|price|prices|charges?|how much|payable|payment methods?|fine|fines|penalty|"
        r"penalties|pay for)\b",
        _AR + r"(?:رسوم|سعر|اسعار|تكلفه|تكلف|كلفه|بكم|غرامه|غرامات|مبلغ|قيمه)"),
    # opening hours and days
    (2, r"\b(?:hours|open|opens|opening|close|closes|closing|working days?|work on|saturdays?|fridays?|weekends?|"
        r"ramadan|eid|holidays?|timings?|schedule|appointment|what time|at night|until when|morning shift|"
        r"evening shift)\b",
        _AR + r"(?:دوام|الدوام|ساعات|اوقات|الاوقات|يفتح|تفتح|يغلق|يقفل|مواعيد|موعد|الجمعه|السبت|رمضان|العيد|العطل|"
        r"الاجازات|تعمل)"),
    # places and addresses
    (2, r"\b(?:where|located|location|address|nearest|branch|which office|directorate)\b",
        _AR + r"(?:وين|اين|يقع|موقع|عنوان|اقرب|فرع|مقر)"),
    # eligibility, conditions, required documents
    (2, r"\b(?:eligib\w*|allowed|permitted|conditions?|requirements?|required|documents?|papers|do i need|"
        r"does .{1,40} need|needed|what is required|is it possible|possible to|"
        r"(?<!how )can (?:a|an|the|i|we|my|women|men|children|residents?|expatriates?|citizens?)|entitled|rules?|"
        r"policy|mandatory|obligatory|need to be|has to|have to|can be|could be|may be)\b",
        _AR + r"(?:شروط|الشروط|متطلبات|مستندات|المستندات|الاوراق|اوراق|يحق|يجوز|يلزم|مسموح|المسموح|يسمح|يمكن|"
        r"امكانيه|اقدر|تقدر|يقبل|تقبلون|يحتاج|لازم|سياسه|ممكن)"),
    # how to do something
    (2, r"\b(?:how (?:do|can|to|should|would)|steps?|procedure|process for|way to|guide|instructions|"
        r"what (?:do|should|can|must) (?:i|we) do)\b",
        _AR + r"(?:كيف|طريقه|خطوات|الاجراءات|اجراءات|الاجراء|وش اسوي|ايش اسوي|شو اسوي|كيفيه|اسوي|ماذا افعل|"
        r"ماذا نفعل|شو اعمل|وش اعمل|وشلون|شلون)"),
    # durations, deadlines, validity
    (2, r"\b(?:how long|how many|how soon|when (?:is|are|will|does|do)|duration|period|maximum|minimum|valid|"
        r"validity|deadline|takes?|usually|age|processing time|time (?:for|to|it takes|needed))\b",
        _AR + r"(?:كم مده|مده|المده|كم يوم|يستغرق|تستغرق|تاخذ|ياخذ|الحد الاقصي|الحد الادني|صلاحيه|مهله|كم عمر|"
        r"الفئه العمريه|متي|عدد الايام)"),
    # differences and kinds
    (2, r"\b(?:difference|differ|types? of|kinds? of|which (?:services|section|type)|what services|services "
        r"(?:are )?available)\b",
        _AR + r"(?:الفرق|فرق|انواع|نوع|الخدمات المتاحه|ما هي الخدمات|اي الخدمات|اي خدمه)"),
    # contact numbers
    (3, r"\b(?:phone|call|number should|unified number|hotline|contact number|email address|call center)\b",
        _AR + r"(?:رقم التواصل|رقم الهاتف|الرقم الموحد|رقم الجوازات|اتصل|الاتصال|التواصل مع)"),
    # saying outright that one asks
    (3, r"\b(?:inquiry|enquiry|inquire|enquire|question|ask about|to ask|wanted to ask|to know|wondering|"
        r"generally|general|tell me|let me know|inform me|clarify|is it true|whether|advise|advice|"
        r"(?:^|just |i am |i'm |we are |we're )asking)\b",
        _AR + r"(?:استفسار|الاستفسار|استفسر|سؤال|اسال|اعرف|نعرف|معرفه|افيدوني|افادتي|الافاده|توضيح|وضحوا|"
        r"هل صحيح)"),
))


class Evidence(NamedTuple):
    request: int
    inquiry: int


def _without_numbers(folded: str) -> str:
    """Every run of five or more digits (an identity number, however grouped) gives no evidence."""
    return " ".join(_DIGIT_RUN.sub(lambda m: " " if sum(c.isdigit() for c in m.group()) >= 5 else m.group(),
                                   folded).split())


def evidence(description: str) -> Evidence:
    """How strongly the description reads as a concrete request, and as a general question."""
    folded = _DIACRITICS.sub("", normalise_digits(description).translate(_TEXT)).lower()
    text = _without_numbers(folded)
    told = _SUPPOSED.sub(" ", text)
    request = (3 if _REFERENCE.search(folded) else 0) + sum(w for rx, w in _REQUEST_EVIDENCE if rx.search(told))
    asked = _GREETING.sub("", text)
    clauses = [_GREETING.sub("", c).strip() for c in _CLAUSE.split(asked)]
    inquiry = 1 if "?" in asked else 0
    if any(_QUESTION_OPENING.match(c) or _QUESTION_CLOSING.search(c) for c in clauses if c):
        inquiry += 2
    elif any(_WHY_OPENING.match(c) for c in clauses if c):
        inquiry += 1
    inquiry += min(TOPICS_CAP, sum(w for rx, w in _TOPICS if rx.search(asked)))
    return Evidence(request, inquiry)


def is_general_inquiry(description: str) -> bool:
    found = evidence(description)
    return found.inquiry - found.request >= THRESHOLD
