"""What a survey says: default questions per type and the page's words, in Russian, English
and Arabic (written right to left).

A survey stores its own question texts (``surveys.texts``), so a company can change the
wording; the defaults below are what ``otklik survey create`` starts from.
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = [
    "DEFAULT_EXIT_REASONS",
    "DEFAULT_TEXTS",
    "LANGUAGES",
    "OTHER_REASON",
    "RTL_LANGUAGES",
    "UI_TEXTS",
    "direction",
    "negotiate_language",
    "ui_texts",
]

LANGUAGES: tuple[str, ...] = ("ru", "en", "ar")
RTL_LANGUAGES = frozenset({"ar"})

# Per survey type and language: the question, the follow-up and the scale's two ends.
DEFAULT_TEXTS: Mapping[str, Mapping[str, Mapping[str, str]]] = {
    "nps": {
        "ru": {
            "question": "Насколько вероятно, что вы порекомендуете нас друзьям или коллегам?",
            "comment": "Что больше всего повлияло на вашу оценку?",
            "low": "Точно нет",
            "high": "Обязательно порекомендую",
        },
        "en": {
            "question": "How likely are you to recommend us to a friend or colleague?",
            "comment": "What is the main reason for your score?",
            "low": "Not at all likely",
            "high": "Extremely likely",
        },
        "ar": {
            "question": "ما مدى احتمال أن توصي بنا لصديق أو زميل؟",
            "comment": "ما السبب الرئيسي لتقييمك؟",
            "low": "غير محتمل إطلاقًا",
            "high": "محتمل جدًا",
        },
    },
    "csat": {
        "ru": {
            "question": "Насколько вы довольны обслуживанием?",
            "comment": "Что можно было сделать лучше?",
            "low": "Совсем недоволен",
            "high": "Очень доволен",
        },
        "en": {
            "question": "How satisfied are you with the service?",
            "comment": "What could we have done better?",
            "low": "Very dissatisfied",
            "high": "Very satisfied",
        },
        "ar": {
            "question": "ما مدى رضاك عن الخدمة؟",
            "comment": "ما الذي كان بإمكاننا فعله بشكل أفضل؟",
            "low": "غير راضٍ إطلاقًا",
            "high": "راضٍ جدًا",
        },
    },
    "ces": {
        "ru": {
            "question": "Насколько легко было решить ваш вопрос?",
            "comment": "Что было самым сложным?",
            "low": "Очень сложно",
            "high": "Очень легко",
        },
        "en": {
            "question": "How easy was it to get your issue solved?",
            "comment": "What was the hardest part?",
            "low": "Very difficult",
            "high": "Very easy",
        },
        "ar": {
            "question": "ما مدى سهولة حل مشكلتك؟",
            "comment": "ما أصعب جزء؟",
            "low": "صعب جدًا",
            "high": "سهل جدًا",
        },
    },
    "enps": {
        "ru": {
            "question": "Насколько вероятно, что вы порекомендуете нашу компанию как место работы?",
            "comment": "Что больше всего повлияло на вашу оценку?",
            "low": "Точно нет",
            "high": "Обязательно порекомендую",
        },
        "en": {
            "question": "How likely are you to recommend our company as a place to work?",
            "comment": "What is the main reason for your score?",
            "low": "Not at all likely",
            "high": "Extremely likely",
        },
        "ar": {
            "question": "ما مدى احتمال أن توصي بشركتنا كمكان للعمل؟",
            "comment": "ما السبب الرئيسي لتقييمك؟",
            "low": "غير محتمل إطلاقًا",
            "high": "محتمل جدًا",
        },
    },
    "exit": {
        "ru": {
            "question": "Почему вы решили уйти? Можно выбрать несколько причин.",
            "comment": "Что могло бы вас удержать?",
            "low": "",
            "high": "",
        },
        "en": {
            "question": "Why did you decide to leave? Choose all that apply.",
            "comment": "What would have made you stay?",
            "low": "",
            "high": "",
        },
        "ar": {
            "question": "لماذا قررت المغادرة؟ يمكنك اختيار أكثر من سبب.",
            "comment": "ما الذي كان سيجعلك تبقى؟",
            "low": "",
            "high": "",
        },
    },
}

# Ready reasons of an exit survey; "other" (with its own text) is always added last.
DEFAULT_EXIT_REASONS: tuple[Mapping[str, str], ...] = (
    {
        "code": "rates",
        "ru": "Нашёл условия выгоднее",
        "en": "Found better rates elsewhere",
        "ar": "وجدت أسعارًا أفضل في مكان آخر",
    },
    {
        "code": "fees",
        "ru": "Высокие комиссии",
        "en": "Fees are too high",
        "ar": "الرسوم مرتفعة جدًا",
    },
    {
        "code": "service",
        "ru": "Плохое обслуживание",
        "en": "Poor customer service",
        "ar": "خدمة عملاء سيئة",
    },
    {
        "code": "app",
        "ru": "Неудобное приложение",
        "en": "The app is hard to use",
        "ar": "التطبيق صعب الاستخدام",
    },
    {
        "code": "no_need",
        "ru": "Больше не нужно",
        "en": "I no longer need it",
        "ar": "لم أعد بحاجة إليه",
    },
)
OTHER_REASON: Mapping[str, str] = {"code": "other", "ru": "Другое", "en": "Other", "ar": "أخرى"}

UI_TEXTS: Mapping[str, Mapping[str, str]] = {
    "ru": {
        "title": "Опрос",
        "send": "Отправить",
        "later": "Не сейчас",
        "close": "Закрыть",
        "optional": "Необязательно",
        "other_text": "Своя причина",
        "score_needed": "Выберите оценку",
        "reason_needed": "Выберите хотя бы одну причину",
        "thanks": "Спасибо! Ваш ответ записан.",
        "answered": "Вы уже ответили на этот опрос — спасибо!",
        "expired": "Срок действия ссылки истёк.",
        "unknown": "Такой ссылки нет: проверьте, что она скопирована целиком.",
        "forged": "Ссылка недействительна.",
        "failed": "Не удалось отправить ответ, попробуйте ещё раз.",
        "busy": "Слишком много запросов, попробуйте через минуту.",
    },
    "en": {
        "title": "Survey",
        "send": "Send",
        "later": "Not now",
        "close": "Close",
        "optional": "Optional",
        "other_text": "Your reason",
        "score_needed": "Choose a score",
        "reason_needed": "Choose at least one reason",
        "thanks": "Thank you! Your answer has been recorded.",
        "answered": "You have already answered this survey — thank you!",
        "expired": "This link has expired.",
        "unknown": "There is no such link: check that it was copied in full.",
        "forged": "This link is not valid.",
        "failed": "Your answer could not be sent; please try again.",
        "busy": "Too many requests; please try again in a minute.",
    },
    "ar": {
        "title": "استطلاع",
        "send": "إرسال",
        "later": "ليس الآن",
        "close": "إغلاق",
        "optional": "اختياري",
        "other_text": "سببك",
        "score_needed": "اختر تقييمًا",
        "reason_needed": "اختر سببًا واحدًا على الأقل",
        "thanks": "شكرًا لك! تم تسجيل إجابتك.",
        "answered": "لقد أجبت على هذا الاستطلاع بالفعل — شكرًا لك!",
        "expired": "انتهت صلاحية هذا الرابط.",
        "unknown": "هذا الرابط غير موجود: تأكد من نسخه بالكامل.",
        "forged": "هذا الرابط غير صالح.",
        "failed": "تعذر إرسال إجابتك، يرجى المحاولة مرة أخرى.",
        "busy": "طلبات كثيرة جدًا، يرجى المحاولة بعد دقيقة.",
    },
}


def direction(language: str) -> str:
    """``rtl`` for Arabic, ``ltr`` otherwise (the page's ``dir`` attribute)."""
    return "rtl" if language in RTL_LANGUAGES else "ltr"


def ui_texts(language: str) -> Mapping[str, str]:
    return UI_TEXTS.get(language, UI_TEXTS["en"])


def negotiate_language(asked: str | None, accept_language: str | None, default: str) -> str:
    """An explicit ``?lang=``, else the first of ``Accept-Language`` otklik speaks, else
    ``default``."""
    if asked in LANGUAGES:
        return asked
    for part in (accept_language or "").split(","):
        tag = part.split(";")[0].strip().lower()[:2]
        if tag in LANGUAGES:
            return tag
    return default if default in LANGUAGES else "en"
