"""Issue 13, item 3: the kinds of misreadings the rules had, each in every supported language,
and feedback type accuracy on the hand-written short comments of ``tests/data``.

``comments_type_<lang>.csv`` were written and labelled before the rules were changed for issue
13 (type accuracy then: ru 0.744, en 0.670, id 0.833, es 0.667, ar 0.500) and read while
changing them; ``comments_type_<lang>_heldout.csv`` were written during that work, measured once
unread (ru 0.736, en 0.816), then read in a second round; ``comments_type_<lang>_unseen.csv``
were written before that second round and never read while tuning (ru 0.713 → 0.851, en 0.825 →
0.925). A third round studied the errors of all these sets (the unseen ones included, as a
development set: they are no longer unseen) and fixed them by kind, in every language, with the
new sentences of the tests below (ru unseen 0.851 → 0.989, heldout 0.903 → 0.958; en unseen
0.925 → 1.000). Figures: docs/benchmarks-classify.md, docs/benchmarks-classify-rules.md.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from otklik.classify import default_rules
from tests.conftest import DATA


def _rows(name: str) -> list[dict[str, str]]:
    with (DATA / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _accuracy(name: str, language: str, column: str = "type") -> float:
    rules = default_rules()
    rows = _rows(name)
    right = 0
    for row in rows:
        found = rules.analyse(row["text"], language=language)
        right += (found.type if column == "type" else found.sentiment) == row[column]
    return right / len(rows)


@pytest.mark.parametrize(
    ("name", "language", "size", "floor"),
    [
        ("comments_type_ru", "ru", 200, 0.95),
        ("comments_type_en", "en", 100, 0.95),
        ("comments_type_id", "id", 30, 0.95),
        ("comments_type_es", "es", 30, 0.95),
        ("comments_type_ar", "ar", 30, 0.95),
    ],
)
def test_type_accuracy_on_short_comments(name: str, language: str, size: int, floor: float) -> None:
    rows = _rows(name)
    assert len(rows) >= size
    assert {row["type"] for row in rows} == {
        "complaint",
        "question",
        "praise",
        "suggestion",
        "other",
    }
    assert _accuracy(name, language) >= floor


@pytest.mark.parametrize(
    ("name", "language", "floor"),
    [
        ("comments_type_ru_heldout", "ru", 0.94),
        ("comments_type_en_heldout", "en", 0.95),
        ("comments_type_ru_unseen", "ru", 0.95),
        ("comments_type_en_unseen", "en", 0.95),
    ],
)
def test_type_accuracy_on_later_sets(name: str, language: str, floor: float) -> None:
    # heldout: 0.903 / 0.939 after the second round, 0.958 / 0.980 after the third; unseen
    # (never read until the third round): 0.851 / 0.925, then 0.989 / 1.000.
    assert len(_rows(name)) >= 40
    assert _accuracy(name, language) >= floor


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Просто", "ru"),
        ("Нормально, просто оставил оценку", "ru"),
        ("Лучше разберитесь с персоналом", "ru"),
        ("Целый час в очереди просидела просто так!", "ru"),
        ("Рано судить", "ru"),
        ("Too early to say", "en"),
        ("Gave the score by mistake", "en"),
        ("Biasa saja", "id"),
        ("Nada especial", "es"),
        ("عادي", "ar"),
    ],
)
def test_fillers_are_not_praise(text: str, language: str) -> None:
    found = default_rules().analyse(text, language=language)
    assert found.type != "praise" and found.sentiment != "positive"


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Поганый сервис", "ru"),
        ("Кидалово чистой воды", "ru"),
        ("Приложение лежит с утра", "ru"),
        ("Второй день без связи", "ru"),
        ("СМС с кодом не доходят", "ru"),
        ("Бонусы сгорели без уведомления", "ru"),
        ("Online banking is down again", "en"),
        ("Wifi keeps disconnecting", "en"),
        ("No internet since yesterday", "en"),
        ("Sinyal hilang dari pagi, gangguan terus", "id"),
        ("Sin internet desde ayer", "es"),
        ("النت مقطوع من امس", "ar"),
    ],
)
def test_slang_and_outages_are_negative_complaints(text: str, language: str) -> None:
    found = default_rules().analyse(text, language=language)
    assert (found.type, found.sentiment) == ("complaint", "negative")


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Сколько идёт перевод по СБП в другой банк", "ru"),
        ("Подскажите номер горячей линии", "ru"),
        ("Можно ли заморозить карту на месяц", "ru"),
        ("Во сколько закрывается отделение на Садовой", "ru"),
        ("До какого числа действует акция", "ru"),
        ("Скажите а доставка в выходные есть", "ru"),
        ("Насколько быстро проходит перевод за границу", "ru"),
        ("How do I change my PIN", "en"),
        ("Is contactless supported on the new card", "en"),
        ("Any way to get paper statements", "en"),
        ("Apakah bisa bayar pakai QRIS", "id"),
        ("Bagaimana cara ganti kata sandi", "id"),
        ("Cómo cambio mi número de teléfono", "es"),
        ("Cuándo abren la tienda del centro", "es"),
        ("كيف أغير كلمة المرور", "ar"),
        ("هل يوجد توصيل لجدة", "ar"),
        ("متى يفتح الفرع", "ar"),
    ],
)
def test_questions_without_a_question_mark(text: str, language: str) -> None:
    found = default_rules().analyse(text, language=language)
    assert (found.type, found.sentiment) == ("question", "neutral")


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Почему я должна третий раз писать одно и то же?!", "ru"),
        ("Когда уже вернёте деньги", "ru"),
        ("Why do I have to call you every week", "en"),
    ],
)
def test_indignant_questions_are_complaints(text: str, language: str) -> None:
    assert default_rules().analyse(text, language=language).type == "complaint"


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Топ поддержка, ответили за 2 минуты 👍", "ru"),
        ("Курьер красавчик 🔥", "ru"),
        ("Поддержка на высоте", "ru"),
        ("Работает как часы", "ru"),
        ("Решили вопрос за пять минут", "ru"),
        ("Legends, sorted it straight away 👍", "en"),
        ("Can't fault the service", "en"),
        ("Really impressed with the engineer", "en"),
        ("Pengiriman kilat 👍", "id"),
        ("Muy contento con la entrega 🔥", "es"),
        ("تعامل راقي الله يعطيكم العافية", "ar"),
    ],
)
def test_slang_and_emoji_praise(text: str, language: str) -> None:
    found = default_rules().analyse(text, language=language)
    assert (found.type, found.sentiment) == ("praise", "positive")


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("посылка вскрыта, половины товара нет", "ru"),
        ("Вместо двух банок положили одну", "ru"),
        ("Ответа от банка нет уже неделю", "ru"),
        ("Трекер не обновляется пятый день", "ru"),
        ("Деньги списали дважды", "ru"),
        ("Роуминг подключили без моего ведома", "ru"),
        ("my parcel was marked delivered but it never arrived", "en"),
        ("They took the payment twice", "en"),
        ("Box arrived opened and the charger is gone", "en"),
        ("The seller sent only one of the two items", "en"),
        ("Pesanan dibatalkan sepihak padahal sudah bayar", "id"),
        ("Saldo terpotong dua kali", "id"),
        ("El pedido llegó dañado", "es"),
        ("Me cobraron dos veces", "es"),
        ("انخصم المبلغ مرتين", "ar"),
        ("الشحنة وصلت ناقصة", "ar"),
    ],
)
def test_facts_without_an_evaluative_word_are_complaints(text: str, language: str) -> None:
    found = default_rules().analyse(text, language=language)
    assert (found.type, found.sentiment) == ("complaint", "negative")


@pytest.mark.parametrize(
    ("text", "language", "kind"),
    [
        ("Нет замечаний", "ru", "other"),
        ("Проблем нет, всё отлично", "ru", "praise"),
        ("Открыл вклад", "ru", "other"),
        ("Ничего добавить не могу", "ru", "other"),
        ("Just opened an account", "en", "other"),
        ("Will order again, thanks", "en", "praise"),
        ("Было бы удобно платить по QR", "ru", "suggestion"),
        ("It would be great to split bills in the app", "en", "suggestion"),
    ],
)
def test_what_the_new_rules_must_not_catch(text: str, language: str, kind: str) -> None:
    found = default_rules().analyse(text, language=language)
    assert found.type == kind
    if kind in ("other", "suggestion"):
        assert found.sentiment == "neutral"


# Third round (issue 13): the kinds of misreading still left, each with sentences written for
# these tests (not taken from the sets), in every supported language where the kind applies.


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("А вы принимаете оплату картой", "ru"),
        ("Вы доставляете по выходным", "ru"),
        ("А у вас есть рассрочка на телефоны", "ru"),
        ("А курьер может позвонить за час", "ru"),
        ("Тариф можно поменять онлайн или нет", "ru"),
        ("Is the branch open on Sunday or not", "en"),
        ("Aceptan pagos con tarjeta de crédito", "es"),
        ("Hacen devoluciones sin ticket", "es"),
        ("La tienda abre el domingo o no", "es"),
        ("Adakah promo untuk mahasiswa", "id"),
        ("Bisa kirim ke Bandung gak", "id"),
        ("Toko buka hari Minggu atau tidak", "id"),
        ("الفرع يفتح يوم الجمعة ولا لا", "ar"),
    ],
)
def test_yes_no_questions_by_word_order(text: str, language: str) -> None:
    found = default_rules().analyse(text, language=language)
    assert (found.type, found.sentiment) == ("question", "neutral")


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Как долго идёт возврат за бракованный товар", "ru"),
        ("Что делать если карта не работает за границей", "ru"),
        ("Как быть если курьер опоздал и заказ испорчен", "ru"),
        ("How long does a refund for a damaged item take", "en"),
        ("What should I do if my card is declined abroad", "en"),
        ("Cuánto tarda el reembolso de un pedido dañado", "es"),
        ("Berapa lama proses refund kalau barang rusak", "id"),
        ("كم يستغرق استرجاع المبلغ إذا وصل المنتج مكسور", "ar"),
    ],
)
def test_bad_words_inside_a_question_ask(text: str, language: str) -> None:
    # however many evaluative words a question holds, together they weigh as one muted word
    found = default_rules().analyse(text, language=language)
    assert (found.type, found.sentiment) == ("question", "neutral")


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Курьер приехал без сдачи", "ru"),
        ("Банкомат отказался принимать купюры", "ru"),
        ("Баланс в приложении не совпадает с выпиской", "ru"),
        ("Посылку отправили не по адресу", "ru"),
        ("Висел на линии по 30 минут", "ru"),
        ("Коробка пришла раздавленная", "ru"),
        ("Звонили якобы из банка и хотели выманить пароль", "ru"),
        ("Магазин закрыт, хотя обещали работать до десяти", "ru"),
        ("Оператор не знал условий собственного тарифа", "ru"),
        ("Пришло уведомление о займе, о котором я не знал", "ru"),
        ("Вернули только половину суммы", "ru"),
        ("Вторые сутки нет света в офисе, а заявку не берут", "ru"),
        ("The technician turned up without any parts", "en"),
        ("The bank refused to close my account", "en"),
        ("My statement doesn't match the app", "en"),
        ("Courier delivered it to the wrong address", "en"),
        ("I was on hold for 45 minutes", "en"),
        ("Someone tried phishing my login", "en"),
        ("The agent didn't know how to cancel my plan", "en"),
        ("Only half the order arrived", "en"),
        ("Nobody in the chat could actually answer me", "en"),
        ("El técnico llegó sin herramientas", "es"),
        ("Se negaron a devolverme el dinero", "es"),
        ("El saldo no coincide con el extracto", "es"),
        ("Estuve esperando por 40 minutos", "es"),
        ("La caja llegó aplastada", "es"),
        ("Llegó solo la mitad del pedido", "es"),
        ("Kurir datang tanpa struk", "id"),
        ("Bank menolak pengajuan saya", "id"),
        ("Paket dikirim ke alamat lain", "id"),
        ("Saya menunggu selama 30 menit di telepon", "id"),
        ("Kardus sobek dan isinya penyok", "id"),
        ("وصل الطلب بدون الفاتورة", "ar"),
        ("رفضوا استرجاع المبلغ", "ar"),
        ("انتظرت على الخط لمدة 40 دقيقة", "ar"),
        ("الكرتون ممزق", "ar"),
    ],
)
def test_stated_failures_are_complaints(text: str, language: str) -> None:
    found = default_rules().analyse(text, language=language)
    assert (found.type, found.sentiment) == ("complaint", "negative")


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Не помешал бы фильтр по дате, так удобнее", "ru"),
        ("Хорошо бы сделать доставку быстрее", "ru"),
        ("Добавьте оплату по QR, это быстро и удобно", "ru"),
        ("Хочется, чтобы кэшбэк не сгорал так быстро", "ru"),
        ("Please add Google Pay, it would be so convenient", "en"),
        ("It would be handy to export statements", "en"),
        ("Sería útil poder pagar con QR", "es"),
        ("Me gustaría que añadan modo oscuro, es más cómodo", "es"),
        ("Alangkah baiknya ada fitur mode gelap", "id"),
        ("Sebaiknya ada pilihan bayar cicilan, lebih mudah", "id"),
        ("لو تضيفون الدفع بالتقسيط يكون أسهل", "ar"),
        ("يا ليت تضيفون خاصية الوضع الليلي", "ar"),
    ],
)
def test_suggestions_stay_neutral(text: str, language: str) -> None:
    found = default_rules().analyse(text, language=language)
    assert (found.type, found.sentiment) == ("suggestion", "neutral")


@pytest.mark.parametrize(
    ("text", "language"),
    [
        # a verb of proposing, not only "предлагаю" (found by a tester: "Хочу предложить…")
        ("Хочу предложить добавить тёмную тему в приложение", "ru"),
        ("Хотим предложить сделать выгрузку выписки в Excel", "ru"),
        ("Предлагаем добавить оплату частями", "ru"),
        ("I would like to suggest a dark mode", "en"),
        ("Quiero sugerir un modo oscuro en la app", "es"),
        ("Quisiera proponer pagos a plazos", "es"),
        ("Saya ingin mengusulkan mode gelap", "id"),
        ("Usul: tambahkan pembayaran cicilan", "id"),
        ("أود أن أقترح وضعا ليليا", "ar"),
    ],
)
def test_proposing_verbs_are_suggestions(text: str, language: str) -> None:
    assert default_rules().analyse(text, language=language).type == "suggestion"


def test_an_offer_made_to_the_customer_is_no_suggestion() -> None:
    found = default_rules().analyse(
        "Мне предложили другой тариф, но стало только хуже", language="ru"
    )
    assert found.type == "complaint"


@pytest.mark.parametrize(
    ("text", "language", "kind", "sentiment"),
    [
        ("Замечательный персонал", "ru", "praise", "positive"),
        ("Идеальная упаковка", "ru", "praise", "positive"),
        ("Ужасное обслуживание", "ru", "complaint", "negative"),
        ("Я пока не пользовался, не знаю", "ru", "other", "neutral"),
        ("Ничего не скажу", "ru", "other", "neutral"),
        ("Haven't tried it yet", "en", "other", "neutral"),
        ("В выписке не хватает 300 рублей", "ru", "complaint", "negative"),
        ("Дорогой банк, спасибо за быстрый ответ", "ru", "praise", "positive"),
        ("Хотел бы узнать лимит по карте", "ru", "question", "neutral"),
        ("Если бы не оператор, я бы не разобрался, спасибо", "ru", "praise", "positive"),
    ],
)
def test_forms_fillers_and_what_stays(text: str, language: str, kind: str, sentiment: str) -> None:
    found = default_rules().analyse(text, language=language)
    assert (found.type, found.sentiment) == (kind, sentiment)


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Спасибо, конечно, но деньги так и не вернули", "ru"),
        ("Спасибо за ответ, но проблема осталась", "ru"),
        ("Заранее спасибо, не могу войти в приложение", "ru"),
        ("Thanks, but the card still doesn't work", "en"),
        ("Gracias, pero el pedido sigue sin llegar", "es"),
        ("Terima kasih, tapi uang saya belum kembali", "id"),
        ("شكرا لكن المبلغ لم يرجع", "ar"),
    ],
)
def test_a_thank_you_inside_a_complaint_is_politeness(text: str, language: str) -> None:
    found = default_rules().analyse(text, language=language)
    assert (found.type, found.sentiment) == ("complaint", "negative")


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Ну спасибо, третий раз переношу доставку", "ru"),
        ("Супер, опять списали комиссию", "ru"),
        ("Отличный сервис, ждал курьера весь день", "ru"),
        ("Thanks for nothing, still no refund", "en"),
        ("Great service, waited all day for nothing", "en"),
    ],
)
def test_sarcastic_praise_is_a_complaint(text: str, language: str) -> None:
    found = default_rules().analyse(text, language=language)
    assert (found.type, found.sentiment) == ("complaint", "negative")


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Не работает оплата по карте", "ru"),
        ("Не могу привязать карту", "ru"),
        ("Can't log in since the update", "en"),
        ("No puedo entrar a la app", "es"),
        ("Tidak bisa login sejak kemarin", "id"),
        ("لا أستطيع الدخول إلى التطبيق", "ar"),
    ],
)
def test_negated_ability_is_a_complaint(text: str, language: str) -> None:
    # "no puedo" holds the question keyword "puedo": negated, it asks nothing
    found = default_rules().analyse(text, language=language)
    assert (found.type, found.sentiment) == ("complaint", "negative")


@pytest.mark.parametrize(
    ("text", "language", "kind", "sentiment"),
    [
        ("Спасибо, что вернули деньги так быстро", "ru", "praise", "positive"),
        ("Посылка пришла без повреждений", "ru", "praise", "positive"),
        ("Arrived without any problems", "en", "praise", "positive"),
        ("Вы работаете отвратительно", "ru", "complaint", "negative"),
        ("Вы списали с меня деньги дважды", "ru", "complaint", "negative"),
        ("Хочу оформить отказ от страховки", "ru", "other", "neutral"),
        ("Пока не пробовал", "ru", "other", "neutral"),
    ],
)
def test_what_the_third_round_must_not_catch(
    text: str, language: str, kind: str, sentiment: str
) -> None:
    found = default_rules().analyse(text, language=language)
    assert (found.type, found.sentiment) == (kind, sentiment)


@pytest.mark.parametrize(
    ("text", "language", "kind", "sentiment"),
    [
        # a refusal turns the help it refuses
        ("Менеджер отказался помочь", "ru", "complaint", "negative"),
        ("CS menolak membantu", "id", "complaint", "negative"),
        ("The driver refused to help with the boxes", "en", "complaint", "negative"),
        # "вопрос" names the matter being resolved, it does not ask
        ("Спасибо, но вопрос так и не решили", "ru", "complaint", "negative"),
        ("Вопрос решили за пять минут", "ru", "praise", "positive"),
        # «а … есть» asks, wherever «есть» stands in a short clause
        ("А доставка в пригород есть", "ru", "question", "neutral"),
        # a wait told by the time it has taken
        ("Llevo una semana esperando el reembolso", "es", "complaint", "negative"),
        ("Sudah seminggu refund belum masuk", "id", "complaint", "negative"),
        # a duration without waiting is no complaint
        ("Tested the headphones for 9 hours", "en", "other", "neutral"),
    ],
)
def test_refusals_issues_and_waits(text: str, language: str, kind: str, sentiment: str) -> None:
    found = default_rules().analyse(text, language=language)
    assert (found.type, found.sentiment) == (kind, sentiment)


@pytest.mark.parametrize(
    "text",
    [
        "промокод из письма на 500 рублей куда вводить",
        "выписку для визы где заказать",
        "полис осаго через приложение как продлить",
        "счётчики воды показания когда передавать",
        "Если посылку не заберу вовремя, что будет",
        "Подключил семейный тариф, это как делается",
        "картой курьеру можно или только наличными",
    ],
)
def test_russian_questions_with_the_question_word_last(text: str) -> None:
    # Colloquial Russian names the topic first and asks at the end, without "?"
    assert default_rules().analyse(text, language="ru").type == "question"


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Оператор не знал, как оформить возврат", "complaint"),  # an indirect question
        ("не понимаю куда звонить, деньги списали дважды", "complaint"),
        ("Сделал всё как написано, работает, спасибо", "praise"),  # «как» joins, it does not ask
    ],
)
def test_a_question_word_that_joins_a_clause_does_not_ask(text: str, kind: str) -> None:
    assert default_rules().analyse(text, language="ru").type == kind


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Спасибо за «быструю» доставку, ждала две недели", "ru"),
        ('Очень "вежливый" курьер', "ru"),
        ("Ну спасибо, что разбудили звонком в 7 утра 🙃", "ru"),
        ('Thanks for the "quick" reply, only took 9 days', "en"),
        ("Love paying a fee to close my own account 🙃", "en"),
        ("Gracias por la “rápida” respuesta", "es"),
        ("Makasih atas pelayanan yang “cepat” 🤡", "id"),
    ],
)
def test_praise_in_scare_quotes_or_with_a_winking_emoji_is_sarcasm(
    text: str, language: str
) -> None:
    found = default_rules().analyse(text, language=language)
    assert (found.type, found.sentiment) == ("complaint", "negative")


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Отличный тариф «Безлимит», всё работает", "ru"),  # a name in quotes is no sarcasm
        ('Great app, the "Smart Saver" feature helps a lot', "en"),
    ],
)
def test_names_in_quotes_stay_praise(text: str, language: str) -> None:
    found = default_rules().analyse(text, language=language)
    assert (found.type, found.sentiment) == ("praise", "positive")


@pytest.mark.parametrize(
    ("text", "language", "kind"),
    [
        ("Еда вкусная, порции большие", "ru", "praise"),
        ("Номер чистый и уютный, персонал заботливый", "ru", "praise"),
        ("Всё пришло как на фото", "ru", "praise"),
        ("Проблем ноль, всё по красоте", "ru", "praise"),  # «X ноль» denies X like «X нет»
        ("Ноль внимания к клиенту", "ru", "complaint"),
        ("Связи ноль второй день", "ru", "complaint"),
        ("Delicious and still warm, exactly as described", "en", "praise"),
        ("No complaints, spotless room", "en", "praise"),
        ("Zero issues this time", "en", "praise"),
        ("Zero help from the call centre", "en", "complaint"),
        ("Cero problemas, la comida deliciosa", "es", "praise"),
        ("Barang sesuai deskripsi, rapi", "id", "praise"),
        ("Not tasty at all, the room was not clean", "en", "complaint"),
    ],
)
def test_everyday_praise_words_and_zero_of_a_problem(text: str, language: str, kind: str) -> None:
    assert default_rules().analyse(text, language=language).type == kind


@pytest.mark.parametrize(
    ("text", "language", "kind"),
    [
        ("Курьер переносил доставку 3 раза", "ru", "complaint"),  # repeats
        ("Звоню пятый раз по одному и тому же вопросу", "ru", "complaint"),
        ("Интернета нет уже третий день", "ru", "complaint"),
        ("Сижу в очереди в МФЦ уже два часа", "ru", "complaint"),  # a wait going on
        ("Пени начислили, хотя я оплатил в срок", "ru", "complaint"),  # own part done
        ("Второй раз заказываю", "ru", "other"),  # a regular, no failure
        ("Заказываю уже 5 раз, всё отлично", "ru", "praise"),  # praise outweighs a count
        ("Writing for the 4th time about the same refund", "en", "complaint"),
        ("Late fee even though I paid before the due date", "en", "complaint"),
        ("been in the queue already 2 hours", "en", "complaint"),
        ("Ordered 3 times, always great", "en", "praise"),
        ("Llamé cinco veces y nadie responde", "es", "complaint"),
    ],
)
def test_failures_counted_out(text: str, language: str, kind: str) -> None:
    assert default_rules().analyse(text, language=language).type == kind


@pytest.mark.parametrize(
    ("text", "language", "kind"),
    [
        ("Зачем вы подключили мне платную подписку", "ru", "complaint"),
        ("С какой стати списали комиссию 150 рублей", "ru", "complaint"),
        ("Зачем вам номер моего паспорта", "ru", "question"),  # asks, accuses no one
        ("Why did you cancel my booking without telling me", "en", "complaint"),
        ("Why do banks ask for a selfie", "en", "question"),
    ],
)
def test_questions_that_accuse_are_complaints(text: str, language: str, kind: str) -> None:
    assert default_rules().analyse(text, language=language).type == kind


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Звоню пятый раз по одному и тому же вопросу", "complaint"),
        ("Обращаюсь по вопросу возврата, заказ 5531", "other"),
        ("У меня вопрос по возврату", "question"),
    ],
)
def test_regarding_a_matter_is_no_question(text: str, kind: str) -> None:
    assert default_rules().analyse(text, language="ru").type == kind


@pytest.mark.parametrize(
    ("text", "language", "kind"),
    [
        ("Плачу за 100 мегабит, а по факту 15", "ru", "complaint"),  # paid for, got other
        ("Заплатил за багаж, а чемодан отправили другим рейсом", "ru", "complaint"),
        ("Оплатила за доставку", "ru", "other"),  # what was paid for, nothing after
        ("Paid for express shipping and it came in 9 days", "en", "complaint"),
        ("Paid for the family plan and it is worth every penny", "en", "praise"),
        ("Pagué por el asiento de ventanilla y me sentaron en el pasillo", "es", "complaint"),
        ("Жду возврат уже месяц, это нормально?", "ru", "complaint"),  # labelling rule 2
        ("Is it normal that the app asks for my PIN twice", "en", "complaint"),
        ("Thank you for closing my ticket without fixing anything", "en", "complaint"),
        ("Thank you for the quick refund", "en", "praise"),
        ("Charged an overdraft fee on a day I had money", "en", "complaint"),
        ("Maybe add a dark mode for night shifts", "en", "suggestion"),
        ("Let us pick the delivery hour", "en", "suggestion"),
        ("lost my card abroad, what now", "en", "question"),
        ("any discount for students", "en", "question"),
    ],
)
def test_paid_for_mismatch_and_english_openers(text: str, language: str, kind: str) -> None:
    assert default_rules().analyse(text, language=language).type == kind


@pytest.mark.parametrize(
    ("text", "language", "kind"),
    [
        # fifth round: what may be done, what one is owed, «сколько»/«почём» after the topic
        ("на почте можно оплатить квитанцию за газ", "ru", "question"),
        ("пенсионерам скидка положена", "ru", "question"),
        ("ребенку 7 лет ему полагается детский билет", "ru", "question"),
        ("замена экрана почем", "ru", "question"),
        ("выпуск карты занимает сколько", "ru", "question"),
        ("а магазин на Ленина до девяти работает", "ru", "question"),
        ("у вас есть рассрочка", "ru", "question"),
        # …but not a rebuke, a wish, praise of what may be done, or a wait counted out
        ("можно было хотя бы позвонить", "ru", "complaint"),
        ("сколько можно переносить доставку", "ru", "complaint"),
        ("а можно сделать чтобы чек приходил на почту", "ru", "suggestion"),
        ("Удобно что можно оплатить бонусами", "ru", "praise"),
        ("прождала в очереди непонятно сколько", "ru", "complaint"),
        ("а курьер так и не приехал", "ru", "complaint"),
        # a suggestion phrase before a number still wishes; a lack counted out is a complaint
        ("добавьте 3 кассы самообслуживания", "ru", "suggestion"),
        ("Consider adding 2x playback speed", "en", "suggestion"),
        ("не хватает 300 рублей на счёте после списания", "ru", "complaint"),
        # English question openers after a lead-in, and contracted ones
        ("approximately how long does a chargeback take", "en", "question"),
        ("where's the nearest branch with a coin machine", "en", "question"),
    ],
)
def test_questions_after_the_topic_and_wishes_before_numbers(
    text: str, language: str, kind: str
) -> None:
    assert default_rules().analyse(text, language=language).type == kind


# Sixth round (2026-12-01): Indonesian, Spanish and Arabic from the written development sets
# (comments_type_{id,es,ar}_dev.csv), each kind in every language where it applies; sentences
# written for these tests, not copies of any set.


@pytest.mark.parametrize(
    ("text", "language", "kind"),
    [
        ("50 минут", "ru", "complaint"),
        ("полтора часа на линии", "ru", "complaint"),
        ("3 hours on hold", "en", "complaint"),
        ("two weeks", "en", "complaint"),
        ("90 minutos en la fila", "es", "complaint"),
        ("casi tres semanas", "es", "complaint"),
        ("2 jam antri", "id", "complaint"),
        ("seminggu", "id", "complaint"),
        ("ساعتين على الخط", "ar", "complaint"),
        ("٤٠ دقيقة", "ar", "complaint"),
        ("час", "ru", "other"),
        ("3 минуты и всё решили, спасибо", "ru", "praise"),
        ("30 minutes, great service", "en", "praise"),
    ],
)
def test_a_bare_wait_is_a_complaint(text: str, language: str, kind: str) -> None:
    """A comment that is only a counted wait answers how long it took (labelling rule 9); a unit
    alone, or a wait beside praise, is not one.
    """
    assert default_rules().analyse(text, language=language).type == kind


@pytest.mark.parametrize(
    ("text", "language", "kind"),
    [
        ("الطرد ما وصلني لين الحين", "ar", "complaint"),
        ("التطبيق مش شغال من امبارح", "ar", "complaint"),
        ("المكيف مو راضي يبرد", "ar", "complaint"),
        ("ما الفرق بين الباقة الذهبية والفضية", "ar", "question"),
        ("ما هي المستندات المطلوبة لفتح حساب", "ar", "question"),
    ],
)
def test_arabic_dialect_negation_states_a_failure(text: str, language: str, kind: str) -> None:
    """«ما وصل», «مش شغال», «مو راضي» state failures as «لم» does; «ما» before a noun or pronoun
    asks.
    """
    assert default_rules().analyse(text, language=language).type == kind


@pytest.mark.parametrize(
    ("text", "language", "kind"),
    [
        ("Hasta cuándo voy a esperar mi reembolso", "es", "complaint"),
        ("Cómo puede ser que me cobren dos veces", "es", "complaint"),
        ("Cuándo abren la sucursal nueva", "es", "question"),
        ("Sampai kapan saya harus nunggu dana balik", "id", "complaint"),
        ("Kapan promo ramadhan mulai", "id", "question"),
        ("الى متى بتستمر الانقطاعات", "ar", "complaint"),
    ],
)
def test_indignant_questions_in_spanish_indonesian_arabic(
    text: str, language: str, kind: str
) -> None:
    """«Hasta cuándo…», «Sampai kapan…», «الى متى…» voice a problem (labelling rule 2); the plain
    question does not.
    """
    assert default_rules().analyse(text, language=language).type == kind


@pytest.mark.parametrize(
    ("text", "language", "kind"),
    [
        ("متى يبدأ العرض", "ar", "question"),
        ("la atención fue pésima y nadie me atiende", "es", "complaint"),
        ("me cobraron de más este mes", "es", "complaint"),
        ("Un lujo de servicio, súper atentos", "es", "praise"),
        ("Mil gracias a la chica de la caja, un amor", "es", "praise"),
        ("Quisiera saber el horario de atención del sábado", "es", "question"),
        ("Estaría bueno que agreguen pago con QR", "es", "suggestion"),
        ("Qué tal si abren más temprano los domingos", "es", "suggestion"),
        ("aplikasinya lemot banget dan sering force close", "id", "complaint"),
        ("Saldo kepotong tapi pulsa gak masuk", "id", "complaint"),
        ("Drivernya sopan dan gercep, mantul", "id", "praise"),
        ("CS nya solutif, makasih banyak kak", "id", "praise"),
        ("Mau nanya, syarat buka rekening apa aja", "id", "question"),
        ("Mending ada fitur jadwal kirim di aplikasi", "id", "suggestion"),
        ("الخدمة زفت والموظف ما رد علي", "ar", "complaint"),
        ("الطلب ناقص والاكل بارد", "ar", "complaint"),
        ("كفو والله، الموظف ما قصر معي", "ar", "praise"),
        ("تسلم ايدك يا كابتن، توصيل سريع", "ar", "praise"),
        ("وش المطلوب لتجديد الاقامة", "ar", "question"),
    ],
)
def test_everyday_vocabulary_in_spanish_indonesian_arabic(
    text: str, language: str, kind: str
) -> None:
    """Everyday words of complaint, praise, asking and proposing, slang included, and proposals
    phrased as questions (rule 11).
    """
    assert default_rules().analyse(text, language=language).type == kind


@pytest.mark.parametrize(
    ("text", "language", "kind"),
    [
        ("ليش ما تسوون خدمة توصيل للقرى", "ar", "suggestion"),
    ],
)
def test_not_knowing_is_no_failure_in_spanish(text: str, language: str, kind: str) -> None:
    """«no sé si…» asks; it states no failure of the service."""
    assert default_rules().analyse(text, language=language).type == kind


@pytest.mark.parametrize(
    ("text", "language", "kind"),
    [
        ("ودنا لو تضيفون خيار الدفع بالتقسيط", "ar", "suggestion"),
        ("no sé si el seguro cubre a mi hijo de 19", "es", "question"),
        ("donde puedo recoger mi paquete", "es", "question"),
        ("cuanto sale el envío a Rosario", "es", "question"),
        ("hay descuento para estudiantes", "es", "question"),
        ("sigue vigente el cupón de bienvenida", "es", "question"),
        ("Bisa bayar pakai kartu kredit di kasir", "id", "question"),
        ("Ada paket internet khusus pelajar", "id", "question"),
        ("فين اقرب فرع في المعادي", "ar", "question"),
        ("مين المسؤول عن طلبات الاسترجاع", "ar", "question"),
        ("ادفع بالبطاقة عند الاستلام، يمدي", "ar", "question"),
    ],
)
def test_questions_by_word_order_in_spanish_indonesian_arabic(
    text: str, language: str, kind: str
) -> None:
    """Unaccented Spanish question words, verb-first Spanish, Indonesian «bisa/ada …», Arabic
    dialect question words and an asking last word.
    """
    assert default_rules().analyse(text, language=language).type == kind


# Seventh round (2026-12-01): sentences written for these tests, none from a set.


@pytest.mark.parametrize(
    ("text", "language", "kind"),
    [
        # a lack in an order or a parcel, or counted, is goods that did not come: a complaint
        ("В заказе не хватает двух товаров", "ru", "complaint"),
        ("В коробке не хватает зарядки", "ru", "complaint"),
        ("Me faltó un producto del pedido", "es", "complaint"),
        ("El paquete llegó abierto y faltan productos", "es", "complaint"),
        ("Faltan dos piezas del mueble", "es", "complaint"),
        ("My package is missing a charger", "en", "complaint"),
        ("Pesanan saya kurang dua barang", "id", "complaint"),
        ("الطلب ناقص منتجين", "ar", "complaint"),
        ("В заказе отсутствует одна позиция", "ru", "complaint"),
        ("Недовложение в заказе", "ru", "complaint"),
        # what came counted against what was ordered ("only N of M"; a score "4 из 5" is not)
        ("Received only 3 of the 5 items", "en", "complaint"),
        ("Me llegaron solo 2 de los 4 productos", "es", "complaint"),
        ("Пришло только 4 из 6 позиций", "ru", "complaint"),
        ("Yang datang cuma 2 dari 5 barang", "id", "complaint"),
        ("Оценка 4 из 5", "ru", "other"),
        # …a lack of a feature still wishes
        ("Не хватает тёмной темы в приложении", "ru", "suggestion"),
        ("Не хватает фильтра по дате в выписке", "ru", "suggestion"),
        ("Falta modo oscuro en la app", "es", "suggestion"),
        ("Falta una opción para pagar con tarjeta", "es", "suggestion"),
        # a parcel that came opened, a repeated outage: facts that complain
        ("La caja vino abierta", "es", "complaint"),
        ("Otra vez sin luz en el barrio", "es", "complaint"),
        ("Another outage.", "en", "complaint"),
        ("Another power cut, third this week", "en", "complaint"),
        # "what" + a subject + a past verb states ("what I got was…"), with no question in it
        ("What I got was a broken phone", "en", "complaint"),
        ("Oh great, another outage. Just what I needed", "en", "complaint"),
        ("what i need to do to get a refund", "en", "question"),
        ("what should I do now", "en", "question"),
    ],
)
def test_goods_missing_parcels_opened_and_english_free_relatives(
    text: str, language: str, kind: str
) -> None:
    assert default_rules().analyse(text, language=language).type == kind


def test_an_outage_named_in_praise_is_no_complaint() -> None:
    """A repeated outage complains; the word alone does not ("credited us for the outage")."""
    text = "They warned us about the planned outage, thanks"
    found = default_rules().analyse(text, language="en")
    assert found.type == "praise"


# Ninth round (2026-12-02): sentences written for these tests, none from a set.


@pytest.mark.parametrize(
    ("text", "language", "kind", "sentiment"),
    [
        # fewer came than were ordered, counted in words or digits: a complaint in every language
        ("Заказал два, пришёл один", "ru", "complaint", "negative"),
        ("Заказала 3 пиццы, привезли 2", "ru", "complaint", "negative"),
        ("Ordered two, got one", "en", "complaint", "negative"),
        ("Got one instead of two", "en", "complaint", "negative"),
        ("Pedí dos y me llegó uno", "es", "complaint", "negative"),
        ("Pesan tiga, yang datang cuma dua", "id", "complaint", "negative"),
        ("وصلني منتج واحد بدل اثنين", "ar", "complaint", "negative"),
        ("طلبت ثلاثة ووصلني اثنين", "ar", "complaint", "negative"),
        # …as many as ordered, or more, or times of day, are no shortfall
        ("Заказал два, пришли два", "ru", "other", "neutral"),
        ("I ordered one and got one free", "en", "other", "neutral"),
        ("Заказала на 19 00, привезли в 18 40", "ru", "other", "neutral"),
        # a box that came (half) empty
        ("Коробка пришла полупустая", "ru", "complaint", "negative"),
        ("Box arrived half empty", "en", "complaint", "negative"),
        ("La caja llegó vacía", "es", "complaint", "negative"),
        ("Paketnya dibuka waktu sampai", "id", "complaint", "negative"),
        ("الطرد فارغ", "ar", "complaint", "negative"),
        ("لا توجد شبكة منذ يومين", "ar", "complaint", "negative"),
        # paid extra (Indonesian «bayar ongkir / lebih / ekspres»), then what came instead
        ("Bayar ongkir express tapi sampainya dua minggu", "id", "complaint", "negative"),
        ("Sudah bayar ongkir, tapi barang belum dikirim", "id", "complaint", "negative"),
        ("Bayar lebih mahal tapi dapat bonus poin, mantap", "id", "praise", "positive"),
        # Russian indefinite pronouns in -то (with or without the hyphen) ask nothing
        ("Почему-то не приходит смс", "ru", "complaint", "negative"),
        ("Почему то не приходит смс", "ru", "complaint", "negative"),
        ("Какой-то развод с этими комиссиями", "ru", "complaint", "negative"),
        ("Кто-то списал деньги с карты", "ru", "complaint", "negative"),
        ("Что-то пошло не так при оплате", "ru", "complaint", "negative"),
        # …while the question words themselves, and -нибудь, still ask
        ("Почему не приходит смс", "ru", "question", "neutral"),
        ("Кто-нибудь может помочь с возвратом", "ru", "question", "neutral"),
    ],
)
def test_counted_shortfalls_empty_boxes_and_russian_indefinites(
    text: str, language: str, kind: str, sentiment: str
) -> None:
    found = default_rules().analyse(text, language=language)
    assert (found.type, found.sentiment) == (kind, sentiment)


def test_an_indefinite_pronoun_is_one_token() -> None:
    from otklik.classify.text import tokenize

    words = [t.surface for t in tokenize("Почему-то кое-как, какой-нибудь, деньги-то", "ru")]
    assert words == ["почему-то", "кое-как", ",", "какой", "нибудь", ",", "деньги", "то"]


# Characters that str.isdigit() takes for digits but int() refuses (superscripts, circled and
# Ethiopic digits): every number pattern of the rules must read them as words, never fail.
ODD_DIGITS = ["²", "³", "¹", "①", "፫", "⁴²"]


@pytest.mark.parametrize("odd", ODD_DIGITS)
@pytest.mark.parametrize(
    ("template", "language"),
    [
        ("Заказал {0}, пришёл 1", "ru"),
        ("Ordered {0}, got {0}", "en"),
        ("received only {0} of 5 items", "en"),
        ("received only 2 of {0} items", "en"),
        ("5 {0} раза звонил", "ru"),
        ("не хватает {0} товаров", "ru"),
        ("уже {0} часа жду", "ru"),
        ("the {0} rd time", "en"),
        ("Got one instead of {0}", "en"),
        ("плачу за {0} мегабит, а скорость {0}", "ru"),
        ("{0} минут", "ru"),
        ("Pesan {0}, datang {0}", "id"),
    ],
)
def test_digits_that_are_no_decimal_digits_never_fail(
    odd: str, template: str, language: str
) -> None:
    found = default_rules().analyse(template.format(odd), language=language)
    assert found.type in {"complaint", "suggestion", "question", "praise", "other"}


# Another size or colour came than was ordered (issue 13 item 3, a fact with no evaluative
# word), in every language; the same size or colour again, or a time after the verb, is no fault.
@pytest.mark.parametrize(
    ("text", "language", "kind", "sentiment"),
    [
        ("Заказывал размер L, пришёл S", "ru", "complaint", "negative"),
        ("Заказала чёрное платье, прислали синее", "ru", "complaint", "negative"),
        ("Заказал большую пиццу, привезли маленькую", "ru", "complaint", "negative"),
        ("Ordered a large, got a small", "en", "complaint", "negative"),
        ("I ordered the black one and received a white one", "en", "complaint", "negative"),
        ("Pedí talla grande y me mandaron chica", "es", "complaint", "negative"),
        ("Compré la funda negra y llegó una roja", "es", "complaint", "negative"),
        ("Pesan baju hitam yang datang biru", "id", "complaint", "negative"),
        ("Beli sepatu ukuran XL, dikirim ukuran M", "id", "complaint", "negative"),
        ("طلبت مقاس كبير ووصلني صغير", "ar", "complaint", "negative"),
        ("اشتريت الأسود ووصلني الأبيض", "ar", "complaint", "negative"),
    ],
)
def test_another_size_or_colour_came(text: str, language: str, kind: str, sentiment: str) -> None:
    found = default_rules().analyse(text, language=language)
    assert (found.type, found.sentiment) == (kind, sentiment)


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Заказал большую пиццу, пришла большая и горячая", "ru"),
        ("Ordered a large pizza, got it in 20 minutes", "en"),
        ("Pedí talla M y llegó la talla M, perfecta", "es"),
    ],
)
def test_the_same_size_or_colour_is_no_fault(text: str, language: str) -> None:
    assert default_rules().analyse(text, language=language).type != "complaint"


# «Лучше бы …, чем …» (Russian) scolds what they do now: a complaint, neither a suggestion nor
# praise for its «лучше» or «быстро»; «лучше бы» alone still suggests.
@pytest.mark.parametrize(
    ("text", "kind", "sentiment"),
    [
        ("Лучше бы починили приложение, чем рекламу крутить", "complaint", "negative"),
        ("Лучше бы вы так быстро отвечали, как списываете деньги", "complaint", "negative"),
        ("Уж лучше бы сразу отказали, чем месяц кормить обещаниями", "complaint", "negative"),
        ("Лучше бы добавили оплату картой", "suggestion", "neutral"),
    ],
)
def test_better_than_scolds(text: str, kind: str, sentiment: str) -> None:
    found = default_rules().analyse(text, language="ru")
    assert (found.type, found.sentiment) == (kind, sentiment)


# Nobody answers, it does not open, it does not go through: stated without an evaluative word.
@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("No reply to my ticket for ten days now", "en"),
        ("Still no response from the bank about my dispute", "en"),
        ("No hay forma de comunicarse con la línea de atención", "es"),
        ("No hay manera de cancelar la suscripción", "es"),
        ("التطبيق لا يفتح منذ الأمس", "ar"),
        ("التحويلات لا تتم اليوم", "ar"),
        ("لا أحد يرد على خدمة العملاء", "ar"),
        ("Оператор прочитал скрипт и отключился", "ru"),
    ],
)
def test_unanswered_and_not_going_through(text: str, language: str) -> None:
    found = default_rules().analyse(text, language=language)
    assert (found.type, found.sentiment) == ("complaint", "negative")


# Spanish «qué» + an evaluative word exclaims (written without «¡»); «qué tan …» still asks, and
# praise beside a count of what went wrong stays unread as praise (mockery: «qué rápido
# contestan, apenas 9 días»).
@pytest.mark.parametrize(
    ("text", "kind", "sentiment"),
    [
        ("Qué chimba de servicio, súper rápido", "praise", "positive"),
        ("Que buen servicio el de hoy, gracias", "praise", "positive"),
        ("Qué mala atención en la sucursal del centro", "complaint", "negative"),
        ("Qué tan rápido llega el envío a Lima", "question", "neutral"),
        ("Qué documentos necesito para abrir una cuenta", "question", "neutral"),
    ],
)
def test_spanish_que_exclaims_or_asks(text: str, kind: str, sentiment: str) -> None:
    found = default_rules().analyse(text, language="es")
    assert (found.type, found.sentiment) == (kind, sentiment)


def test_spanish_praise_beside_a_count_is_not_read_as_praise() -> None:
    found = default_rules().analyse(
        "qué eficiencia, apenas tres semanas para responder", language="es"
    )
    assert found.sentiment != "positive"


# Slang and "nothing special" in each language (issue 13 item 3: everyday words).
@pytest.mark.parametrize(
    ("text", "language", "sentiment"),
    [
        ("Лютый треш с этим банком", "ru", "negative"),
        ("Нормально так поиздевались над клиентом", "ru", "negative"),
        ("Зачётная поддержка, всё решили", "ru", "positive"),
        ("Absolute shambles from start to finish", "en", "negative"),
        ("عادي مافي شي مميز", "ar", "neutral"),
        ("Biasa aja sih", "id", "neutral"),
    ],
)
def test_everyday_slang(text: str, language: str, sentiment: str) -> None:
    assert default_rules().analyse(text, language=language).sentiment == sentiment


# A time or a wait was set, then a later hour or a longer wait came: a complaint stated as bare
# facts, in every language; the hour kept, an earlier one or a shorter wait is no fault.
@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Записали на 10, приняли в 12", "ru"),
        ("Обещали привезти за 2 часа, везли 5 часов", "ru"),
        ("Booked for 10, seen at 12", "en"),
        ("They promised a call back within the hour, it has been two days", "en"),
        ("Me citaron a las 10 y me atendieron a las 12", "es"),
        ("Prometieron llamar en una hora y ya pasaron dos días", "es"),
        ("Dijadwalkan jam 10, baru dilayani jam 12", "id"),
        ("Janji telepon balik satu jam, sudah dua hari", "id"),
        ("وعدوني يتصلون خلال ساعة وصار لي يومين", "ar"),
        ("موعدي الساعة عشرة وما دخلت إلا الساعة ثنعش", "ar"),
    ],
)
def test_later_than_set(text: str, language: str) -> None:
    found = default_rules().analyse(text, language=language)
    assert (found.type, found.sentiment) == ("complaint", "negative")


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Записали на 10, приняли в 9 55", "ru"),
        ("Договорились на 3 дня, сделали за 2 дня", "ru"),
        ("Booked a table for 2 at 7 pm", "en"),
        ("Scheduled for 9, the technician came at 9", "en"),
    ],
)
def test_kept_or_earlier_is_no_fault(text: str, language: str) -> None:
    assert default_rules().analyse(text, language=language).sentiment != "negative"


# Done without the customer's leave, counted attempts, and Indonesian "… or not" asked up front.
@pytest.mark.parametrize(
    ("text", "language", "kind", "sentiment"),
    [
        ("The courier gave my parcel to a neighbour without asking", "en", "complaint", "negative"),
        ("Dejaron mi paquete con el vecino sin preguntar", "es", "complaint", "negative"),
        ("Kurir titip paket ke tetangga tanpa izin", "id", "complaint", "negative"),
        ("المندوب سلم الطلب للجيران بدون إذني", "ar", "complaint", "negative"),
        ("Трубку взяли с пятой попытки", "ru", "complaint", "negative"),
        ("Ada gak promo bulan ini", "id", "question", "neutral"),
        ("Boleh tidak bayar pakai kartu kredit", "id", "question", "neutral"),
        ("Sudah tidak bisa login dari kemarin", "id", "complaint", "negative"),
    ],
)
def test_without_leave_attempts_and_or_not(
    text: str, language: str, kind: str, sentiment: str
) -> None:
    found = default_rules().analyse(text, language=language)
    assert (found.type, found.sentiment) == (kind, sentiment)


# A word that acknowledges the last message, set off by a comma, neither praises nor hides the
# question after it (issue 13 item 3: fillers are not praise), in every language.
@pytest.mark.parametrize(
    ("text", "language", "kind", "sentiment"),
    [
        ("Хорошо, а когда вернут деньги", "ru", "question", "neutral"),
        ("Ладно, подожду ещё неделю, раз иначе никак", "ru", "complaint", "negative"),
        ("Okay, when will my refund arrive", "en", "question", "neutral"),
        ("Bueno, quería saber cuándo llega mi pedido", "es", "question", "neutral"),
        ("Oke deh, nunggu lagi aja", "id", "complaint", "negative"),
        ("تمام، يعني أنتظر أسبوع كمان", "ar", "complaint", "negative"),
    ],
)
def test_acknowledging_words_are_not_praise(
    text: str, language: str, kind: str, sentiment: str
) -> None:
    found = default_rules().analyse(text, language=language)
    assert (found.type, found.sentiment) == (kind, sentiment)


def test_acknowledging_word_without_a_comma_still_counts() -> None:
    assert default_rules().analyse("Хорошо работает приложение", language="ru").sentiment == (
        "positive"
    )


# The Arabic question mark «؟» asks as "?" does (it was dropped before), and the Arabic comma
# «،» is a comma; questions that accuse or mock stay complaints; «ممكن تسوون …» wishes.
@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("التوصيل شغال أيام العيد؟", "question"),
        ("فيه خصم طلاب على الاشتراك؟", "question"),
        ("الطلب وصل؟", "question"),
        ("تستهبلون؟", "complaint"),
        ("معقولة أسبوعين وما رجعتوا فلوسي؟", "complaint"),
        ("تسمون هذا توصيل سريع؟ أربع أيام", "complaint"),
        ("يعني لازم اشتكي في تويتر عشان احد يرد علي؟", "complaint"),
        ("ممكن تسوون خاصية تقسيم الفاتورة؟", "suggestion"),
    ],
)
def test_arabic_question_mark(text: str, kind: str) -> None:
    assert default_rules().analyse(text, language="ar").type == kind


def test_arabic_punctuation_is_read_as_punctuation() -> None:
    from otklik.classify.text import tokenize

    tokens = tokenize("تمام، متى؟", "ar")
    assert [(t.surface, t.boundary, t.question) for t in tokens] == [
        ("تمام", False, False),
        (",", True, False),
        ("متى", False, False),
        ("?", True, True),
    ]


# A wait going on, counted after a verb of time passing.
@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Ya van 3 días y el pedido sigue en preparación", "es"),
        ("Уже прошло 3 дня, а заказ в сборке", "ru"),
        ("It has already been 2 weeks and the order is still processing", "en"),
        ("Sudah lewat 3 hari pesanan masih diproses", "id"),
    ],
)
def test_wait_going_on_after_time_passing(text: str, language: str) -> None:
    found = default_rules().analyse(text, language=language)
    assert (found.type, found.sentiment) == ("complaint", "negative")


# Earlier than expected is praise (not a wait for «esperado»); a problem solved is praise in
# Arabic with its conjunction («وحلت المشكلة»); "it has been a week for me" (Arabic) counts a
# wait; changed without telling is a complaint; «вам стоит …», «المفروض تفتحون …» suggest.
@pytest.mark.parametrize(
    ("text", "language", "kind", "sentiment"),
    [
        ("Excelente, llegó antes de lo esperado", "es", "praise", "positive"),
        ("Arrived earlier than expected, thanks", "en", "praise", "positive"),
        ("الموظفة خدومة جدا وحلت المشكلة", "ar", "praise", "positive"),
        ("صار لي أسبوع بدون انترنت", "ar", "complaint", "negative"),
        ("صارلي شهر أنتظر البطاقة", "ar", "complaint", "negative"),
        (
            "They changed my plan without telling me and now I pay more",
            "en",
            "complaint",
            "negative",
        ),
        ("المفروض تفتحون يوم الجمعة", "ar", "suggestion", "neutral"),
    ],
)
def test_expected_solved_waits_and_shoulds(
    text: str, language: str, kind: str, sentiment: str
) -> None:
    found = default_rules().analyse(text, language=language)
    assert (found.type, found.sentiment) == (kind, sentiment)


def test_russian_you_should_suggests() -> None:
    assert default_rules().analyse("Вам стоит работать по воскресеньям", language="ru").type == (
        "suggestion"
    )


# Praise that mocks: thanks for a failure or a wait, or one word of praise set off before a
# short report of a failure, in every language; thanks for something good stays praise, and a
# review that opens with praise and goes on at length is not mockery.
@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Спасибо за 40 минут ожидания", "ru"),
        ("Класс, приложение снова не открывается", "ru"),
        ("Thanks for nothing", "en"),
        ("Wonderful, the app crashed again", "en"),
        ("Gracias por nada", "es"),
        ("Makasih ya udah bikin nunggu 2 jam", "id"),
        ("شكرا على التأخير", "ar"),
        ("يعطيكم العافية، ثلاث أيام وأنا أنتظر", "ar"),
    ],
)
def test_mocking_praise_is_negative(text: str, language: str) -> None:
    assert default_rules().analyse(text, language=language).sentiment == "negative"


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Gracias por la rapidez en resolver mi reclamo, quedé muy satisfecha", "es"),
        ("Спасибо за быструю доставку", "ru"),
        ("Thanks for sorting my problem so quickly", "en"),
        (
            "Кайф, семейный тариф на 4 номера с общим пакетом, дети больше не просят "
            "докинуть гигов",
            "ru",
        ),
    ],
)
def test_sincere_praise_stays_positive(text: str, language: str) -> None:
    assert default_rules().analyse(text, language=language).sentiment == "positive"


def test_wonderful_is_no_wondering() -> None:
    assert default_rules().analyse("Wonderful staff, thank you", language="en").type == "praise"
    assert default_rules().analyse("Wondering when my refund arrives", language="en").type == (
        "question"
    )


# More stated facts: a count of days opening an Arabic text, nobody answering after «ولا», a
# cancellation fee, a bill doubled, an order one item short; "became better" is praise.
@pytest.mark.parametrize(
    ("text", "language", "kind", "sentiment"),
    [
        ("لي ثلاث أيام أتصل ولا أحد يرد", "ar", "complaint", "negative"),
        ("الكابتن لغى الرحلة وأخذ رسوم الإلغاء", "ar", "complaint", "negative"),
        ("الفاتورة هالشهر ضعف الشهر الماضي", "ar", "complaint", "negative"),
        ("El pedido llegó con un producto de menos", "es", "complaint", "negative"),
        ("La factura de este mes es el doble que la del mes pasado", "es", "complaint", "negative"),
        ("The order came one item short", "en", "complaint", "negative"),
        ("التطبيق صار أحسن بعد التحديث", "ar", "praise", "positive"),
    ],
)
def test_more_stated_facts(text: str, language: str, kind: str, sentiment: str) -> None:
    found = default_rules().analyse(text, language=language)
    assert (found.type, found.sentiment) == (kind, sentiment)


def test_russian_became_better_is_praise() -> None:
    found = default_rules().analyse("Приложение стало лучше после обновления", language="ru")
    assert (found.type, found.sentiment) == ("praise", "positive")


# Asking for information without "?" (issue 13 item 3: questions without a question mark): the
# rules read these as questions in every language (before: suggestions, praise, complaints).
@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Хотелось бы узнать условия рефинансирования", "ru"),
        ("Интересует возможность досрочного погашения", "ru"),
        ("I'd like to know the refinancing terms", "en"),
        ("Please clarify the cash withdrawal fee", "en"),
        ("Me gustaría conocer las condiciones del crédito", "es"),
        ("Por favor aclaren la comisión por retiro", "es"),
        ("Mohon dijelaskan biaya admin bulanan", "id"),
        ("ممكن توضيح طريقة احتساب النقاط", "ar"),
    ],
)
def test_asking_for_information(text: str, language: str) -> None:
    assert default_rules().analyse(text, language=language).type == "question"


def test_i_will_check_is_no_request() -> None:
    found = default_rules().analyse("Сейчас уточню у бухгалтерии и напишу вам", language="ru")
    assert found.type != "question"


# Everyday dialect and slang words of judgement (Egyptian, Levantine, Gulf Arabic; Latin
# American Spanish; Russian), and an Arabic "so much" that turns «ليش» into a rebuke.
@pytest.mark.parametrize(
    ("text", "language", "sentiment"),
    [
        ("الخدمة بقت وحشة جدا", "ar", "negative"),
        ("والله خدمة بتجنن", "ar", "positive"),
        ("كتير منيح التطبيق", "ar", "positive"),
        ("شغل عالي العال", "ar", "positive"),
        ("مافيش حد بيرد على التليفون", "ar", "negative"),
        ("El servicio está de terror", "es", "negative"),
        ("Me dejaron colgado dos horas", "es", "negative"),
        ("Сервис на троечку", "ru", "negative"),
        ("Обслуживание на высшем уровне", "ru", "positive"),
    ],
)
def test_dialect_and_slang_judgements(text: str, language: str, sentiment: str) -> None:
    assert default_rules().analyse(text, language=language).sentiment == sentiment


def test_arabic_why_so_much_rebukes() -> None:
    found = default_rules().analyse("ليش الفاتورة غالية هالقد", language="ar")
    assert (found.type, found.sentiment) == ("complaint", "negative")


# Praise for what was done, where what was done is a failure: mockery ("great job losing my
# parcel"); praise for something done well stays praise.
@pytest.mark.parametrize(
    "text",
    [
        "Great job losing my parcel",
        "Good job losing my luggage on a direct flight",
        "Nice job breaking the app with the update",
        "Well done, ignoring my emails for a week",
        "Great work cancelling my booking without telling me",
        "Good job forgetting my order again",
        "Thanks for losing my parcel",
        "Thanks for breaking my phone screen during the repair",
    ],
)
def test_praise_for_a_failure_mocks(text: str) -> None:
    found = default_rules().analyse(text, language="en")
    assert (found.type, found.sentiment) == ("complaint", "negative")


@pytest.mark.parametrize(
    "text",
    ["Great job delivering on time", "Great job fixing my issue so fast", "Well done, thank you"],
)
def test_praise_for_what_was_done_well_stays(text: str) -> None:
    found = default_rules().analyse(text, language="en")
    assert (found.type, found.sentiment) == ("praise", "positive")


# Twelfth round (2026-12-03), from the second blind issue-kinds set
# (tests/data/comments_issue_kinds2.md). The sentences are written for these tests, not taken
# from the set. Labels follow tests/data/comments_type_blind2.md: rule 6 makes a demand to fix
# what is broken a complaint, and so is advice that scolds the company.
@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Лучше наймите нормальных курьеров", "ru"),
        ("Займитесь лучше своей поддержкой, а не рекламой", "ru"),
        ("лучше не обещайте звонок через час", "ru"),
        ("Подумайте лучше, почему у вас очереди", "ru"),
        ("Советую администрации научить сотрудников здороваться", "ru"),
        ("Кассиру советую быть повежливее", "ru"),
        ("вам бы поучиться у соседнего магазина", "ru"),
        ("не мешало бы вашим операторам почитать регламент", "ru"),
        ("Почините уже терминал", "ru"),
        ("Пожалуйста, почините лифт", "ru"),
        ("fix your website already", "en"),
        ("Please fix the payment page", "en"),
        ("sort out your delivery drivers", "en"),
        ("you'd better train your staff", "en"),
        ("do yourselves a favour and hire more agents", "en"),
        ("Mejor contraten cajeros que sepan cobrar", "es"),
        ("Mejor arreglen la app antes de sacar promos", "es"),
        ("mending benerin sinyal dulu daripada naikin harga", "id"),
        ("أحسن لكم تدربون الموظفين بدل الإعلانات", "ar"),
    ],
)
def test_advice_that_scolds_and_demands_to_fix_are_complaints(text: str, language: str) -> None:
    found = default_rules().analyse(text, language=language)
    assert (found.type, found.sentiment) == ("complaint", "negative")
    assert found.type_turned  # the shipped type model may not overrule it


@pytest.mark.parametrize(
    ("text", "language", "kind"),
    [
        # advice to other customers, and a wish for something new
        ("берите лучше большую пиццу, она выгоднее", "ru", "praise"),
        ("лучше сделайте тёмную тему", "ru", "suggestion"),
        ("советую всем эту клинику", "ru", "praise"),
        ("Советую вам этот салон, мастера отличные", "ru", "praise"),
        ("советую брать в этом магазине технику", "ru", "praise"),
        ("They fixed it in 5 minutes", "en", "praise"),
        ("Quick fix, thanks!", "en", "praise"),
        ("can you fix my bill", "en", "question"),
        ("ياريت توفرون أكياس ورقية بدل البلاستيك", "ar", "suggestion"),
    ],
)
def test_advice_that_recommends_or_wishes_stays(text: str, language: str, kind: str) -> None:
    found = default_rules().analyse(text, language=language)
    assert found.type == kind
    assert not found.type_turned


def test_advice_someone_gave_the_writer_is_no_rebuke() -> None:
    found = default_rules().analyse("мастер посоветовала, к какому врачу сходить", language="ru")
    assert found.type != "complaint" and found.sentiment != "negative"


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("класс 👍 второй час жду курьера", "ru"),
        ("Genial 👏 cuatro días sin internet", "es"),
        ("mantap 👍 2x pesen 2x salah kirim", "id"),
    ],
)
def test_praise_set_off_by_an_emoji_then_a_failure_mocks(text: str, language: str) -> None:
    found = default_rules().analyse(text, language=language)
    assert (found.type, found.sentiment) == ("complaint", "negative")
    assert found.type_turned


@pytest.mark.parametrize(
    ("text", "kind", "sentiment"),
    [
        ("супер 👍 всё быстро", "praise", "positive"),
        # thanks for a matter resolved is no mockery; not resolved, it is
        ("Спасибо! Вопрос с возвратом решили за один звонок", "praise", "positive"),
        ("Спасибо! Вопрос с возвратом так и не решили", "complaint", "negative"),
    ],
)
def test_praise_before_a_resolved_matter_stays(text: str, kind: str, sentiment: str) -> None:
    found = default_rules().analyse(text, language="ru")
    assert (found.type, found.sentiment) == (kind, sentiment)


@pytest.mark.parametrize(
    ("text", "language", "sentiment"),
    [
        ("имба, а не сервис", "ru", "positive"),
        ("годнота", "ru", "positive"),
        ("отпад, всё пришло за день", "ru", "positive"),
        ("goated service", "en", "positive"),
        ("Qué chulada de hotel", "es", "positive"),
        ("отстойный сервис", "ru", "negative"),
        ("курьер швырнул коробку", "ru", "negative"),
    ],
)
def test_more_slang(text: str, language: str, sentiment: str) -> None:
    assert default_rules().analyse(text, language=language).sentiment == sentiment


def test_a_model_of_words_does_not_overrule_a_rebuke() -> None:
    from otklik.classify.pretrained import hybrid_pick

    # the model 0.95 sure of praise overrules the rules' complaint at an override of 0.6 …
    assert hybrid_pick(
        "complaint", 0.5, ("praise", 0.95), silent="other", threshold=0.3, override=0.6
    ) == ("praise", 0.95, True)
    # … but not a complaint that rests on a rebuke or mocking praise
    assert hybrid_pick(
        "complaint",
        0.5,
        ("praise", 0.95),
        silent="other",
        threshold=0.3,
        override=0.6,
        rules_turned=True,
    ) == ("complaint", 0.5, False)
    # where the rules found nothing, the model still speaks
    assert hybrid_pick(
        "other", 0.4, ("complaint", 0.8), silent="other", threshold=0.3, rules_turned=True
    ) == ("complaint", 0.8, True)


@pytest.mark.parametrize(
    "text",
    [
        "how many more times do I have to call you about the same leak",
        "what's the point of express shipping if it takes a week",
    ],
)
def test_english_indignant_questions_complain(text: str) -> None:
    found = default_rules().analyse(text, language="en")
    assert (found.type, found.sentiment) == ("complaint", "negative")


@pytest.mark.parametrize(
    "text",
    [
        "лучше вашего кофе в округе нет",
        "нет ничего лучше вашей шаурмы",
        "лучше мастера я не встречала",
        "лучше клиники не найти",
        "ничего лучше не пробовал",
    ],
)
def test_nothing_better_is_praise(text: str) -> None:
    found = default_rules().analyse(text, language="ru")
    assert (found.type, found.sentiment) == ("praise", "positive")


@pytest.mark.parametrize(
    "text",
    ["лучше не заказывайте тут", "лучше не стало", "лучше бы деньги вернули, чем извинялись"],
)
def test_better_with_a_negation_that_complains(text: str) -> None:
    found = default_rules().analyse(text, language="ru")
    assert (found.type, found.sentiment) == ("complaint", "negative")


@pytest.mark.parametrize(
    "text",
    [
        "денег до сих пор нет",
        "заказ оплатил в понедельник, курьера до сих пор нет",
        "талонов к неврологу на две недели вперёд нет",
    ],
)
def test_how_long_something_lacks_is_no_praise(text: str) -> None:
    """«нет» after a word of time says how long something lacks («до сих пор нет»); it does
    not turn that word round, as «проблем нет» turns «проблем»."""
    found = default_rules().analyse(text, language="ru")
    assert (found.type, found.sentiment) == ("complaint", "negative")


@pytest.mark.parametrize("text", ["проблем нет", "задержек нет, всё вовремя"])
def test_no_problems_stays_praise(text: str) -> None:
    assert default_rules().analyse(text, language="ru").sentiment == "positive"


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("отличная пицца, только коробка чуть помялась", "ru"),
        ("great hotel, the lift was a bit slow", "en"),
        ("mantap, cuma ongkirnya agak mahal dikit", "id"),
        ("muy buena atención, solo tardaron un poco", "es"),
    ],
)
def test_praise_with_a_minor_reservation_stays_praise(text: str, language: str) -> None:
    """Labelling rule 4: a fault played down («чуть», "a bit", «agak … dikit», «un poco») beside
    praise leaves it praise, and is no failure for the praise to mock."""
    found = default_rules().analyse(text, language=language)
    assert (found.type, found.sentiment) == ("praise", "positive")


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("коробка чуть помятая, а пицца холодная", "ru"),
        ("tiap hujan dikit internet mati", "id"),  # a little rain, and the line dies
    ],
)
def test_a_fault_not_played_down_still_complains(text: str, language: str) -> None:
    found = default_rules().analyse(text, language=language)
    assert (found.type, found.sentiment) == ("complaint", "negative")


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("вернули деньги за сломанный чайник через 15 минут", "ru"),
        ("магазин заменил бракованные наушники на следующий день", "ru"),
        ("курьер обменял помятую коробку с разбитой вазой прямо у двери", "ru"),
        ("Мне вернули предоплату за отменённую экскурсию в тот же вечер", "ru"),
        ("they refunded the double charge the next morning", "en"),
        ("the shop replaced my faulty charger on the spot, no questions asked", "en"),
        ("me devolvieron el importe del vuelo cancelado en dos días", "es"),
        ("cambiaron la licuadora rota por una nueva sin preguntas", "es"),
        ("dana dikembalikan ke rekening saya dalam 1 jam", "id"),
        ("hp yang cacat langsung ditukar dengan yang baru", "id"),
    ],
)
def test_a_fault_put_right_is_praise(text: str, language: str) -> None:
    """Money given back or a faulty thing replaced, said as done, is praise: neither the
    refund it names nor the fault it answers is a complaint, and «без вопросов» / "no
    questions asked" asks nothing."""
    found = default_rules().analyse(text, language=language)
    assert (found.type, found.sentiment) == ("praise", "positive")


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("деньги за сломанный чайник так и не вернули", "ru"),
        ("обещали вернуть деньги за неделю, прошёл месяц", "ru"),
        ("вернули деньги только через два месяца после жалобы", "ru"),
        ("вернули половину суммы, остальное зажали", "ru"),
        ("я вернул бракованный товар, а деньги не пришли", "ru"),
        ("верните деньги за бракованный товар", "ru"),
        ("they never refunded the double charge", "en"),
        ("they refunded only half of the fee, terrible", "en"),
        ("no me devolvieron el dinero del vuelo cancelado", "es"),
        ("uang saya belum dikembalikan sampai sekarang", "id"),
    ],
)
def test_a_fault_not_put_right_is_no_praise(text: str, language: str) -> None:
    """A remedy denied, promised, late, partial, asked for or the customer's own doing is no
    praise (the denied ones complain: test_a_remedy_denied_is_a_complaint)."""
    found = default_rules().analyse(text, language=language)
    assert found.type != "praise" and found.sentiment != "positive"


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("they fixed my broken screen in an hour", "en"),
        ("the update fixed the crashes", "en"),
        ("plumber repaired the leak the same day", "en"),
        ("починили сломанный кран за час", "ru"),
        ("исправили ошибку в выписке на следующий день", "ru"),
        ("протечку устранили за час", "ru"),
        ("arreglaron la lavadora rota en un día", "es"),
        ("hp rusak saya diperbaiki dalam sehari", "id"),
        ("أعادوا لي المبلغ خلال ساعة", "ar"),
        ("تم استرداد المبلغ خلال يومين", "ar"),
        ("تم إصلاح العطل خلال ساعتين", "ar"),
        ("they returned my money the same day", "en"),
    ],
)
def test_a_fault_mended_is_praise(text: str, language: str) -> None:
    """A fault mended (a defect, an error, a crash, a leak fixed), said as done, is a remedy
    like money given back: praise, in every supported language, Arabic's «تم استرداد» and
    «أعادوا المبلغ» included."""
    found = default_rules().analyse(text, language=language)
    assert (found.type, found.sentiment) == ("praise", "positive")


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("they never refunded the double charge", "en"),
        ("they never replaced the broken charger", "en"),
        ("they didn't fix my broken phone", "en"),
        ("they never refunded double charges", "en"),
        ("they never fixed the bug", "en"),
        ("no refund yet", "en"),
        ("no answer yet after 5 days", "en"),
        ("вернули половину суммы, остальное зажали", "ru"),
        ("кэшбэк зажали, как обычно", "ru"),
        ("так и не исправили ошибку", "ru"),
        ("ошибку исправили только через месяц", "ru"),
        ("никто не вернул деньги за двойное списание", "ru"),
        ("jamás cambiaron la licuadora rota", "es"),
        ("jamás me devolvieron el dinero", "es"),
        ("nunca arreglaron mi celular roto", "es"),
        ("mereka tidak pernah refund tagihan ganda", "id"),
        ("لم يتم استرداد المبلغ حتى الآن", "ar"),
        ("ما تم تعويض المبلغ", "ar"),
    ],
)
def test_a_remedy_denied_is_a_complaint(text: str, language: str) -> None:
    """A remedy denied, partial, late or withheld («зажали») is a complaint: the negation
    denies the remedy, not the fault its object names ("never refunded the double charge" is
    no praise of a charge that never happened), and "no … yet" says it has not come."""
    found = default_rules().analyse(text, language=language)
    assert (found.type, found.sentiment) == ("complaint", "negative")


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("no problems yet", "en", ("praise", "positive")),
        ("no issues yet, great app", "en", ("praise", "positive")),
        ("that never happened to me before, great", "en", ("praise", "positive")),
        (  # served in 10 minutes (done fast), and no failure in «jamás me había pasado»
            "me atendieron en 10 min en urgencias un domingo, jamás me había pasado",
            "es",
            ("praise", "positive"),
        ),
        ("I fixed the problem myself", "en", None),
        ("я сам починил сломанный кран", "ru", None),
        ("رجعوا فلوسي", "ar", None),
        ("متى سيتم استرداد المبلغ؟", "ar", None),
    ],
)
def test_what_is_no_remedy_and_no_denial(
    text: str, language: str, expected: tuple[str, str] | None
) -> None:
    """A "no problems yet" denies the problem; "never happened to me before" says how new it
    is; one's own repair, a dialect's «رجعوا فلوسي» (give me my money back, or they did) and a
    question about a refund are no praise (None: anything but praise)."""
    found = default_rules().analyse(text, language=language)
    if expected is None:
        assert found.type != "praise" and found.sentiment != "positive"
    else:
        assert (found.type, found.sentiment) == expected


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("never had a bad experience", "en", ("praise", "positive")),
        ("never had a problem with them, highly recommend", "en", ("praise", "positive")),
        ("haven't had the problem since the update", "en", ("praise", "positive")),
        ("никогда не было проблем с доставкой", "ru", ("praise", "positive")),
        ("проблем не было ни разу", "ru", ("praise", "positive")),
        ("nunca he tenido problemas con ellos", "es", ("praise", "positive")),
        ("tidak pernah ada masalah", "id", ("praise", "positive")),
        ("belum pernah ada kendala", "id", ("praise", "positive")),
        ("never had such a bad experience in my life", "en", ("complaint", "negative")),
        ("никогда не было такого ужасного сервиса", "ru", ("complaint", "negative")),
        ("nunca tuve un servicio tan malo", "es", ("complaint", "negative")),
        ("не было связи три дня", "ru", ("complaint", "negative")),
        ("ada kendala saat login", "id", ("complaint", "negative")),
        (
            "Been using this app for 3 years and never had a problem until this month, "
            "now it crashes every day",
            "en",
            ("complaint", "negative"),
        ),
    ],
)
def test_a_problem_never_had_is_praise(text: str, language: str, expected: tuple[str, str]) -> None:
    """A problem that a negated "have" or "be" denies is praise («никогда не было проблем»,
    "never had a problem", «nunca he tenido problemas», «tidak pernah ada masalah»), the
    negation no failure of its own. Not the worst one ("never had such a bad experience",
    «такого ужасного»), not a lack («не было связи»), and not the good years before a
    complaint ("never had a problem until this month, now…")."""
    found = default_rules().analyse(text, language=language)
    assert (found.type, found.sentiment) == expected


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Грузчики донесли холодильник на 7 этаж и не взяли денег", "ru"),
        ("комиссию не взяли", "ru"),
        ("ждать не пришлось, всё сделали за 5 минут", "ru"),
        ("на ресепшене дали зонт, даже не просили залог", "ru"),
        ("мы даже не говорили, что у нас праздник, а нам принесли торт", "ru"),
        ("ни разу не подвели", "ru"),
        ("не пожалеете", "ru"),
        ("they didn't charge me for the extra night", "en"),
        ("fixed it in an hour and didn't charge the holiday rate", "en"),
        ("the electrician came back on a Sunday, no charge", "en"),
        ("didn't even have to wait", "en"),
        ("never let me down", "en"),
        ("no tuve que hacer fila", "es"),
        ("tidak dikenakan biaya tambahan", "id"),
        ("gak perlu antri lama", "id"),
        ("Akhirnya bisa bayar PBB lewat aplikasi, gak usah ke kantor pajak lagi", "id"),
        ("IndiHome kasih potongan tagihan tanpa kami minta", "id"),
        ("Biznet di rumah 2 tahun belum pernah putus sekalipun", "id"),
    ],
)
def test_a_burden_spared_is_praise(text: str, language: str) -> None:
    """No charge, no need, never let down — a negation that spares the customer a cost or a
    burden («не взяли денег», «ждать не пришлось», "didn't charge me", «no tuve que»,
    «tidak dikenakan biaya»), or what the customer did not even have to ask («мы даже не
    говорили…») — is praise, not a failure."""
    found = default_rules().analyse(text, language=language)
    assert (found.type, found.sentiment) == ("praise", "positive")


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("не взяли трубку", "ru"),
        ("я даже не просил подключать подписку", "ru"),
        ("они даже не ответили на письмо", "ru"),
        ("Научите наконец своих продавцов не впаривать страховку к каждой сковородке", "ru"),
        ("my phone doesn't charge anymore", "en"),
        ("the charger didn't charge the phone overnight", "en"),
        ("they didn't even answer", "en"),
        ("I had to wait 2 hours, they didn't even apologise", "en"),
        ("Bisa ditambahin opsi bayar QRIS di loket? Biar gak perlu bawa cash", "id"),
        ("Sebaiknya hasil lab bisa diakses di aplikasi, gak usah nunggu email", "id"),
    ],
)
def test_a_failure_that_looks_like_a_burden_spared_stays_one(text: str, language: str) -> None:
    """Not a favour: a call not picked up («не взяли трубку», no money named), a service one
    never asked for («я даже не просил подключать»), a demand («научите не впаривать»), a
    phone that does not charge, an answer never given."""
    found = default_rules().analyse(text, language=language)
    assert found.type != "praise" and found.sentiment != "positive"


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("ответили за 2 минуты", "ru", ("praise", "positive")),
        ("доставили за 19 минут, все еще горячее", "ru", ("praise", "positive")),
        ("оплатил коммуналку за 2 клика", "ru", ("praise", "positive")),
        (
            "приложение один раз вылетело, но поддержка за 5 минут всё починила, благодарю",
            "ru",
            ("praise", "positive"),
        ),
        ("delivered in 15 minutes, still hot", "en", ("praise", "positive")),
        ("they answered within 2 minutes", "en", ("praise", "positive")),
        ("lo resolvieron en 10 minutos", "es", ("praise", "positive")),
        ("selesai dalam 5 menit", "id", ("praise", "positive")),
        ("за 40 минут так и не дозвонился", "ru", ("complaint", "negative")),
        ("приложение вылетело за 5 минут", "ru", ("complaint", "negative")),
        ("the app crashed in 5 minutes", "en", ("complaint", "negative")),
        ("за 5 минут до закрытия выгнали", "ru", None),
        ("зачем было менять приложение, раньше всё находилось за 2 клика", "ru", None),
    ],
)
def test_done_fast_is_praise(text: str, language: str, expected: tuple[str, str] | None) -> None:
    """Something done in seconds or minutes («ответили за 2 минуты», "delivered in 15
    minutes", «en 10 minutos», «dalam 5 menit») is praise; not with a negation or a fault in
    its part of the sentence, not "N minutes before", not how fast it used to be (None:
    anything but praise)."""
    found = default_rules().analyse(text, language=language)
    if expected is None:
        assert found.type != "praise" and found.sentiment != "positive"
    else:
        assert (found.type, found.sentiment) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("неплохо", ("praise", "positive")),
        ("медсестра ставит уколы не больно", ("praise", "positive")),
        ("Курьер привез карту в 8 утра, как и договаривались", ("praise", "positive")),
        ("кайфанула от массажа", ("praise", "positive")),
        ("неплохо бы добавить тёмную тему", ("suggestion", "neutral")),
        ("неплохо было бы сделать доставку в интервал", ("suggestion", "neutral")),
    ],
)
def test_russian_everyday_praise(text: str, expected: tuple[str, str]) -> None:
    """Everyday Russian praise («неплохо», «не больно», «как и договаривались», «кайфанула»)
    is praise; «неплохо бы», «неплохо было бы» still wish."""
    found = default_rules().analyse(text, language="ru")
    assert (found.type, found.sentiment) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("مكتوب تم التوصيل وما وصلني شي", ("complaint", "negative")),
        ("الفندق خصم مبلغ التأمين وما رجعه", ("complaint", "negative")),
        ("اتصلت ثلاث مرات ولم يرد أحد", ("complaint", "negative")),
        ("نزلت التطبيق الجديد ومش لاقي حساباتي", ("complaint", "negative")),
        ("الاسترجاع كان من الباب وما احتجت اطبع اي ورقة", ("praise", "positive")),
        ("الدكتور شرح لي التحاليل بالتفصيل وما استعجلني", ("praise", "positive")),
    ],
)
def test_arabic_negation_after_and(text: str, expected: tuple[str, str]) -> None:
    """An Arabic negation joined to «و» («وما وصلني», «ولم يرد», «ومش لاقي») states a failure
    like the bare one; «وما احتجت» (no need), «وما استعجلني» (did not rush me) spare a
    burden."""
    found = default_rules().analyse(text, language="ar")
    assert (found.type, found.sentiment) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("الاشتراك يتجدد تلقائي ولا لازم اجدده بنفسي", "question"),
        ("المندوب يستلم كاش ولا لازم بطاقة", "question"),
        ("يقدر ولدي يفتح حساب توفير باسمه", "question"),
        ("فيه باقة خاصة للمتقاعدين", "question"),
        ("ابغى رابط تحميل الفاتورة", "question"),
    ],
)
def test_arabic_questions_without_a_question_mark(text: str, expected: str) -> None:
    """Arabic asks without «؟»: two choices joined by «ولا» ("… or …"), and a short clause
    opened by «يقدر», «فيه», «ابغى» (can one, is there, I'd like)."""
    assert default_rules().analyse(text, language="ar").type == expected


@pytest.mark.parametrize(
    "text",
    [
        "الفني ما جا ولا اتصل",  # neither … nor
        "التحويل طلع من حسابي ولا وصل الطرف الثاني",  # and it did not arrive
        "خدمة ولا أروع",  # none finer: praise
        "ثلاث اتصالات ولا احد رد",  # nobody
    ],
)
def test_arabic_wala_that_does_not_ask(text: str) -> None:
    assert default_rules().analyse(text, language="ar").type != "question"


@pytest.mark.parametrize(
    ("text", "language", "praise"),
    [
        ("Администратор сам подошёл и извинился за ожидание", "ru", True),
        ("банк сам продлил льготный период на месяц", "ru", True),
        ("ремонт сделали быстрее обещанного", "ru", True),
        ("the agent called back proactively the next morning", "en", True),
        ("я сам починил кран", "ru", False),
        ("сами отключили услугу без предупреждения", "ru", False),
        ("сами не знают, что делают", "ru", False),
        ("сами списали деньги", "ru", False),
        ("сообщили только когда он сам позвонил", "ru", False),
    ],
)
def test_done_before_being_asked_is_praise(text: str, language: str, praise: bool) -> None:
    """A good turn done unasked («администратор сам подошёл», «сами продлили», "proactively")
    or faster than promised is praise; one's own repair, a unilateral change, a fault, a late
    turn are not."""
    found = default_rules().analyse(text, language=language)
    if praise:
        assert (found.type, found.sentiment) == ("praise", "positive")
    else:
        assert found.type != "praise" and found.sentiment != "positive"


def test_changes_imposed_are_no_remedy() -> None:
    """«поменяли» without a fault it answers («поменяли тариф») is a change, not a remedy."""
    found = default_rules().analyse(
        "поменяли тариф без предупреждения, теперь плачу больше", language="ru"
    )
    assert found.type != "praise" and found.sentiment != "positive"


def test_a_remedy_in_a_taxonomy_without_the_language_reads_without_error(tmp_path: Path) -> None:
    """A team's taxonomy with Russian and English words only: an Indonesian or Spanish remedy
    finds no praise words to add, and is read without an error (no «bagus» entries exist)."""
    from otklik.classify import RuleSet, load_taxonomy

    path = tmp_path / "taxonomy.yaml"
    path.write_text(
        "version: 1\ndefault_owner: cx\ntypes:\n  complaint: {keywords: {ru: [жалоба]}}\n"
        "  suggestion: {}\n  question: {}\n  praise: {}\n"
        "sentiments:\n  negative: {keywords: {en: [bad]}}\n  neutral: {}\n  positive: {}\n"
        "topics:\n  - id: app\n    keywords: {ru: [приложение]}\n",
        encoding="utf-8",
    )
    rules = RuleSet(load_taxonomy(path))
    for text, language in [
        ("dana dikembalikan ke rekening saya dalam 1 jam", "id"),
        ("me devolvieron el importe del vuelo en dos días", "es"),
    ]:
        found = rules.analyse(text, language=language)
        assert found.type != "complaint" and found.sentiment != "negative"


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("how hard is it to put the right size in the box", "en"),
        ("are you ever going to fix the lift or not", "en"),
        ("where did my loyalty points go", "en"),
        ("куда делись мои баллы за прошлый месяц", "ru"),
        ("почему я должен сам искать курьера", "ru"),
        ("как можно было потерять паспорт клиента", "ru"),
        ("вы собираетесь чинить домофон или нет", "ru"),
        ("qué tan difícil es contestar un correo", "es"),
        ("sesusah itu ya balas chat", "id"),
        ("would it kill you to reply before Friday", "en"),
        ("what exactly am i paying the service charge for", "en"),
        ("и как мне теперь забрать ребёнка, если автобус отменили", "ru"),
    ],
)
def test_indignant_questions_without_their_mark_complain(text: str, language: str) -> None:
    found = default_rules().analyse(text, language=language)
    assert (found.type, found.sentiment) == ("complaint", "negative"), text
    assert found.type_turned  # the question words are no question: no model may say otherwise


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("подскажите, куда делись мои бонусы после смены номера", "ru"),
        ("хочу узнать куда делись мои баллы", "ru"),
        ("are you going to open on Sunday", "en"),
    ],
)
def test_asking_where_something_went_still_asks(text: str, language: str) -> None:
    assert default_rules().analyse(text, language=language).type == "question"


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("haven't really used the card yet", "en", "other"),
        ("я пока не особо пользовалась приложением", "ru", "other"),
        ("вообще не понимаю, зачем мне звонят каждый день", "ru", "complaint"),
        ("приложение пока в работе не пробовала", "ru", "other"),
        ("курьер пока не приехал", "ru", "complaint"),
    ],
)
def test_not_having_used_it_yet_says_nothing_of_the_service(
    text: str, language: str, expected: str
) -> None:
    assert default_rules().analyse(text, language=language).type == expected


@pytest.mark.parametrize(
    ("text", "language", "sentiment"),
    [
        # «معقول» is "reasonable" in a statement, indignant only opening a sentence or asking
        ("الجودة ممتازة وسعرها معقول", "ar", "positive"),
        ("معقولة اسبوع كامل وما وصل الطلب؟", "ar", "negative"),
        # more slang praise; money that "fell" onto a card arrived, nothing went down
        ("пушка, а не кофейня", "ru", "positive"),
        ("балдёж, а не отель", "ru", "positive"),
        ("клёво, всё привезли к обеду", "ru", "positive"),
        ("кэшбэк упал на карту на следующий день", "ru", "neutral"),
        ("приложение опять упало", "ru", "negative"),
        ("ace support, sorted in minutes", "en", "positive"),
        # «лежит» is an outage only of a service, again, or for days; not a parcel or a person
        ("сайт опять лежит", "ru", "negative"),
        ("мобильное приложение лежит", "ru", "negative"),
        ("посылка третий день лежит на складе", "ru", "negative"),
        ("договор лежит у меня на столе, подписала", "ru", "neutral"),
        ("пока я лежала в больнице, мне продлили льготный период", "ru", "neutral"),
    ],
)
def test_words_that_change_with_their_place(text: str, language: str, sentiment: str) -> None:
    assert default_rules().analyse(text, language=language).sentiment == sentiment, text


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        # praise and one word more, set off, then only a failure in words: mockery
        ("огонь сервис 🔥 второй час жду курьера", "complaint"),
        ("топ доставка, соус разлился по всему пакету 👍", "complaint"),
        ("кайф просто, кондиционер сдох в первый же день", "complaint"),
        # … not a fact alone, nor a fault denied: no complaint
        ("удобное приложение, гуляю с ним по 20 минут", "no complaint"),
        ("топовый зал, тренажёры новые и ничего не скрипит", "no complaint"),
    ],
)
def test_praise_with_one_word_more_that_mocks(text: str, kind: str) -> None:
    found = default_rules().analyse(text, language="ru")
    if kind == "no complaint":
        assert found.type != "complaint" and found.sentiment != "negative", text
    else:
        assert (found.type, found.sentiment) == (kind, "negative"), text


def test_praise_rather_than_its_kind_stands_against_a_model_of_words() -> None:
    rules = default_rules()
    found = rules.analyse("огонь, а не тренажёрный зал", language="ru")
    assert (found.type, found.sentiment) == ("praise", "positive")
    assert found.type_turned  # the shipped type model reads «а не» as a complaint
    assert not rules.analyse("кофе отличный", language="ru").type_turned


@pytest.mark.parametrize(
    ("text", "language"),
    [
        # the twenty-second round: indignant questions from the fifth blind set's kinds
        ("с каких пор за парковку у поликлиники берут деньги", "ru"),
        ("какой смысл в вашем кэшбэке если его не начисляют", "ru"),
        ("отменить запись за час до приёма, это вообще как", "ru"),
        ("мне что, самому чинить ваш домофон", "ru"),
        ("нормально, да? списали абонентскую плату дважды", "ru"),
        ("since when does a haircut cost $90", "en"),
        ("Seriously, where is my refund? It's been a month", "en"),
        ("desde cuándo cobran por la bolsa", "es"),
        ("¿en serio tengo que ir en persona para cambiar la contraseña?", "es"),
        ("¿y quién me paga el taxi que tuve que tomar?", "es"),
        ("sejak kapan ongkir jadi 50 ribu", "id"),
        ("وين فلوسي؟ صار لي شهر انتظر", "ar"),
    ],
)
def test_indignant_questions_of_the_fifth_set(text: str, language: str) -> None:
    found = default_rules().analyse(text, language=language)
    assert (found.type, found.sentiment) == ("complaint", "negative"), text
    assert found.type_turned


@pytest.mark.parametrize(
    ("text", "language", "kind"),
    [
        # slang of the fifth set, complaint and praise
        ("мутная контора, берут предоплату и пропадают", "ru", "complaint"),
        ("qué timo de gimnasio, las máquinas no funcionan", "es", "complaint"),
        ("menuda chapuza de reparación, sigue goteando", "es", "complaint"),
        ("kasirnya jutek banget", "id", "complaint"),
        ("вы космос, поменяли колесо за десять минут", "ru", "praise"),
        ("no notes", "en", "praise"),
        ("qué máquinas, me arreglaron la moto en una hora", "es", "praise"),
    ],
)
def test_slang_of_the_fifth_set(text: str, language: str, kind: str) -> None:
    assert default_rules().analyse(text, language=language).type == kind, text


def test_a_colon_ends_a_clause_but_not_a_time() -> None:
    from otklik.classify.text import tokenize

    words = [t.surface for t in tokenize("Итог: приехал в 11:50", "ru")]
    assert words == ["итог", ":", "приехал", "в", "11", "50"]
    # after «<praise>, а не <thing>:» the praise goes on, nothing negates it
    found = default_rules().analyse("Огонь, а не кафе: уютно, вкусно, быстро", language="ru")
    assert (found.type, found.sentiment) == ("praise", "positive")


@pytest.mark.parametrize(
    ("text", "asks"),
    [
        ("как бы я уже оплатила, а заказ всё ещё висит неоплаченным", False),
        ("как бы не придираюсь, но суп был холодный", False),
        ("как бы мне перенести доставку на субботу", True),
    ],
)
def test_as_if_is_a_filler(text: str, asks: bool) -> None:
    assert (default_rules().analyse(text, language="ru").type == "question") is asks, text


def test_praise_beside_a_winking_emoji_stands_against_a_model_of_words() -> None:
    rules = default_rules()
    # a run of praise, each set off, before a failure: mockery; 🙃 winks at it
    found = rules.analyse(
        "genial, cracks, los mejores: tercera vez que me cancelan el vuelo 🙃", language="es"
    )
    assert (found.type, found.sentiment) == ("complaint", "negative")
    assert found.type_turned
    found = rules.analyse("супер, молодцы, лучшие: третий раз потеряли посылку", language="ru")
    assert found.type == "complaint"
    # praise in scare quotes alone does not bind the model: it may name a feature
    assert not rules.analyse('add a "best time to visit" view', language="en").type_turned


@pytest.mark.parametrize(
    ("text", "language", "kind"),
    [
        # the twenty-third round: indignant questions
        ("до каких пор вы будете отключать воду без предупреждения", "ru", "complaint"),
        ("when exactly were you planning to tell me the class was moved", "en", "complaint"),
        ("how is it that I pay for premium and still see ads", "en", "complaint"),
        ("por qué me cobran la tarjeta si me dijeron que era gratis", "es", "complaint"),
        # taken without consent; something found in the food
        ("подключили платную подписку без моего согласия", "ru", "complaint"),
        ("they renewed my plan without my permission", "en", "complaint"),
        ("debitnya ditarik tanpa izin", "id", "complaint"),
        ("в салате нашла волос", "ru", "complaint"),
        # «как бы» before a noun is a filler
        ("как бы оператор даже не дослушал, сразу положил трубку", "ru", "complaint"),
        # a question asked out of curiosity
        ("just curious, why do you need my date of birth for a coffee card", "en", "question"),
        # slang praise
        ("уважуха, починили за час", "ru", "praise"),
        ("огонёк, а не кофейня", "ru", "praise"),
        ("тариф без подвохов, всё как обещали", "ru", "praise"),
        ("bussin, the ramen was still hot", "en", "praise"),
    ],
)
def test_kinds_of_the_sixth_set(text: str, language: str, kind: str) -> None:
    assert default_rules().analyse(text, language=language).type == kind, text
