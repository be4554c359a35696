"""Advice that scolds is a complaint; advice or a wish for a feature is not (issue 13, item 3).

Sentences written for these tests (not copies of the labelled sets); the module under test is
:mod:`otklik.classify.advice`, read through :meth:`otklik.classify.rules.RuleSet.analyse`.
"""

from __future__ import annotations

import pytest

from otklik.classify import default_rules
from otklik.classify.advice import scolding_advice
from otklik.classify.text import tokenize


@pytest.mark.parametrize(
    ("text", "language"),
    [
        # teach, train or hire them
        ("maybe train your cashiers to count change", "en"),
        ("perhaps teach the couriers where the door is", "en"),
        ("Hire a second receptionist, the queue was out the door", "en"),
        ("научите продавцов здороваться", "ru"),
        ("Наймите уже администратора, который отвечает на звонки", "ru"),
        ("Contraten cajeros, hay una sola caja abierta", "es"),
        ("deberían capacitar a los técnicos antes de mandarlos", "es"),
        ("mending kasirnya dilatih dulu", "id"),
        ("علموا الموظفين كيف يتعاملون مع العملاء", "ar"),
        ("ياريت تدربون الكاشير على الرد", "ar"),
        # try doing the job; better / maybe / next time and a verb of the job
        ("Try reading the ticket before closing it", "en"),
        ("try answering emails within a week", "en"),
        ("better check the fridge before you sell the milk", "en"),
        ("next time maybe listen to what the customer says", "en"),
        ("más les vale devolverme el dinero", "es"),
        # the least they could do
        ("would be nice if someone at least replied to my emails", "en"),
        ("вы бы хоть раз трубку взяли", "ru"),
        ("хоть бы кто-нибудь ответил в чате", "ru"),
        ("если бы ваш курьер хотя бы позвонил заранее, было бы лучше", "ru"),
        ("ojalá contestaran el teléfono al menos una vez", "es"),
        # more of a behaviour, or less; staff in a "would be better if"
        ("кассиров бы повежливее набрали", "ru"),
        ("поменьше бы рекламы в приложении и побольше кассиров", "ru"),
        ("лучше б так же быстро деньги возвращали, как списываете", "ru"),
        ("a bit less upselling at the counter would be nice", "en"),
        ("Would be better if your technicians didn't leave mud everywhere", "en"),
        ("Deberían preocuparse más por los pacientes y menos por vender", "es"),
    ],
)
def test_advice_that_scolds_is_a_complaint(text: str, language: str) -> None:
    found = default_rules().analyse(text, language=language)
    assert (found.type, found.sentiment) == ("complaint", "negative"), text
    assert found.type_turned  # the shipped type model may not overrule it


@pytest.mark.parametrize(
    ("text", "language"),
    [
        # a wish for a feature, even with "better", «бы» or "at least"
        ("better size options would be nice", "en"),
        ("would be better if the app let me save two addresses", "en"),
        ("лучше бы добавили тёмную тему", "ru"),
        ("сделайте хотя бы на выходные доставку до 22", "ru"),
        ("хотелось бы видеть историю хотя бы за год", "ru"),
        ("Deberían poner más sabores de helado", "es"),
        ("less sugar option please", "en"),
        # not advice at all
        ("хоть и дорого, но вкусно", "ru"),
        ("train on time, staff polite", "en"),
        ("teach me how to change my tariff", "en"),
        ("Научите меня подключать автоплатёж", "ru"),
        ("we tried booking online and it was easy", "en"),
    ],
)
def test_a_wish_or_a_plain_sentence_is_no_rebuke(text: str, language: str) -> None:
    tokens = tokenize(text, language)
    assert scolding_advice(tokens, language) == []
    assert default_rules().analyse(text, language=language).type != "complaint"


def test_the_position_is_the_word_that_opens_the_advice() -> None:
    tokens = tokenize("so try hiring people who read", "en")
    assert [t.surface for t in tokens][:2] == ["so", "try"]
    assert scolding_advice(tokens, "en") == [1]
    assert scolding_advice(tokenize("ну хоть бы раз ответили", "ru"), "ru") == [1]


def test_other_languages_and_empty_texts_have_none() -> None:
    assert scolding_advice([], "ru") == []
    assert scolding_advice(tokenize("try hiring people", "en"), "de") == []


@pytest.mark.parametrize(
    ("text", "language"),
    [
        # "should" said to the company or its staff
        ("your drivers should look at the map before calling me", "en"),
        ("you guys should fix the lift before charging for parking", "en"),
        ("learn to count change pls", "en"),
        ("maybe less talking and more fixing my router", "en"),
        ("Would be better if your cleaners emptied the bins", "en"),
        # «надо» with a comparative, «бы лучше … чем», «вместо», «ваш …» in a wish, «можно было и»
        ("вежливее надо быть с пенсионерами", "ru"),
        ("надо лучше следить за курьерами", "ru"),
        ("вы бы лучше трубку брали, чем смс слали", "ru"),
        ("лучше бы вместо новых тарифов связь наладили", "ru"),
        ("хотелось бы, чтобы ваши операторы дослушивали до конца", "ru"),
        ("можно было и позвонить, что заказ отменён", "ru"),
        ("проверяйте лучше свои счета, прежде чем присылать", "ru"),
        # Spanish, Indonesian, Arabic
        ("deberían poner más cajeros los fines de semana", "es"),
        ("sería mejor que los repartidores tocaran el timbre", "es"),
        ("cómo es posible que me cobren dos veces", "es"),
        ("lain kali kurirnya telepon dulu sebelum datang", "id"),
        ("tolong lebih diperhatikan kebersihan toiletnya", "id"),
        ("لو سمحتوا علموا الموظفين الرد على الرسائل", "ar"),
        ("ياريت الموظفين يردون على الايميل", "ar"),
        ("صلحوا الموقع قبل العروض", "ar"),
    ],
)
def test_more_advice_that_scolds(text: str, language: str) -> None:
    found = default_rules().analyse(text, language=language)
    assert found.type == "complaint", text
    assert found.sentiment == "negative", text


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("you should add a dark mode", "en"),
        ("should I bring my passport", "en"),
        ("мне надо быстрее оформить карту, подскажите как", "ru"),
        ("можно было бы сделать доставку по выходным", "ru"),
        ("Deberían poner más cajas de autoservicio", "es"),
        ("ياريت تضيفون تتبع المندوب على الخريطة", "ar"),
        ("اتمنى زيادة عدد الممرضات في الليل", "ar"),
    ],
)
def test_more_wishes_that_scold_no_one(text: str, language: str) -> None:
    assert scolding_advice(tokenize(text, language), language) == [], text


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("you'd do well to train your cashiers on the new tills", "en"),
        ("how about your drivers check the address before leaving", "en"),
        ("I'd suggest your support team read the whole email", "en"),
        ("it would be nice if the cleaners came on time for once", "en"),
        ("you should really get more than two agents on the night shift", "en"),
        ("вам бы курьеров вежливых найти, а не скидки раздавать", "ru"),
        ("хорошо бы кассирам объяснить, как оформлять возврат", "ru"),
    ],
)
def test_advice_that_scolds_in_yet_other_words(text: str, language: str) -> None:
    found = default_rules().analyse(text, language=language)
    assert (found.type, found.sentiment) == ("complaint", "negative"), text


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("how about a loyalty card", "en"),
        ("I'd suggest adding a search box", "en"),
        ("хорошо бы приложение на планшет", "ru"),
        ("вам бы понравилось у нас в новом зале", "ru"),
    ],
)
def test_suggestions_and_invitations_are_no_rebuke(text: str, language: str) -> None:
    assert scolding_advice(tokenize(text, language), language) == [], text


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("harusnya satpam ditambah kalau malam", "id"),
        ("coba sekali-sekali adminnya balas email", "id"),
        ("شو رأيكم تردون على الرسائل قبل الاسبوع", "ar"),
        ("احسنلكم تراجعوا الطلبات قبل الشحن", "ar"),
        ("لازم تزودوا الكاشيرات في الويكند", "ar"),
    ],
)
def test_advice_that_scolds_in_indonesian_and_arabic(text: str, language: str) -> None:
    assert scolding_advice(tokenize(text, language), language), text
    assert default_rules().analyse(text, language=language).type == "complaint", text


def test_a_wish_for_more_specialists_is_a_suggestion() -> None:
    text = "Tolong perbanyak dokter spesialis yang online di malam hari"
    assert scolding_advice(tokenize(text, "id"), "id") == []


@pytest.mark.parametrize(
    ("text", "language"),
    [
        # the twenty-second round (docs/benchmarks-classify.md): next time, not this time
        ("Пусть ваш курьер в следующий раз не бросает пакет у лифта", "ru"),
        ("пусть сантехник впредь вытирает за собой лужи", "ru"),
        # infinitives of hiring and teaching after a word that advises
        ("подумайте о том, чтобы нанимать водителей, которые знают город", "ru"),
        ("вам давно пора уволить этого грубого администратора", "ru"),
        ("стоит обучить персонал хотя бы основам вежливости", "ru"),
        # «не мешало бы» with a person of the company
        ("Кассирам не мешало бы знать, что скидка по карте действует и в выходные", "ru"),
        ("не мешало бы вашим операторам читать историю обращения", "ru"),
        # English: someone ought to tell them; perhaps the staff could; have a word with
        ("somebody should tell your drivers that indicators exist", "en"),
        ("someone needs to remind the reception team that checkout is at noon", "en"),
        ("maybe the delivery drivers could ring the bell instead of leaving a card", "en"),
        ("Perhaps your technicians should bring shoe covers", "en"),
        ("I'd have a word with the waiter who served table 6", "en"),
        # Spanish: vosotros imperatives, a recommendation to check how they work
        ("Enseñad a los cajeros a sonreír un poco", "es"),
        ("Les recomiendo capacitar a los repartidores, todo llegó aplastado", "es"),
        # Indonesian: a person of the company and what they should do better
        ("sebaiknya pihak bengkel cek dulu sebelum motor diserahkan, remnya masih bunyi", "id"),
        ("satpamnya mending ramah dikit, bentak-bentak pengunjung", "id"),
    ],
)
def test_advice_of_the_fifth_set_kinds(text: str, language: str) -> None:
    found = default_rules().analyse(text, language=language)
    assert found.type == "complaint", text
    assert found.sentiment == "negative", text


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("пусть курьер звонит за час до приезда", "ru"),  # a wish for the service: no rebuke
        ("нужно ли нанимать юриста, чтобы оформить возврат?", "ru"),  # it asks
        ("мне стоит научить маму пользоваться приложением", "ru"),  # the writer's own
        ("maybe someone could tell me when the pool opens", "en"),  # a request, not staff
        ("sebaiknya pihak hotel menambah kolam renang anak", "id"),  # a feature
    ],
)
def test_fifth_set_wishes_that_scold_no_one(text: str, language: str) -> None:
    assert scolding_advice(tokenize(text, language), language) == [], text


@pytest.mark.parametrize(
    ("text", "language"),
    [
        # the twenty-third round: «пусть» with a comparative of how they work
        ("передайте мастеру, пусть кладёт плитку поаккуратнее", "ru"),
        # staff in «лучше бы …, а не …»
        ("Кассирам лучше бы клиентов обслуживать, а не болтать между собой", "ru"),
        # scorn by comparison: easier to do it yourself than to get it from them
        ("Проще самой доехать до склада, чем дождаться вашего курьера", "ru"),
        ("быстрее пешком дойти, чем дозвониться до вашей диспетчерской", "ru"),
        ("it's faster to walk to the branch than to get a reply from your chat", "en"),
        ("you'd do better answering the phone than posting memes", "en"),
        # "put more staff on", "more care … next time"
        ("put more cashiers on at lunchtime, twenty people in the queue", "en"),
        ("a little more attention to the order next time please, two burgers missing", "en"),
        # Spanish «ojalá» with a person of the company; Arabic «الأحسن», «خلوا»
        ("ojalá los repartidores tocaran el timbre en vez de dejar un aviso", "es"),
        ("الأحسن تعلموا الكاشير كيف يرجع الباقي", "ar"),
        ("خلوا الموظف يرد على التليفون", "ar"),
    ],
)
def test_advice_of_the_sixth_set_kinds(text: str, language: str) -> None:
    found = default_rules().analyse(text, language=language)
    assert found.type == "complaint", text
    assert found.sentiment == "negative", text


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("пусть сделают тариф подешевле для пенсионеров", "ru"),  # a price: a wish
        ("дешевле, чем у конкурентов, и доставка быстрая", "ru"),  # a comparison of prices
        ("faster than last time, thanks", "en"),
        ("Ojalá pusieran un cajero automático en la plaza", "es"),  # an ATM, not a person
        ("put more vegan options on the menu", "en"),  # a feature
    ],
)
def test_sixth_set_wishes_that_scold_no_one(text: str, language: str) -> None:
    assert scolding_advice(tokenize(text, language), language) == [], text
