"""Every reason intake refuses a submission for: its code, and what it says in English and Arabic.

A reason names the field, never repeats an identity number: answers travel to portals and logs."""

from contracts import Reason

MESSAGES: dict[str, tuple[str, str]] = {
    "unknown_service": (
        "A request not filed under one of the listed sections and sub-services is not considered ({value}).",
        "لا يُنظر في الطلب غير المقدم ضمن الأقسام والخدمات الفرعية المدرجة ({value}).",
    ),
    "general_inquiry_not_accepted": (
        "The service is not for general inquiries: describe the transaction that could not be completed.",
        "الخدمة غير مخصصة للاستفسارات العامة: يرجى وصف المعاملة التي تعذر إكمالها.",
    ),
    "missing_id_in_description": (
        "The description must include the identity number of the person the request concerns (the request's "
        "subject_id): a national ID, Iqama or border number.",
        "يجب أن يتضمن الوصف رقم هوية صاحب الطلب (subject_id): رقم الهوية الوطنية أو الإقامة أو رقم الحدود.",
    ),
    "invalid_identity_number": (
        "The {value} given is not a valid national ID, Iqama or border number.",
        "الرقم المدخل في {value} ليس رقم هوية وطنية أو إقامة أو رقم حدود صحيحاً.",
    ),
    "subject_not_linked_to_account": (
        "The person the request concerns is not linked to the submitting account.",
        "صاحب الطلب غير مرتبط بحساب مقدم الطلب.",
    ),
    "subject_not_allowed_for_service": (
        "This sub-service cannot be requested for a person linked to the account as {value}.",
        "لا يمكن طلب هذه الخدمة الفرعية لشخص مرتبط بالحساب بصفة {value}.",
    ),
    "attachment_missing": (
        "The attachment {value} is required for this sub-service.",
        "المرفق ({value}) مطلوب لهذه الخدمة الفرعية.",
    ),
    "attachment_kind_not_allowed": (
        "An attachment of kind {value} is not accepted for this sub-service.",
        "لا يُقبل مرفق من نوع ({value}) لهذه الخدمة الفرعية.",
    ),
    "attachment_type_not_allowed": (
        "Only PDF, JPEG and PNG files are accepted; {value} is none of them.",
        "تُقبل ملفات PDF وJPEG وPNG فقط، والملف {value} ليس منها.",
    ),
    "attachment_unreadable": (
        "The attachment {value} could not be read (its content is empty or not valid base64).",
        "تعذرت قراءة المرفق {value} (محتواه فارغ أو ليس بترميز base64 صحيح).",
    ),
    "attachment_count": (
        "A request may carry at most {limit} attachments; this one has {value}.",
        "يمكن أن يحمل الطلب {limit} مرفقاً على الأكثر، وهذا الطلب يحمل {value}.",
    ),
    "attachment_too_large": (
        "{value} is {size} MB; the limit is {limit} MB.",
        "{value_ar} حجمه {size} ميجابايت، والحد الأقصى {limit} ميجابايت.",
    ),
    "description_length": (
        "The description must be between {low} and {high} characters; it has {value}.",
        "يجب أن يكون طول الوصف بين {low} و{high} حرفاً، وطوله {value}.",
    ),
    "language_not_supported": (
        "The language must be ar or en, not {value}.",
        "يجب أن تكون اللغة ar أو en، وليس {value}.",
    ),
    "contact_missing": (
        "{value} was chosen as a notification channel but no {what} was given.",
        "تم اختيار {value_ar} قناةً للإشعار دون تحديد {what_ar}.",
    ),
    "contact_invalid": (
        "The {value} given is not valid.",
        "{value_ar} المدخل غير صحيح.",
    ),
    "control_characters": (
        "{value} holds a control character (such as NUL); only printable text, with line breaks in a "
        "description, is accepted.",
        "يحتوي الحقل {value} على محرف تحكم (مثل NUL)؛ يُقبل النص المطبوع فقط، مع فواصل الأسطر في الوصف.",
    ),
    "invalid_field": (
        "{value}",
        "قيمة غير صالحة: {value}",
    ),
    "malformed_submission": (
        "The submission could not be read: {value}",
        "تعذرت قراءة الطلب: {value}",
    ),
}


def reason(code: str, field: str | None, value: object = "", **details: object) -> Reason:
    english, arabic = MESSAGES[code]
    values = {"value": value, "value_ar": value, **details}
    return Reason(code=code, field=field, message_en=english.format(**values), message_ar=arabic.format(**values))
