"""Writes pii_corpus.jsonl: synthetic feedback texts with the personal data each one holds.

Run it from the repository root (``python tests/data/make_pii_corpus.py``); the output is
deterministic. Check digits are computed here, independently of ``otklik.classify.pii``, from
the published rules (Luhn; the INN and SNILS algorithms of the Russian tax and pension
services). Each line: ``{"text": ..., "pii": [{"kind": ..., "value": ...}]}``, where ``value``
is the exact substring that must be masked; ``pii`` is empty for decoys (order numbers, dates,
amounts, tracking numbers) that must be left alone.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

OUT = Path(__file__).with_name("pii_corpus.jsonl")
rng = random.Random(20251123)


def luhn_complete(body: str) -> str:
    digits = [int(c) for c in body] + [0]
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return body + str((10 - total % 10) % 10)


def luhn_broken(body: str) -> str:
    good = luhn_complete(body)
    return good[:-1] + str((int(good[-1]) + 3) % 10)


def inn10() -> str:
    body = [rng.randint(0, 9) for _ in range(9)]
    body[0] = rng.randint(1, 9)
    weights = [2, 4, 10, 3, 5, 9, 4, 6, 8]
    return "".join(map(str, body)) + str(
        sum(w * d for w, d in zip(weights, body, strict=True)) % 11 % 10
    )


def inn12() -> str:
    body = [rng.randint(0, 9) for _ in range(10)]
    body[0] = rng.randint(1, 9)
    w11 = [7, 2, 4, 10, 3, 5, 9, 4, 6, 8]
    body.append(sum(w * d for w, d in zip(w11, body, strict=True)) % 11 % 10)
    w12 = [3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8]
    body.append(sum(w * d for w, d in zip(w12, body, strict=True)) % 11 % 10)
    return "".join(map(str, body))


def snils() -> str:
    while True:
        body = [rng.randint(0, 9) for _ in range(9)]
        if int("".join(map(str, body))) > 1001998:
            break
    s = sum(d * (9 - i) for i, d in enumerate(body))
    if s < 100:
        control = s
    elif s in (100, 101):
        control = 0
    else:
        control = s % 101
        if control == 100:
            control = 0
    b = "".join(map(str, body))
    return f"{b[:3]}-{b[3:6]}-{b[6:9]} {control:02d}"


def card(prefix: str, length: int = 16) -> str:
    body = prefix + "".join(str(rng.randint(0, 9)) for _ in range(length - len(prefix) - 1))
    return luhn_complete(body)


def groups(number: str, sizes: list[int], sep: str = " ") -> str:
    out, i = [], 0
    for size in sizes:
        out.append(number[i : i + size])
        i += size
    return sep.join(out)


def d(n: int) -> str:
    return "".join(str(rng.randint(0, 9)) for _ in range(n))


def mobile() -> str:
    return "9" + d(9)


rows: list[dict[str, object]] = []


def add(text: str, *pii: tuple[str, str]) -> None:
    for _kind, value in pii:
        assert value in text, (value, text)
    rows.append({"text": text, "pii": [{"kind": k, "value": v} for k, v in pii]})


# Phones: Russian spellings.
for _ in range(3):
    m = mobile()
    variants = [
        f"+7 ({m[:3]}) {m[3:6]}-{m[6:8]}-{m[8:]}",
        f"8 ({m[:3]}) {m[3:6]}-{m[6:8]}-{m[8:]}",
        f"+7{m}",
        f"8{m}",
        f"8-{m[:3]}-{m[3:6]}-{m[6:8]}-{m[8:]}",
        f"+7 {m[:3]} {m[3:6]} {m[6:8]} {m[8:]}",
        f"8 {m[:3]} {m[3:6]}-{m[6:8]}-{m[8:]}",
        f"({m[:3]}) {m[3:6]}-{m[6:8]}-{m[8:]}",
        f"7{m}",
        m,
    ]
    for v in variants:
        add(
            rng.choice(
                [
                    f"Перезвоните мне на {v}, пожалуйста.",
                    f"Мой номер {v}, жду звонка",
                    f"Оператор так и не перезвонил на {v}!",
                    f"Связь: {v} (Ольга)",
                ]
            ),
            ("phone", v),
        )
add("Городской: 8 (495) 123-45-67, звонить после 18:00", ("phone", "8 (495) 123-45-67"))
add("Рабочий телефон +7 (812) 555-12-34 доб. 12", ("phone", "+7 (812) 555-12-34"))
add("тел. 123-45-67, спросить Ивана", ("phone", "123-45-67"))
add("Телефон для связи: 8 800 555 35 35 не отвечает", ("phone", "8 800 555 35 35"))
# International.
for v in [
    "+62 812-3456-7890",
    "+971 50 123 4567",
    "+34 612 345 678",
    "+44 20 7946 0958",
    "+1 (415) 555-2671",
    "+49 30 901820",
    "+375 29 123-45-67",
    "+380 44 123 4567",
    "+966 55 123 4567",
    "+6281234567890",
    "+7 727 123 4567",
    "+90 532 123 45 67",
]:
    add(
        rng.choice(
            [
                f"Please call me back at {v}.",
                f"My number is {v}",
                f"Hubungi saya di {v}",
                f"Llámame al {v}, gracias",
                f"اتصل بي على {v}",
            ]
        ),
        ("phone", v),
    )
add("WhatsApp: 0812 3456 7890", ("phone", "0812 3456 7890"))
add("call me on 07700 900123 after 5pm", ("phone", "07700 900123"))

# E-mails.
for v in [
    "ivan.petrov@mail.ru",
    "o.smirnova+bank@yandex.ru",
    "support_user@gmail.com",
    "anna-k@company.co.uk",
    "test.user123@outlook.com",
    "покупатель@почта.рф",
    "ahmad@domain.ae",
    "maria.garcia@correo.es",
    "budi_s@yahoo.co.id",
    "x@y.io",
]:
    add(
        rng.choice(
            [
                f"Напишите мне на {v}",
                f"Ответ пришлите на почту {v}.",
                f"email: {v}",
                f"Contact me: {v}, thanks",
                f"({v})",
            ]
        ),
        ("email", v),
    )

# Cards.
for prefix, sizes in [
    ("4", [4, 4, 4, 4]),
    ("5", [4, 4, 4, 4]),
    ("2200", [4, 4, 4, 4]),
    ("4", [16]),
    ("5", [16]),
    ("2202", [16]),
    ("6", [4, 4, 4, 4]),
    ("4", [4, 4, 4, 4, 3]),
]:
    n = card(prefix, sum(sizes))
    for sep in (" ", "-") if len(sizes) > 1 else ("",):
        v = groups(n, sizes, sep)
        add(
            rng.choice(
                [
                    f"Списали с карты {v} дважды!",
                    f"Карта {v} заблокирована без причины",
                    f"My card {v} was charged twice",
                    f"Номер карты: {v}",
                    f"kartu {v} diblokir",
                ]
            ),
            ("card", v),
        )
amex = card("37", 15)
add(f"Amex {groups(amex, [4, 6, 5])} declined", ("card", groups(amex, [4, 6, 5])))
add(f"карта {amex} не проходит", ("card", amex))
add("Тестовая карта 4111 1111 1111 1111 не работает", ("card", "4111 1111 1111 1111"))

# Passports.
for _ in range(4):
    s, n = d(4), d(6)
    s = str(rng.randint(10, 99)) + s[2:]
    for v_text, v in [
        (f"паспорт серия {s[:2]} {s[2:]} номер {n}", f"{s[:2]} {s[2:]} номер {n}"),
        (f"серия {s} № {n}", f"{s} № {n}"),
        (f"Паспорт {s} {n}", f"{s} {n}"),
        (f"паспорт РФ {s[:2]} {s[2:]} {n}", f"{s[:2]} {s[2:]} {n}"),
        (f"данные: {s[:2]} {s[2:]} {n}", f"{s[:2]} {s[2:]} {n}"),
    ]:
        add(
            rng.choice(
                [
                    f"Мои данные — {v_text}, проверьте.",
                    f"Указал {v_text}, а заявку отклонили",
                    f"{v_text.capitalize()}, выдан ОВД района",
                ]
            ),
            ("passport", v),
        )
add("Passport No. 4509 123456 was scanned twice", ("passport", "4509 123456"))

# INN.
for _ in range(5):
    v = inn10()
    add(rng.choice([f"ИНН организации {v}", f"ИНН: {v}, прошу вернуть деньги"]), ("inn", v))
for _ in range(5):
    v = inn12()
    add(rng.choice([f"мой ИНН {v}", f"инн {v} указан верно", f"Указываю ИНН{v}"]), ("inn", v))
for _ in range(4):
    v = inn12()
    add(f"Платёж по реквизитам {v} не прошёл", ("inn", v))

# SNILS.
for _ in range(6):
    v = snils()
    add(
        rng.choice(
            [
                f"СНИЛС {v}",
                f"снилс: {v}, полис ОМС потом",
                f"Мой СНИЛС {v} не находят",
                f"Пенсионное: {v}",
            ]
        ),
        ("snils", v),
    )
v = snils()
add(f"СНИЛС {v.replace('-', '').replace(' ', '')}", ("snils", v.replace("-", "").replace(" ", "")))

# Several in one text.
m, e, c = mobile(), "k.ivanova@mail.ru", card("4")
add(
    f"Звоните +7 {m[:3]} {m[3:6]}-{m[6:8]}-{m[8:]} или пишите {e}; карта {groups(c, [4, 4, 4, 4])}",
    ("phone", f"+7 {m[:3]} {m[3:6]}-{m[6:8]}-{m[8:]}"),
    ("email", e),
    ("card", groups(c, [4, 4, 4, 4])),
)

# Decoys: nothing here is personal data.
decoys = [
    f"Заказ № {d(9)} не доставлен",
    f"Номер заказа {d(10)}, курьер опоздал",
    f"заказ №{d(12)} пришёл не тот",
    f"order #{d(11)} never arrived",
    f"Order ID {d(16)} refunded?",
    f"Трек-номер {d(14)}, посылка стоит на месте",
    f"трек RA{d(9)}RU не отслеживается",
    f"Договор № {d(2)}-{d(3)}/2024 от 12.03.2024",
    f"Номер обращения {d(10)}, ответа нет",
    f"Счёт {d(20)} заблокирован",
    "Списали 1 234 567,89 руб. вместо 123 456 руб.",
    "Сумма 15 000 ₽, комиссия 299 ₽",
    "Paid $1,234.56 and got charged 12.99 EUR extra",
    "Дата: 12.03.2025, время 14:30",
    "Доставка 2025-03-12 с 10:00 до 14:00",
    "Ждал с 10:30-12:00, потом ещё 2 часа",
    "Версия приложения 5.12.3 (build 20250312) вылетает",
    "Карта **** **** **** 1234 заблокирована",
    "Карта *1234 не работает",
    "Кэшбэк 5% на 3 категории, лимит 5000 баллов",
    "С 01.01.2025 по 31.12.2025 тариф 499 руб/мес",
    "Перевёл 10 000 рублей 05.06.2025 в 12:15",
    "Код ошибки 500, затем 0x80070005",
    "Заявка 2025-000123456 висит неделю",
    "IP 192.168.100.200 блокируется",
    f"Артикул {d(8)}, размер 42",
    f"Номер накладной {d(12)}",
    f"Квитанция {d(10)} оплачена",
    "В 2024 году было 12 обращений, в 2025 — 34",
    "Рейтинг 4.5 из 5, 1200 отзывов",
    f"Транзакция {d(16)} отклонена",
    f"Номер транзакции: {d(12)}",
    "Позвонили 3 раза за 2 дня, разговор 45 минут",
    "Оценка 2/10",
    "Промокод SALE2025 не работает",
    f"Чек № {d(4)} {d(6)} от 03.04.2025",
    "Ставка 19,9% годовых, платёж 12 345,67",
    "Лимит 100 000 в месяц, остаток 45 678,90",
    f"Посылка {d(13)} на таможне",
    "Рейс SU 1234 задержан на 3 часа",
    "ОГРН 1027700132195 у банка",
    "БИК 044525225, корр. счёт 30101810400000000225",
    "Итого 1 299,00 ₽ за 3 шт.",
    "Серийный номер устройства SN 12345678901",
    f"ticket {d(8)} closed without answer",
    "Pesanan 2.500.000 rupiah belum sampai",
    "Pedido 123456789 llegó tarde",
    "الطلب رقم 123456789 تأخر",
    "2025-06-05T12:15:00Z платёж прошёл",
    "Баланс: 12 345 678 руб.",
]
for text in decoys:
    add(text)
# Generated decoys: numbers of every length after the words that name them, amounts, dates.
templates = [
    "Заказ № {n} задерживается",
    "номер заказа {n}",
    "Order #{n} is late",
    "order number {n} missing",
    "Трек-номер {n}",
    "трек {n} не обновляется",
    "Номер обращения {n}",
    "заявка №{n} закрыта без решения",
    "Договор {n} расторгнут",
    "Pedido {n} no llegó",
    "Pesanan #{n} belum sampai",
    "Чек {n} потерялся",
    "transaction {n} failed",
    "Накладная {n}",
    "Ticket {n}",
]
for i in range(120):
    length = [8, 9, 10, 11, 12, 13, 14, 16][i % 8]
    add(templates[i % len(templates)].format(n=str(rng.randint(1, 9)) + d(length - 1)))
for _ in range(20):
    rub, kop = rng.randint(1, 999), rng.randint(0, 99)
    thousands = rng.randint(1, 999)
    add(
        rng.choice(
            [
                f"Списали {thousands} {rub:03d},{kop:02d} руб.",
                f"Сумма {thousands} {rub:03d} ₽",
                f"Paid {thousands},{rub:03d}.{kop:02d} USD",
                f"Total Rp {thousands}.{rub:03d}.000",
            ]
        )
    )
for _ in range(20):
    day, month, year = rng.randint(1, 28), rng.randint(1, 12), rng.randint(2019, 2026)
    hour, minute = rng.randint(0, 23), rng.randint(0, 59)
    add(
        rng.choice(
            [
                f"{day:02d}.{month:02d}.{year} в {hour:02d}:{minute:02d}",
                f"{year}-{month:02d}-{day:02d} {hour:02d}:{minute:02d}:00",
                f"{day:02d}/{month:02d}/{year} с {hour:02d}:00 до {(hour + 2) % 24:02d}:00",
            ]
        )
    )

OUT.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
print(f"{len(rows)} texts, {sum(len(r['pii']) for r in rows)} pieces of personal data -> {OUT}")
