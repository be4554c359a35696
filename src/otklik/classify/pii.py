"""Personal data in feedback texts: find it and mask it before text leaves the store.

Found: e-mail addresses; phone numbers (Russian +7/8 in every common spelling, bare Russian
mobiles, international +CC numbers, any number after "тел."/"phone"); bank card numbers
(13–19 digits, Luhn-checked, issuer prefix 2–6); Russian passports ("серия 45 06 номер
123456", "паспорт 4506 123456", "45 06 123456"); INN (10 or 12 digits with valid check digits, or
any after "ИНН"); SNILS ("112-233-445 95" with a valid checksum, or after "СНИЛС"). In the other
markets: bare mobiles of Indonesia (08…), the Gulf (05…) and Egypt (01…) and any number after
«HP», «WA», «celular», «جوال», «رقمي»; identity numbers after their word (NIK/KTP, DNI, cédula,
RUT, «الهوية», «الإقامة», «الرقم القومي») and the self-checking formats: a Spanish DNI or NIE
with its check letter, a Mexican CURP and RFC, a Chilean RUT with its check digit.
Arabic-Indic digits count as digits.

Order, contract and tracking numbers, dates, times and amounts are left alone: a bare digit run
is personal data only when its format and checksum say so and no "заказ №", "order #",
"договор", "трек" stands just before it. ``tests/data/pii_corpus.jsonl`` measures both sides.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

__all__ = ["PLACEHOLDERS", "PiiMatch", "find_pii", "luhn_valid", "mask_pii"]

PLACEHOLDERS: dict[str, str] = {
    "email": "[EMAIL]",
    "phone": "[PHONE]",
    "card": "[CARD]",
    "passport": "[PASSPORT]",
    "inn": "[INN]",
    "snils": "[SNILS]",
    "national_id": "[ID]",
}


@dataclass(frozen=True)
class PiiMatch:
    kind: str
    start: int
    end: int
    text: str


_NOT_PERSONAL = re.compile(
    r"(заказ|order|№|#|договор|contract|трек|track|накладн|invoice|сч[её]т|account|артикул|"
    r"арт\.|sku|ticket|тикет|обращени|заявк|ref|транзакц|transaction|чек|receipt|рейс|flight|"
    r"квитанц|id\b|отправлени|посылк|parcel|shipment|код|pesanan|resi|transaksi|tagihan|"
    r"pedido|orden|factura|gu[íi]a|rastreo|seguimiento|boleta|folio|طلب|فاتورة|شحن|تتبع|"
    r"عملية|حجز|booking|reserva)[^\d]{0,12}$",
    re.IGNORECASE,
)
_PHONE_WORDS = re.compile(
    r"(тел|телефон|моб|сотов|звоните|позвоните|перезвоните|whatsapp|ватсап|вотсап|viber|"
    r"phone|mobile|call me|cell|tel|celular|móvil|movil|llám|llam|número|numero|"
    r"\bhp\b|\bwa\b|hubungi|kontak|telp|mi n[úu]mero|جوال|هاتف|موبايل|واتس|رقمي|اتصل)"
    r"\w*\.?[^\d+]{0,15}$",
    re.IGNORECASE,
)
# Bare national mobile numbers of the markets otklik serves, written with or without spaces
# and dashes: Indonesia 08xx (10–13 digits), Saudi Arabia and the Gulf 05x (10 digits), Egypt
# 01x (11 digits); Arabic-Indic digits read as digits.
_PHONE_NATIONAL = re.compile(
    r"(?<![\w+.,])(?:0[\d٠-٩]{2,3}[ \-]?[\d٠-٩]{3,4}[ \-]?[\d٠-٩]{3,5})(?![\w]|[.,]\d)"
)
# National identity numbers, named by the word before them: Indonesian NIK/KTP (16 digits),
# Saudi national ID and iqama (10), Egyptian national ID (14), Spanish DNI/NIE, Argentine DNI,
# Colombian cédula, Mexican CURP and RFC.
_ID_WORD = re.compile(
    r"(?:\bnik\b|\bktp\b|nomor induk|\bdni\b|\bnie\b|c[ée]dula|\bc\.?c\.?(?=\s)|\brut\b|"
    r"الهوية|هويتي|الاقامة|الإقامة|اقامتي|إقامتي|السجل المدني|الرقم القومي|رقم قومي)"
    r"[^\d\n]{0,15}?([\d٠-٩][\d.\- ٠-٩]{4,20}[\d٠-٩](?:-?[A-Za-z](?!\w))?)",
    re.IGNORECASE,
)
# A Mexican RFC: 3–4 letters, the date YYMMDD, a 3-character homoclave (SAT).
_RFC = re.compile(r"(?<![\w])[A-ZÑ&]{3,4}(\d{2})(\d{2})(\d{2})[A-Z\d]{3}(?![\w])")
# Formats that are identity numbers wherever they stand: a Spanish DNI with its check letter
# (8 digits + letter, mod 23), a NIE (X/Y/Z + 7 digits + letter), a Mexican CURP, a Chilean RUT
# with its check digit (mod 11), a Mexican RFC whose date is a date. A bare 16-digit NIK is not
# told from a mistyped card number: only «NIK»/«KTP» before it names it.
_DNI = re.compile(r"(?<![\w-])([XYZxyz]?)(\d{7,8})[ -]?([A-Za-z])(?![\w-])")
_CURP = re.compile(r"(?<![\w])[A-Z][AEIOUX][A-Z]{2}\d{6}[HM][A-Z]{5}[A-Z\d]\d(?![\w])")
_RUT = re.compile(r"(?<![\w.-])(\d{1,2}\.\d{3}\.\d{3})-([\dkK])(?![\w-])")
_DNI_LETTERS = "TRWAGMYFPDXBNJZSQVHLCKE"
_ANY_DIGIT = re.compile(r"\d")
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[^\W\d_]{2,}(?![\w-])")
_SNILS = re.compile(r"(?<![\d-])(\d{3})[- ](\d{3})[- ](\d{3})(?:[- ]| - )(\d{2})(?![\d-])")
_SNILS_WORD = re.compile(r"снилс\w*\s*[:№]?\s*(\d{3}-?\d{3}-?\d{3}[- ]?\d{2}|\d{11})", re.I)
_INN_WORD = re.compile(r"инн\s*[:№]?\s*(\d{12}|\d{10})(?!\d)", re.IGNORECASE)
_PASSPORT_SERIES = re.compile(
    r"сери[яи]\s*(?:паспорта\s*)?(\d{2}\s?\d{2})[\s,]*(?:(?:номер|№|n|no)\.?\s*)?№?\s*(\d{6})(?!\d)",
    re.IGNORECASE,
)
_PASSPORT_WORD = re.compile(
    r"(?:паспорт\w*|passport)(?:\s+рф)?\s*(?:серия|номер|no|№|:)?\.?\s*"
    r"(\d{2}\s?\d{2}\s?(?:№\s?)?\d{6})(?!\d)",
    re.IGNORECASE,
)
_PASSPORT_SPACED = re.compile(r"(?<![\d.,+])\d{2} \d{2} \d{6}(?!\d|[.,]\d)")
_CARD = re.compile(r"(?<![\w.,-])\d{4}(?:[ -]?\d{2,6}){2,4}(?![\w-]|[.,]\d)")
_PHONE_PLUS = re.compile(r"(?<![\w+])\+\d{1,3}(?:[ \-.]?\(?\d{1,5}\)?){2,6}(?![\w])")
_PHONE_RU = re.compile(
    r"(?<![\w+.,])(?:[78][ \-]?)?\(?\d{3}\)?[ \-]?\d{3}[ \-]?\d{2}[ \-]?\d{2}(?![\w]|[.,]\d)"
)
_PHONE_AFTER_WORD = re.compile(r"(?<![\w])\(?\d[\d \-()]{5,16}\d(?![\w]|[.,]\d)")


def luhn_valid(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 1:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def _inn_valid(digits: str) -> bool:
    def check(coefficients: tuple[int, ...], upto: int) -> int:
        return sum(c * int(d) for c, d in zip(coefficients, digits[:upto], strict=True)) % 11 % 10

    if len(digits) == 10:
        return check((2, 4, 10, 3, 5, 9, 4, 6, 8), 9) == int(digits[9])
    if len(digits) == 12:
        return check((7, 2, 4, 10, 3, 5, 9, 4, 6, 8), 10) == int(digits[10]) and check(
            (3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8), 11
        ) == int(digits[11])
    return False


def _snils_valid(digits: str) -> bool:
    if len(digits) != 11 or int(digits[:9]) <= 1001998:
        return False
    total = sum(int(d) * (9 - i) for i, d in enumerate(digits[:9]))
    control = total if total < 100 else 0 if total in (100, 101) else total % 101 % 100
    return control == int(digits[9:])


def _digits(text: str) -> str:
    """The decimal digits of ``text`` as ASCII ("٠٥٥" → "055")."""
    return "".join(str(int(char)) for char in text if char.isdecimal())


def dni_valid(number: str, letter: str, prefix: str = "") -> bool:
    """Whether a Spanish DNI (8 digits) or NIE (X/Y/Z and 7 digits) has its check letter: the
    number (the NIE's X/Y/Z read as 0/1/2) mod 23 indexes ``TRWAGMYFPDXBNJZSQVHLCKE``
    (Real Decreto 1553/2005, Ministerio del Interior)."""
    if prefix:
        if len(number) != 7:
            return False
        number = str("XYZ".index(prefix.upper())) + number
    elif len(number) != 8:
        return False
    return _DNI_LETTERS[int(number) % 23] == letter.upper()


def rut_valid(body: str, check: str) -> bool:
    """Whether a Chilean RUT/RUN has its check digit: weights 2..7 from the right, 11 minus the
    sum mod 11 (11 → 0, 10 → K) (Servicio de Registro Civil e Identificación)."""
    digits = _digits(body)
    total = sum(int(d) * (2 + i % 6) for i, d in enumerate(reversed(digits)))
    value = 11 - total % 11
    expected = "0" if value == 11 else "K" if value == 10 else str(value)
    return check.upper() == expected


def _after_unrelated_number_word(text: str, start: int) -> bool:
    return _NOT_PERSONAL.search(text[max(0, start - 30) : start]) is not None


def _after_phone_word(text: str, start: int) -> bool:
    return _PHONE_WORDS.search(text[max(0, start - 30) : start]) is not None


def _card_like(candidate: str) -> bool:
    digits = _digits(candidate)
    if not 13 <= len(digits) <= 19 or digits[0] not in "23456" or not luhn_valid(digits):
        return False
    groups = re.split(r"[ -]", candidate)
    if len(groups) == 1:
        return (
            len(digits) == 16
            or len(digits) == 19
            or (len(digits) == 15 and digits[:2] in ("34", "37"))
        )
    fours = all(len(g) == 4 for g in groups[:-1]) and 1 <= len(groups[-1]) <= 4
    amex_diners = [len(g) for g in groups] in ([4, 6, 5], [4, 6, 4])
    return fours or amex_diners


Finder = Callable[[str], Iterator[tuple[str, int, int]]]


def _emails(text: str) -> Iterator[tuple[str, int, int]]:
    for m in _EMAIL.finditer(text):
        yield "email", m.start(), m.end()


def _with_words(text: str) -> Iterator[tuple[str, int, int]]:
    """Numbers named by the word before them: passport series/number, INN, SNILS."""
    for pattern, kind in (
        (_PASSPORT_SERIES, "passport"),
        (_PASSPORT_WORD, "passport"),
        (_INN_WORD, "inn"),
        (_SNILS_WORD, "snils"),
    ):
        for m in pattern.finditer(text):
            yield kind, m.start(1), m.end(m.lastindex or 1)


def _formatted(text: str) -> Iterator[tuple[str, int, int]]:
    for m in _SNILS.finditer(text):
        if _snils_valid(_digits(m.group())):
            yield "snils", m.start(), m.end()
    for m in _PASSPORT_SPACED.finditer(text):
        if not _after_unrelated_number_word(text, m.start()):
            yield "passport", m.start(), m.end()
    for m in _CARD.finditer(text):
        candidate = m.group()
        bare = candidate.isdecimal()
        if _card_like(candidate) and not (bare and _after_unrelated_number_word(text, m.start())):
            yield "card", m.start(), m.end()


def _national_ids(text: str) -> Iterator[tuple[str, int, int]]:
    """Identity numbers named by their word («NIK», «DNI», «cédula», «الهوية», …) with 6 to 18
    digits, and the self-checking formats (DNI/NIE letter, CURP, RFC, RUT)."""
    for m in _ID_WORD.finditer(text):
        value = m.group(1).rstrip(" .-")
        if 6 <= len(_digits(value)) <= 18:
            yield "national_id", m.start(1), m.start(1) + len(value)
    for m in _DNI.finditer(text):
        if dni_valid(m.group(2), m.group(3), m.group(1)) and not _after_unrelated_number_word(
            text, m.start()
        ):
            yield "national_id", m.start(), m.end()
    for m in _CURP.finditer(text):
        yield "national_id", m.start(), m.end()
    for m in _RFC.finditer(text):
        if 1 <= int(m.group(2)) <= 12 and 1 <= int(m.group(3)) <= 31:
            yield "national_id", m.start(), m.end()
    for m in _RUT.finditer(text):
        if rut_valid(m.group(1), m.group(2)):
            yield "national_id", m.start(), m.end()


def _national_phones(text: str) -> Iterator[tuple[str, int, int]]:
    """Bare mobile numbers of Indonesia (08…), the Gulf (05…) and Egypt (01…)."""
    for m in _PHONE_NATIONAL.finditer(text):
        digits = _digits(m.group())
        if _after_unrelated_number_word(text, m.start()):
            continue
        if (
            (digits.startswith("08") and 10 <= len(digits) <= 13)
            or (digits.startswith("05") and len(digits) == 10)
            or (digits[:3] in ("010", "011", "012", "015") and len(digits) == 11)
        ):
            yield "phone", m.start(), m.end()


def _plus_phones(text: str) -> Iterator[tuple[str, int, int]]:
    for m in _PHONE_PLUS.finditer(text):
        if 8 <= len(_digits(m.group())) <= 15:
            yield "phone", m.start(), m.end()


def _phones(text: str) -> Iterator[tuple[str, int, int]]:
    for m in _PHONE_RU.finditer(text):
        candidate = m.group()
        digits = _digits(candidate)
        if len(digits) == 11 and digits[0] in "78":
            code = digits[1]
        elif len(digits) == 10:
            code = digits[0]
        else:
            continue
        if candidate.isdecimal():  # a bare run: only a mobile/city code and no "заказ №" before
            if code not in "3489" or _after_unrelated_number_word(text, m.start()):
                continue
            if len(digits) == 10 and code != "9":
                continue
        yield "phone", m.start(), m.end()
    for m in _PHONE_AFTER_WORD.finditer(text):
        if 7 <= len(_digits(m.group())) <= 15 and _after_phone_word(text, m.start()):
            yield "phone", m.start(), m.end()


def _bare_inn(text: str) -> Iterator[tuple[str, int, int]]:
    for m in re.finditer(r"(?<![\w.,-])(\d{12}|\d{10})(?![\w-]|[.,]\d)", text):
        if _inn_valid(m.group()) and not _after_unrelated_number_word(text, m.start()):
            yield "inn", m.start(), m.end()


# Earlier finders win overlaps: a number named by its word beats a guess from its format.
_FINDERS: tuple[Finder, ...] = (
    _emails,
    _with_words,
    _national_ids,
    _plus_phones,
    _formatted,
    _national_phones,
    _phones,
    _bare_inn,
)


def find_pii(text: str) -> list[PiiMatch]:
    """Every piece of personal data in ``text``, in order, without overlaps."""
    if "@" not in text and _ANY_DIGIT.search(text) is None:
        return []  # every kind holds a digit, save an e-mail address
    chosen: list[PiiMatch] = []
    for finder in _FINDERS:
        found = sorted(finder(text), key=lambda f: (f[1], -(f[2] - f[1])))
        for kind, start, end in found:
            if any(start < m.end and m.start < end for m in chosen):
                continue
            chosen.append(PiiMatch(kind, start, end, text[start:end]))
    return sorted(chosen, key=lambda m: m.start)


def mask_pii(text: str, placeholders: dict[str, str] | None = None) -> str:
    """``text`` with each piece of personal data replaced by a placeholder such as [PHONE]."""
    names = placeholders or PLACEHOLDERS
    parts: list[str] = []
    position = 0
    for match in find_pii(text):
        parts += [text[position : match.start], names.get(match.kind, "[PII]")]
        position = match.end
    parts.append(text[position:])
    return "".join(parts)
