"""Figures that disagree: a complaint stated only in numbers (issue 13, item 3).

"shelf price said 2.49, charged 3.19 at the till", «заказывали столик на 19:00, посадили в
19:35», «привезли 3 пакета из 4», «Скорость по тарифу 500 мбит, по замеру 37», "renewal price
went from 4.99 to 11.99": no evaluative word, yet each says the service fell short of what was
promised, listed or paid for. :func:`figures_disagree` reads such a text in Russian, English,
Spanish or Arabic:

* a **time due and a time kept** — a clock time after a word of plan or promise («на 19:00»,
  «записалась на 11:15», "booked for 7pm", "clinic said 10am") and a later one after a word of
  what happened («посадили в 19:35», "saw doc at 12:40") at least 15 minutes later; or a
  delivery window or appointment («окно доставки 9-11», "appointment was 10-12") and a time
  after it outside it. Not "ordered at 12:01, got it at 12:24" (when it was ordered is no
  promise), nor a time kept early;
* an **amount promised and an amount given** — a number after a word of plan («по тарифу»,
  «на ценнике», «заказывала», "quoted", "says", "ordered") and one after a word of fact («по
  факту», «на кассе пробили», «пришли», "charged", "got", "measured"): money charged above the
  price (or given below what was paid), any other amount different («кроссовки 43 размера,
  прислали 41»). Durations are left alone (fewer days of delivery is good, fewer minutes of a
  massage is not);
* a **part of a whole** — «привезли 8 пакетов из 9», «из 14 позиций привезли 11», "2 of 6
  machines work"; not ratings («4 из 5 звёзд», "4 out of 5 stars");
* a **price that went up** — a word of price and of rising before "from X to Y" / «с X до Y».

Spanish and Arabic too (since the same stop; Arabic-Indic digits read as digits, «4.800» as
thousands, «9 a 13» as a window): «Cita a las 10:00, me atendieron a las 11:45», «faltaban 2 de
los 5 productos», «سعر المنتج في التطبيق 89 وفي الفاتورة 119», «مشترك ٢٠٠ ميجا والسبيد تست يطلع
٨».

Precision first: on the 18,998 labelled comments of ``tests/data`` it fires on 149 texts (71
Russian, 60 English, 14 Spanish, 4 Arabic), every one labelled a complaint
(``benchmarks/rules_labelled.py``; docs/benchmarks-classify.md, "Figures that disagree"). The
rules' token-level checks of counted failures (``_counted_failures`` in
:mod:`otklik.classify.rules`: "received only 3 of the 5 items", «заказывал размер L, пришёл S», a
time set later) came first and stay; this module reads the figures themselves, from the raw
text, where those need a word to start from.
"""

from __future__ import annotations

import re

__all__ = ["figures_disagree"]

_CLOCK = re.compile(
    r"(?<![\d.,:])(\d{1,2})(?::(\d{2})|[.](\d{2})(?!\d)|\s*(am|pm|утра|вечера|дня|ночи)\b)"
)
# «на 19 00», «в 18 40», «на 10»: a time written with a space, or an hour alone, after a word of
# time («в», «на», «к», "at", "by", "for")
_SPACED_CLOCK = re.compile(
    r"\b(?:в|на|к|до|at|by|for)\s(\d{1,2})(?:\s(\d{2}))?(?![\d:.,]|\s*[a-zа-яё%])"
)
_NUMBER = re.compile(r"(?<![\d.,:])(\d{1,3}(?:[ ,.]\d{3})+|\d+(?:[.,]\d+)?)(?![\d:])")
_MONEY = re.compile(
    r"[₽$€₹£]|руб|р\.|\bр\b|тыс|тысяч|usd|eur|rub|bucks|dollars|rupees|pesos|ريال|درهم|دينار|soles"
    r"|جنيه|ليرة|sar|aed|egp"
)
_PRICE_WORDS = (
    "цен", "стоим", "счет", "счёт", "тариф", "оплат", "платеж", "платёж", "чек", "ценник", "смет",
    "выплат", "price", "bill", "fee", "fare", "charge", "cost", "paid", "pay", "quote", "سعر",
    "رسوم", "فاتور", "دفع", "precio", "recibo", "pago", "cobr", "cuesta",
)  # fmt: skip
_DURATION = re.compile(
    r"^\s*(?:мин|час|дн|дня|дней|сут|недел|месяц|лет|год|min|hour|hr|day|week|month|year|sec|сек"
    r"|دقيق|دقايق|ساع|يوم|ايام|أيام|اسبوع|أسبوع|شهر|hora|día|dia|semana|mes|año)"
)
_UNIT = re.compile(r"^\s*[a-zа-яё%]")
# Words of plan or promise (what was due) and of fact (what happened), by language
_CUES = {
    "ru": (
        r"заплатил\w*|обеща\w*|заявлен\w*|написан\w*|указан\w*|ценник\w*|по предварительн\w*"
        r"|предварительн\w*|по смете|смет\w*|в договоре|в программе|по тарифу|заказыва\w*"
        r"|заказал\w*|заказ на|записал\w*|запись|брон\w*|окно|по расписанию|должн\w*"
        r"|в приложении|на сайте|заселение|по плану|в описании|было|цена|обычно|обычн\w*",
        r"по факту|фактически|на деле|оказал\w*|пришл\w*|пришел|пришёл|привезли|выставил\w*"
        r"|пробили|списал\w*|насчитал\w*|вышло|получил\w*|посадили|начал\w*|приехал\w*|сейчас"
        r"|на кассе|выплатил\w*|весил\w*|по счетчику|стало|доставил\w*|дали|выдали|работают"
        r"|реально|по замеру|замер\w*|зашл\w*|зашел|зашёл|приняли|вызвали",
    ),
    "en": (
        r"said|says|quoted|listed|advertised|plan|ordered|booked|scheduled|promised|estimate\w*"
        r"|shelf price|price tag|online|on the app|in the app|appointment|slot|should|window"
        r"|prescription|supposed|up to|was due|paid|usually|normally|usual|price",
        r"charged|got|received|came|arrived|bill was|billed|final bill|actually|at the till"
        r"|at the counter|showed up|saw|gave me|delivered|ready at|at the end|reading|test"
        r"|turned up|only|seated|in reality|it's|it is|barely|landed|speed test|measured|called",
    ),
    "es": (
        r"turno|cita|agendad\w*|dec[ií]a|dice|dicen|publicaci[oó]n|ventana|horario|siempre pago"
        r"|pagu[eé]|compr[eé]|ped[ií]|precio|promet\w*|deber[ií]a|plan de|normalmente",
        r"llamaron|vino|lleg[oó]|llegaron|mandaron|cobraron|cerraron|atendieron|me lleg[oó] con"
        r"|me dieron|en realidad|al final|marca|sali[oó]",
    ),
    "ar": (
        r"كتب\w*|مكتوب|المفروض|مشترك\w*|السعر|سعر|في التطبيق|في الموقع|حجزت|حجز|موعد\w*"
        r"|الموعد|قالوا|وعدوا|طلبت|دفعت|باقة|الباقة",
        r"طلع\w*|يطلع|جا\w*|وصل\w*|في الفاتورة|الفاتورة|اعطوني|أعطوني|عطوني|خصموا|سحب\w*"
        r"|السبيد|فعلي|بالفعل|الحين|صار",
    ),
}
_COMPILED = {
    language: (re.compile(rf"\b(?:{due})\b"), re.compile(rf"\b(?:{kept})\b"))
    for language, (due, kept) in _CUES.items()
}
_PAID = re.compile(r"paid|заплатил")
_ORDERED = re.compile(r"order|заказ|paid|заплат|ped[ií]|compr|pagu")
_FOR = re.compile(r"\b(?:на|for|к)\b")
_DUE_AT = re.compile(r"\b(?:на|к|for|by)\s+$")
_SENTENCE_END = re.compile(r"[.!?]")
_WINDOW = re.compile(
    r"(?:window|окно\w*|appointment|slot|интервал\w*|запись|ventana)\D{0,20}?"
    r"(\d{1,2})\s*(?:[-–]|a|al|to|до)\s*(\d{1,2})(?![\d:])"
)
_RISE = re.compile(r"(?:from|с|de)\s+\D{0,3}(\d[\d ,.]*)\D{0,12}?\s(?:to|до)\s+\D{0,3}(\d[\d ,.]*)")
_RISING = re.compile(
    r"went|jump|rose|increas|raised|выросл|подн|подорож|увелич|زاد|ارتفع|subi|aument"
)
_RATINGS = re.compile(
    r"зв[её]зд|балл|оценк|star|point|rating|/|نجم|نجوم|تقييم|estrella|puntos|calificaci"
)
_PART = {
    "es": re.compile(r"(\d+)\s+(?:[^\W\d]+\s+){0,2}de\s+(?:los\s+|las\s+)?(\d+)"),
    "ar": re.compile(r"(\d+)\s+(?:[^\W\d]+\s+){0,2}من\s+(\d+)"),
    "ru": re.compile(r"(\d+)\s+(?:[^\W\d]+\s+){0,2}из\s+(\d+)"),
    "en": re.compile(r"(\d+)\s+(?:[^\W\d]+\s+){0,2}(?:of|out of)\s+(\d+)"),
}
_PART_REVERSED = {
    "es": re.compile(
        r"de\s+(?:los\s+|las\s+)?(\d+)\s+(?:[^\W\d]+\s+){0,2}(?:llegaron|vinieron)\s+(\d+)"
    ),
    "ar": re.compile(r"من\s+(\d+)\s+(?:[^\W\d]+\s+){0,2}(?:وصل|جا|اشتغل)\w*\s+(\d+)"),
    "ru": re.compile(r"из\s+(\d+)\s+(?:[^\W\d]+\s+){0,2}(\d+)"),
    "en": re.compile(r"(?:of|out of)\s+(\d+)\s+(?:[^\W\d]+\s+){0,2}only\s+(\d+)"),
}
_DIGITS = re.compile(r"\d+")
_ARABIC_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
_LATE_MINUTES = 15


def figures_disagree(text: str, language: str | None) -> bool:
    """Whether ``text`` complains only in figures (see the module docstring): a time due and a
    later time kept, an amount promised and a different one given, a part of a whole, a price
    that went up. ``language``: ``ru``, ``en``, ``es`` or ``ar`` (Arabic-Indic digits read as
    digits; any other language: False). Pure function of the text."""
    if language not in _COMPILED:
        return False
    lowered = text.lower().translate(_ARABIC_DIGITS)
    if len(_DIGITS.findall(lowered)) < 2:
        return False
    return (
        _part_of_whole(lowered, language)
        or _due_and_kept(lowered, language)
        or _price_went_up(lowered)
    )


def _value(number: str) -> float:
    number = number.replace(" ", "").strip(",.")
    if re.fullmatch(r"\d{1,3}(,\d{3})+", number):
        number = number.replace(",", "")
    if re.fullmatch(r"\d{1,3}(\.\d{3})+", number):
        number = number.replace(".", "")  # «4.800»: thousands, as Spanish and Russian write
    return float(number.replace(",", "."))


def _part_of_whole(lowered: str, language: str) -> bool:
    for pattern, reverse in ((_PART[language], False), (_PART_REVERSED[language], True)):
        for match in pattern.finditer(lowered):
            part, whole = int(match.group(1)), int(match.group(2))
            if reverse:
                part, whole = whole, part
            near = lowered[max(0, match.start() - 15) : match.end() + 15]
            if part < whole <= 1000 and not _RATINGS.search(near):  # «Оценка 4 из 5»
                return True
    return False


def _due_and_kept(lowered: str, language: str) -> bool:
    due_words, kept_words = _COMPILED[language]
    cues = sorted(
        [(m.start(), "due") for m in due_words.finditer(lowered)]
        + [(m.start(), "kept") for m in kept_words.finditer(lowered)]
    )
    clocks: list[tuple[int, int]] = []  # (minutes since midnight, its position)
    spans: list[tuple[int, int]] = []
    for match in _CLOCK.finditer(lowered):
        hour, suffix = int(match.group(1)), match.group(4)
        minutes = int(match.group(2) or match.group(3) or 0)
        if hour > 24 or minutes > 59:
            continue
        if suffix in ("pm", "вечера") and hour < 12:
            hour += 12
        if suffix == "дня" and hour < 6:
            hour += 12
        spans.append((match.start(), match.end()))
        clocks.append((hour * 60 + minutes, match.start()))
    for match in _SPACED_CLOCK.finditer(lowered):
        hour, minutes = int(match.group(1)), int(match.group(2) or 0)
        start = match.start(1)
        if hour > 24 or minutes > 59 or any(a <= start < b for a, b in spans):
            continue
        spans.append((start, match.end()))
        clocks.append((hour * 60 + minutes, start))
    clocks.sort(key=lambda clock: clock[1])
    for window in _WINDOW.finditer(lowered):  # «окно доставки 9-11», "appointment was 10-12"
        first, last = int(window.group(1)), int(window.group(2))
        for minutes, position in clocks:
            hour = minutes // 60
            if not window.start() <= position < window.end() and not (
                first <= hour <= last or first + 12 <= hour <= last + 12
            ):
                return True
    if not cues or {kind for _, kind in cues} != {"due", "kept"}:
        return False

    def cue_before(position: int) -> tuple[int, str] | None:
        prior = [
            (at, kind)
            for at, kind in cues
            if at < position
            and position - at < 60
            and not _SENTENCE_END.search(lowered[at:position])
        ]
        return prior[-1] if prior else None

    def cue_after(end: int) -> tuple[int, str] | None:
        """A word of fact right after a figure: "260 at the end", «129 на кассе»."""
        for at, kind in cues:
            if kind == "kept" and 0 <= at - end <= 12 and not _SENTENCE_END.search(lowered[end:at]):
                return at, kind
        return None

    due_times: list[int] = []
    kept_times: list[int] = []
    for minutes, position in clocks:
        if _DUE_AT.search(lowered[max(0, position - 4) : position]):
            due_times.append(minutes)  # «доставка была на 14:00», "booked for 7pm"
            continue
        cue = cue_before(position)
        if cue is None:
            continue
        at, kind = cue
        between = lowered[at:position]
        if kind == "due" and _ORDERED.match(between) and not _FOR.search(between):
            continue  # "ordered at 12:01": when it was ordered, not when it was due
        (due_times if kind == "due" else kept_times).append(minutes)
    if due_times and kept_times:
        due, kept = due_times[0], kept_times[-1]
        if kept < 12 * 60 <= due and due - kept > 3 * 60:
            kept += 12 * 60  # "booked for 8pm, seated at 9:15": the same evening
        if kept - due >= _LATE_MINUTES:
            return True
    due_amounts: list[tuple[bool, float]] = []
    kept_amounts: list[tuple[bool, float]] = []
    latest_end = 0  # where the last figure tagged ends
    for match in _NUMBER.finditer(lowered):
        if any(start <= match.start() < end for start, end in spans):
            continue
        after = lowered[match.end() : match.end() + 12]
        if _DURATION.match(after):
            continue  # durations: fewer days can be good, fewer minutes bad
        before = lowered[max(0, match.start() - 25) : match.start()]
        unit = bool(_UNIT.match(after)) and not _MONEY.match(after.strip())
        money = bool(_MONEY.search(lowered[max(0, match.start() - 3) : match.end() + 8])) or (
            any(word in before for word in _PRICE_WORDS) and not unit
        )
        cue = cue_before(match.start())
        if cue is None:
            continue
        try:
            value = _value(match.group(1))
        except ValueError:
            continue
        (due_amounts if cue[1] == "due" else kept_amounts).append((money, value))
        latest_end = match.end()
    if len(due_amounts) > 1 and not kept_amounts and cue_after(latest_end):
        # "price was 180 on the app and 260 at the end": the last figure's fact follows it
        kept_amounts.append(due_amounts.pop()[:2])
    if not due_amounts or not kept_amounts:
        return False
    (money_due, promised), (money_kept, given) = due_amounts[0], kept_amounts[-1]
    if money_due or money_kept:
        paid = any(kind == "due" and _PAID.match(lowered[at:]) for at, kind in cues)
        return given < promised if paid else given > promised
    return given != promised


def _price_went_up(lowered: str) -> bool:
    for match in _RISE.finditer(lowered):
        before = lowered[max(0, match.start() - 40) : match.start()]
        if any(word in before for word in _PRICE_WORDS) and _RISING.search(before):
            try:
                if _value(match.group(2)) > _value(match.group(1)):
                    return True
            except ValueError:
                continue
    return False
