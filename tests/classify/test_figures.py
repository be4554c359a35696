"""Figures that disagree are a complaint (issue 13, item 3: a fact stated without an evaluative
word). Each case below was written for this test; the expected value is read off the sentence
by hand (is a promise broken, by the numbers it gives?)."""

from __future__ import annotations

import pytest

from otklik.classify import default_rules
from otklik.classify.figures import figures_disagree


@pytest.mark.parametrize(
    ("text", "language"),
    [
        # a time due and a later time kept (≥ 15 minutes)
        ("заказывали столик на 19:00, посадили в 19:35", "ru"),
        ("записалась к стоматологу на 10:30, приняли в 11:50", "ru"),
        ("clinic said 10am, saw the doctor at 12:40", "en"),
        ("booked the table for 8pm, seated at 9:15", "en"),
        ("Заказала на 19 00, привезли в 20 10", "ru"),
        # a window and a time outside it
        ("окно доставки 9-11, курьер приехал в 13:00", "ru"),
        ("delivery window 2-4, came at 9pm", "en"),
        # an amount promised and a different one given
        ("на ценнике 89, на кассе пробили 129", "ru"),
        ("shelf price said 2.49, charged 3.19 at the till", "en"),
        ("Скорость по тарифу 500 мбит, по замеру 37", "ru"),
        ("кроссовки заказывала 39 размера, пришли 42", "ru"),
        ("paid 899, got a 499 item", "en"),
        # a part of a whole
        ("привезли 3 пакета из 4", "ru"),
        ("из 14 позиций привезли 11", "ru"),
        ("only 2 of 6 washing machines work", "en"),
        # a price that went up
        ("renewal price went from 4.99 to 11.99", "en"),
        ("тариф подняли с 450 до 690 без предупреждения", "ru"),
        ("Цена по телефону 3 500, на кассе 6 200", "ru"),
        ("got a bill for 640, usually 60", "en"),
        ("so the ride price was 180 on the app and 260 at the end", "en"),
        ("Booked the 9:00 slot, was called in at 10:15", "en"),
        # Spanish
        ("Cita a las 10:00, me atendieron a las 11:45", "es"),
        ("el courier vino a las 8pm, la ventana de entrega era 9 a 13", "es"),
        ("me llegó con 4.800 de recibo, siempre pago 600", "es"),
        ("faltaban 2 de los 5 productos", "es"),
        # Arabic, with Arabic-Indic digits too
        ("سعر المنتج في التطبيق 89 وفي الفاتورة 119", "ar"),
        ("مشترك ٢٠٠ ميجا والسبيد تست يطلع ٨", "ar"),
        ("وصل ٣ أكياس من ٤", "ar"),
    ],
)
def test_figures_that_disagree(text: str, language: str) -> None:
    assert figures_disagree(text, language)


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("заказ в 19:10, привезли в 19:35, всё горячее", "ru"),  # when it was ordered
        ("ordered at 12:01 got it at 12:24", "en"),
        ("обещали к 18:00, привезли в 17:30", "ru"),  # early
        ("booked for 7pm, seated at 7:05", "en"),  # 5 minutes
        ("просил доставить к 12:00 ровно, курьер пришел в 11:58", "ru"),  # 2 minutes early
        ("Записали на 10, приняли в 9 55", "ru"),  # an hour alone, a time with a space
        ("quoted 300, charged 250 in the end", "en"),  # cheaper
        ("the price was 180 on the app and 180 at the end", "en"),  # the same
        ("заказывала 3 кг, привезли 3 кг", "ru"),  # the same
        ("обещали доставку за 5 дней, привезли за 2", "ru"),  # durations are left alone
        ("price went down from 11.99 to 4.99", "en"),
        ("5 из 5, всё отлично", "ru"),  # the whole
        ("4 из 5 звёзд", "ru"),  # a rating
        ("4 out of 5 stars", "en"),
        ("работаем с 9 до 21 без выходных", "ru"),  # opening hours
        ("доставили 9 из 9 заказов вовремя", "ru"),
        ("заказали 2 пиццы за 1200", "ru"),  # one figure of each kind
        ("no numbers here at all", "en"),
        ("سعر المنتج في التطبيق 89 وفي الفاتورة 89", "ar"),  # the same
        ("التقييم ٤ من ٥ نجوم", "ar"),  # a rating
        ("en la etiqueta 89, en la caja cobraron 129", "id"),  # not a language it reads
        ("pedí a las 8:40 y llegó a las 9:05", "es"),  # when it was ordered
        ("llegaron los 5 de 5 productos", "es"),
        ("le doy 4 de 5 estrellas", "es"),
    ],
)
def test_figures_that_agree_or_say_nothing(text: str, language: str) -> None:
    assert not figures_disagree(text, language)


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("на ценнике 89, на кассе пробили 129", "ru"),
        ("привезли 3 пакета из 4", "ru"),
        ("clinic said 10am, saw the doctor at 12:40", "en"),
        ("renewal price went from 4.99 to 11.99", "en"),
    ],
)
def test_the_rules_read_figures_that_disagree_as_a_complaint(text: str, language: str) -> None:
    """Before this kind each of these was ``other`` / ``neutral``: no evaluative word."""
    found = default_rules().analyse(text, language=language)
    assert (found.type, found.sentiment) == ("complaint", "negative")


def test_figures_in_praise_leave_it_praise() -> None:
    found = default_rules().analyse(
        "заказ в 19:10, привезли в 19:35, всё горячее, спасибо", language="ru"
    )
    assert (found.type, found.sentiment) == ("praise", "positive")
