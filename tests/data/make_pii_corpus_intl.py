"""Writes pii_corpus_intl.jsonl: synthetic Indonesian, Spanish and Arabic feedback texts with the
personal data each one holds, and decoys that hold none (order and tracking numbers, amounts,
dates, times).

Run it from the repository root (``python tests/data/make_pii_corpus_intl.py``); the output is
deterministic. Check characters are computed here, independently of ``otklik.classify.pii``,
from the published rules: the Spanish DNI/NIE letter (number mod 23 into
``TRWAGMYFPDXBNJZSQVHLCKE``, Real Decreto 1553/2005) and the Chilean RUT digit (weights 2–7
from the right, 11 − sum mod 11; 10 → K, 11 → 0). Same line format as ``pii_corpus.jsonl``.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

OUT = Path(__file__).with_name("pii_corpus_intl.jsonl")
rng = random.Random(20261202)
ARABIC_DIGITS = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


def digits(n: int) -> str:
    return "".join(str(rng.randint(0, 9)) for _ in range(n))


def dni() -> str:
    number = rng.randint(10_000_000, 99_999_999)
    return f"{number}{'TRWAGMYFPDXBNJZSQVHLCKE'[number % 23]}"


def nie() -> str:
    prefix = rng.choice("XYZ")
    body = rng.randint(1_000_000, 9_999_999)
    number = int(str("XYZ".index(prefix)) + str(body))
    return f"{prefix}{body}{'TRWAGMYFPDXBNJZSQVHLCKE'[number % 23]}"


def rut() -> str:
    body = rng.randint(5_000_000, 25_999_999)
    total = sum(int(d) * (2 + i % 6) for i, d in enumerate(reversed(str(body))))
    value = 11 - total % 11
    check = "0" if value == 11 else "K" if value == 10 else str(value)
    text = f"{body:,}".replace(",", ".")
    return f"{text}-{check}"


def curp() -> str:
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    return (
        rng.choice("BCDFGHJKLMNPRSTVZ")
        + rng.choice("AEIOU")
        + "".join(rng.choice(letters) for _ in range(2))
        + f"{rng.randint(50, 99)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
        + rng.choice("HM")
        + "".join(rng.choice(letters) for _ in range(5))
        + rng.choice("0123456789AB")
        + str(rng.randint(0, 9))
    )


def id_mobile() -> str:
    body = "08" + rng.choice("1235789") + digits(rng.choice([7, 8, 9]))
    style = rng.randint(0, 2)
    if style == 0:
        return body
    if style == 1:
        return f"{body[:4]}-{body[4:8]}-{body[8:]}"
    return f"{body[:4]} {body[4:8]} {body[8:]}"


def gulf_mobile(arabic: bool = False) -> str:
    body = "05" + rng.choice("0345689") + digits(7)
    if rng.random() < 0.3:
        body = f"{body[:3]} {body[3:6]} {body[6:]}"
    return body.translate(ARABIC_DIGITS) if arabic else body


def egypt_mobile() -> str:
    return "01" + rng.choice("0125") + digits(8)


def mx_phone() -> str:
    return f"{rng.choice(['55', '33', '81'])} {digits(4)} {digits(4)}"


def nik() -> str:
    born = f"{rng.randint(1, 71):02d}{rng.randint(1, 12):02d}{rng.randint(60, 99)}"
    return f"{rng.randint(11, 94)}{digits(4)}{born}{rng.randint(1, 9999):04d}"


def saudi_id() -> str:
    return rng.choice("12") + digits(9)


def egypt_id() -> str:
    born = f"{rng.randint(60, 99):02d}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
    return f"{rng.choice('23')}{born}{rng.randint(1, 35):02d}{digits(5)}"


PII_TEMPLATES = [
    ("phone", "Nomor HP saya {v}, tolong hubungi secepatnya", id_mobile),
    ("phone", "Paket belum sampai, hubungi saya di {v} ya kak", id_mobile),
    ("phone", "Kurir tidak bisa dihubungi, ini WA saya {v}", id_mobile),
    ("phone", "Sudah 3 hari refund belum masuk. No HP: {v}", id_mobile),
    ("phone", "Tolong telepon ke {v} untuk konfirmasi", id_mobile),
    ("national_id", "NIK saya {v} tapi ditolak terus saat verifikasi", nik),
    ("national_id", "Data KTP {v} sudah saya kirim dua kali", nik),
    ("phone", "رقم جوالي {v} اتصلوا علي ضروري", gulf_mobile),
    ("phone", "الطلب ما وصل، تواصلوا معي على {v}", gulf_mobile),
    ("phone", "رقمي {v} وما أحد رد علي", lambda: gulf_mobile(arabic=True)),
    ("phone", "واتساب {v} لو سمحتم", gulf_mobile),
    ("phone", "اتصلوا على {v} بخصوص الاسترجاع", egypt_mobile),
    ("national_id", "رقم الهوية {v} والخدمة ما تقبله", saudi_id),
    ("national_id", "رقم الإقامة {v} صحيح بس التطبيق يرفضه", saudi_id),
    ("national_id", "الرقم القومي {v} ومع ذلك الطلب اترفض", egypt_id),
    ("phone", "Mi celular es {v}, llámenme por favor", mx_phone),
    ("phone", "Llámame al {v} para coordinar la entrega", mx_phone),
    ("phone", "mi número es {v} y nadie me contesta", mx_phone),
    ("national_id", "Mi DNI es {v} y no me dejan registrarme", dni),
    ("national_id", "Pusieron mal mi DNI {v} en la factura", dni),
    ("national_id", "Soy extranjero, NIE {v}, y la app no lo acepta", nie),
    ("national_id", "Mi RUT {v} aparece bloqueado sin motivo", rut),
    ("national_id", "Me pidieron la CURP {v} para el reembolso", curp),
    (
        "national_id",
        "Cédula {v}, ya envié todos los documentos",
        lambda: f"{rng.randint(10, 99)}.{digits(3)}.{digits(3)}",
    ),
]

DECOY_TEMPLATES = [
    "Pesanan {order} belum sampai sampai sekarang",
    "Nomor resi JNE{order} tidak bisa dilacak",
    "Saya transfer Rp {amount} tanggal 12/03 tapi saldo tidak bertambah",
    "Invoice {order} dobel ditagih",
    "Kode booking {order} hilang dari aplikasi",
    "Mi pedido {order} sigue sin llegar",
    "Pagué $ {amount} el 14/05/2026 y no se reflejó",
    "La guía de rastreo {order} no aparece",
    "Factura {order} con un cobro de más",
    "Llegué a las 10:30 y me atendieron a las 12:45",
    "الطلب رقم {order} ما وصل للحين",
    "دفعت {amount} ريال يوم 2026-05-14 والمبلغ ما رجع",
    "رقم الشحنة {order} غلط",
    "حجز رقم {order} انلغى بدون سبب",
    "Order #{order} arrived late",
]


def decoy(template: str) -> str:
    order = digits(rng.choice([8, 10, 11, 12]))
    amount = f"{rng.randint(1, 999)}.{digits(3)}"
    return template.format(order=order, amount=amount)


def main() -> None:
    rows = []
    for kind, template, make in PII_TEMPLATES:
        for _ in range(5):
            value = make()
            rows.append({"text": template.format(v=value), "pii": [{"kind": kind, "value": value}]})
    for template in DECOY_TEMPLATES:
        for _ in range(10):
            rows.append({"text": decoy(template), "pii": []})
    OUT.write_text(
        "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8"
    )


if __name__ == "__main__":
    main()
