"""Notes that close or void a case: neither praise, nor a complaint, nor a question (issue 13).

«свет дали, всё работает, заявку можно закрыть», "internet's back, you can close the ticket",
«мобильный банк ожил, обращение больше не актуально», «вопрос решили, больше ничего не нужно»,
"rated by accident, just ignore", «оценку поставил случайно, не обращайте внимания»: the
customer tells the team the case is over, or that a rating or message means nothing. Their
words («работает», "back", «решили», "ignore", "can …") read as praise, a question or a
complaint, yet otklik's labelling rule (``tests/data/comments_issue_kinds.md``, "closing notes")
makes them ``other``/``neutral``: nothing to act on, nothing to count in a metric.

:func:`closing_note` finds such a note in a short text (at most :data:`MAX_WORDS` words — in a
longer one the note closes a story that still says what went wrong), in Russian, English,
Spanish, Indonesian and Arabic. Not a request to close an account or a card ("close my
account, I'm done" is churn) and not "don't close the ticket".
"""

from __future__ import annotations

import re

from otklik.classify.text import any_of

__all__ = ["MAX_WORDS", "closing_note"]

MAX_WORDS = 16
_MAX_CHARS = 40 * MAX_WORDS  # longer texts hold more words than that: one length check first

_CASE_RU = r"(?:заявк[уа]|обращение|тикет|запрос|жалоб[уа]|вопрос)"
_CASE_EN = r"(?:ticket|case|request|complaint|query|issue)"
_CASE_ES = r"(?:ticket|caso|reclamo|solicitud|queja|reporte)"
_CASE_ID = r"(?:tiket|laporan|komplain|keluhan|aduan|tiketnya|laporannya|komplainnya)"

_NOTES = re.compile(
    "|".join(
        [
            # the case can be closed
            rf"{_CASE_RU}\s+(?:можно|можете)\s+закры",
            r"можно закрывать",
            rf"(?:можно|можете)\s+закрыть\s+{_CASE_RU}",
            r"(?:больше|уже)\s+не\s+актуальн",
            rf"{_CASE_RU}\s+(?:№\s*)?(?:\d[\d-]*\s+)?(?:уже\s+)?неактуальн",
            r"больше ничего не (?:нужно|надо|требуется)",
            r"вопрос (?:снят|снимаю|закрыт)",
            rf"(?<!don't )(?<!do not )(?<!dont )(?:can|may|please|free to)\s+close\s+"
            rf"(?:the|this|my)\s+{_CASE_EN}",
            rf"{_CASE_EN}\s+can be closed",
            r"no longer (?:needed|relevant|an issue|necessary)",
            rf"(?:pueden|puede|pueden ya)\s+cerrar\s+(?:el|la|mi)\s+{_CASE_ES}",
            r"ya no (?:es necesario|hace falta)",
            rf"{_CASE_ID}\s+(?:bisa|boleh|sudah bisa|udah bisa)\s+ditutup",
            r"(?:sudah|udah|dah)\s+(?:tidak|gak|nggak|ga)\s+perlu\s+(?:lagi|dibantu)",
            r"(?:ممكن|يمكنكم|تقدرون|تقدروا|تقدر|يمديكم)\s+(?:تقفل|تسكر|إغلاق|اغلاق|تغلق)",
            r"(?:ما|مو)\s+(?:عاد|عدت)\s+(?:احتاج|أحتاج|محتاج)",
            # a rating or message that means nothing
            r"(?:rated|clicked|pressed|sent|tapped|gave|hit)\b[^.!?]{0,20}"
            r"\bby (?:accident|mistake)",
            r"(?:just|please|pls)\s+ignore\b",
            r"ignore (?:this|my|the) (?:rating|review|message|score)",
            r"(?:поставил|поставила|нажал|нажала|отправил|отправила|ткнул|ткнула)[^.!?]{0,20}\bслучайно",
            r"случайно\s+(?:поставил|поставила|нажал|нажала|отправил|отправила|ткнул|ткнула)",
            r"не обращайте внимания",
            r"\bигнор(?:ьте|ируйте)\b",
            r"(?:оценку|звезд[ыу]|звёзд[ыу])[^.!?]{0,15}\bне глядя",
            r"\bотпишусь\b",
            r"(?:calificación|calificacion|puntuación|puntuacion|mensaje)[^.!?]{0,20}\bpor error",
            r"(?:ignoren|ignorar) (?:esto|este|mi)",
            r"(?<!sering )\b(?:kepencet|kepencét|salah pencet|salah kasih)\b",
            r"\babaikan\b",
            r"(?:بالغلط|بالخطأ|بالخطا)[^.!?؟]{0,20}(?:تجاهل|لا تعتبر)",
            r"(?:قيمت|ضغطت|ارسلت|أرسلت|حطيت|عطيت)[^.!?؟]{0,15}(?:بالغلط|بالخطأ|بالخطا)",
            # the writer will call or write later: nothing to act on yet
            r"(?<![\"«„'])\bперезвоню\b",
            r"(?<![\"«„'])\bнапишу\b[^.!?]{0,25}\b(?:позже|потом|завтра|вечером)",
            r"пишу с другого номера",
            r"^(?:всё |все |мы |я )?уже разобрал",
            r"\b(?:i'?ll|i will) (?:call|ring|phone|write|message|text) "
            r"(?:you )?(?:back|later)\b",
            r"\b(?:les |te )?(?:llamo|llamaré|llamare|escribo|escribiré|escribire) "
            r"(?:más tarde|mas tarde|luego|después|despues|mañana)",
            r"\bnanti (?:saya |aku )?(?:telepon|telp|hubungi|chat|kabari)(?: lagi)?\b",
            r"(?:بتصل|راح اتصل|بكلمكم|اكلمكم|بكلمك) (?:بعدين|بكرة|بكره|لاحقا)",
            # written to the wrong place: «ой это не туда отзыв», "sent this to the wrong chat"
            r"\bне туда\b[^.!?]{0,12}(?:отзыв|написал|написала|отправил|отправила|пишу)",
            r"(?:отзыв|написал|написала|отправил|отправила)[^.!?]{0,12}\bне туда\b",
            r"\b(?:sent|posted|wrote|left) (?:this|it|my review|the review) "
            r"(?:to|in|on) the wrong\b",
            # nothing to judge yet: "haven't checked in yet, ask me after the weekend",
            # «belum nyoba, baru install tadi»
            r"\bask me (?:again )?(?:later|after|tomorrow|next)\b",
            r"\bbelum (?:nyoba|coba|dicoba|pake|pakai)\b[^.!?]{0,4}\bbaru\b",
            # the rating meant otherwise, or left for later
            r"thumb slipped",
            r"meant to (?:give|rate|put|press|leave|tap)",
            r"(?:will|i'll|ill|gonna) (?:review|rate|update|leave a review)[^.!?]{0,15}\blater\b",
            r"хотел[аи]? поставить (?:\d|пять|пятерку|пятёрку)",
            r"палец (?:соскочил|соскользнул)",
            r"(?:оценю|оценку поставлю|отзыв напишу|отзыв оставлю) (?:позже|потом)",
            r"(?:quise|quería|queria) (?:poner|dar) (?:5|cinco)",
            r"se me resbaló el dedo",
            r"maksudnya (?:mau )?(?:kasih )?(?:bintang )?5",
            r"nanti (?:saya |aku )?(?:review|nilai|kasih bintang)",
            r"كان قصدي (?:٥|5|خمس)",
        ]
    )
)


# A word each pattern of _NOTES needs: one alternation of literals finds a text with none of
# them 4× faster than the patterns themselves, which open with groups and look-behinds
_ANCHORS = any_of(
    [
        "закры", "актуальн", "ничего не", "сня", "close", "no longer", "cerrar", "ya no",
        "ditutup", "perlu", "تقفل", "تسكر", "إغلاق", "اغلاق", "تغلق", "احتاج", "أحتاج",
        "محتاج", "by accident", "by mistake", "ignor", "случайно", "внимания", "por error",
        "pencet", "salah kasih", "abaikan", "بالغلط", "بالخطأ", "بالخطا", "slipped", "meant to",
        "later", "поставить", "соскочил", "соскользнул", "позже", "потом", "quise", "quería",
        "queria", "resbaló", "maksudnya", "nanti", "قصدي", "перезвоню", "напишу",
        "другого номера", "разобрал", "back", "llamo", "llamaré", "llamare", "escribo",
        "escribiré", "escribire", "بعدين", "بكرة", "بكره", "لاحقا", "неактуальн", "игнор",
        "не глядя", "отпишусь", "не туда", "wrong", "ask me", "belum",
    ]
)  # fmt: skip


# Words that report what someone else said («оператор сказал "перезвоню" и пропал"): then the
# note's words are theirs, a promise the text may say was broken
_REPORTED = any_of(
    [
        "сказал", "обещал", "ответил", "said", "promised", "told", "dijo", "dijeron", "prometi",
        "bilang", "janji", "قال", "وعد",
    ]
)  # fmt: skip


def closing_note(lowered: str) -> bool:
    """Whether ``lowered`` (a text in lower case) is a note that closes or voids a case (see
    the module's docstring): at most :data:`MAX_WORDS` words, split at white space, and no
    word that reports someone else's speech."""
    return (
        len(lowered) <= _MAX_CHARS
        and _ANCHORS.search(lowered) is not None
        and len(lowered.split()) <= MAX_WORDS
        and _NOTES.search(lowered) is not None
        and _REPORTED.search(lowered) is None
    )
