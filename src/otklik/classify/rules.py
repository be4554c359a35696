"""Keyword rules compiled from a taxonomy: what a text is about, its type and its sentiment.

Keywords and texts are compared by normal forms (:mod:`otklik.classify.text`). At each position
the longest keyword of a kind wins ("сим-карта" is the network, not a bank card). A sentiment or
type keyword preceded by a negation in the same clause ("не работает удобно", "not good") turns
around: negated praise is a complaint, negated positive words are negative, negated negative
words count half as positive ("не плохо"). Words after a contrast ("но", "but") weigh 1.5 times.
A score on a known scale adds its own evidence (an NPS of 0–6 is negative).

Beyond the keywords, three signals that need no word list per topic:

- a clause that opens with a question word ("Сколько идёт перевод…", "how long does…", "¿…")
  or holds the Russian particle «ли» is a question even without "?";
- a negated verb that is no keyword itself states a failure ("кэшбэк не начислили",
  "it never arrived", "belum masuk"): mild negative evidence, so a factual complaint is read as
  a complaint, not as neutral "other" ("не знаю", "haven't used it yet" excepted);
- filler words are not praise: «просто» and «нормально» carry no sentiment, and «лучше» in
  advice ("лучше разберитесь…") is not the positive «хороший»;
- emoji carry sentiment (👍 🔥 ❤️ are positive, 👎 😡 are negative) in every language;
- Russian "X нет" / "нет X" states that something is missing ("половины товара нет", "ответа
  нет"), except for "замечаний нет", "проблем нет" and the like;
- evaluative words inside a question ask rather than judge ("Насколько быстро доходят
  переводы", "how long does a refund take"): they count 0.4, unless the text says "?!", which
  is indignation and so a complaint; words inside a suggestion's own phrase ("было бы удобно",
  "would be great") are not praise.

Third round (issue 13), by kind of error, in every language where the kind applies:

- all evaluative words and stated failures of one asking or wishing clause together weigh 0.3
  ("Как долго ждать курьера", "Верните старый дизайн, он был удобнее" stay neutral); a
  negation after "если", "if", "si" or beside «бы» supposes and states no failure;
- yes/no questions by word order: "А вы работаете 31 декабря", "Вы доставляете…" (a present
  verb after «вы»), "Tienen tarifa…", "Adakah…", "Bisa kirim … gak", "… или нет", "… or not",
  unless the clause judges ("Вы работаете отвратительно");
- facts that state a failure: a thing that came without something ("пришёл без инструмента",
  "arrived without the charger"), a wait counted out ("по 20 минут", "for 40 minutes"); a
  negated "know" or "use" is neutral only about oneself ("не знаю", not "Сотрудник не знал",
  "услуги, которыми я не пользовался"), and a question keyword after someone else's "didn't
  know" reports, it does not ask; "nobody", «никто» deny their whole clause;
- a thank-you beside a problem is politeness, and a praise word in a negative text sarcasm
  ("Спасибо, но деньги так и не вернули", "Супер, опять списали"): complaint, not praise; a
  failure after "но", "but" weighs 1.5 like a keyword;
- "X нет" denies X only when X can be a genitive ("проблем нет", not "вторую неделю нет…");
  Russian one-word keywords match their adjective or adverb ("прекрасно" ↔ "прекрасный");
  «бы» outside "если бы" wishes ("Не помешала бы тёмная тема").

Fourth round (issue 13), from the errors of the first blind set (the second blind set stayed
unread):

- colloquial Russian asks with the question word last, after its topic ("промокод куда
  вводить", "справку где скачать", "… это как делается", "… можно или только онлайн"), unless
  the word joins a clause («не знал, как оформить», «сделал, как написано»);
- sarcasm: a praise word in scare quotes ("за «быструю» доставку", 'the "helpful" bot') or
  beside 🙃 / 🤡 is negated, so the text is a complaint; a name in quotes changes nothing;
- everyday praise words (food, cleanliness, comfort, "as described") in every language, and
  "X ноль" / "zero X" / "cero X" deny X like "X нет" ("проблем ноль", "zero issues");
- failures counted out, in a text with no positive word: repeats ("4 раза", "the 3rd time"),
  an ordinal day («четвёртый день»), a wait going on («уже час», "already 2 hours"), and the
  customer's own part done («хотя я платил вовремя», "even though I paid"), whose positive
  words praise no one;
- questions that accuse are complaints («Зачем вы подключили…», «За что мне списали…», "why did
  you…", "is it normal that…"), and «по … вопросу» says "regarding", it does not ask;
- what was paid for, then what came instead («плачу за 100 мегабит, а по факту 15», "paid for
  express shipping and it came in 9 days") states a failure; a "thank you" counts once, and
  both its words are politeness beside a problem.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import pairwise
from operator import attrgetter
from typing import cast

from otklik.classify.advice import scolding_advice
from otklik.classify.figures import figures_disagree
from otklik.classify.notes import closing_note
from otklik.classify.signals import detect_language, score_sentiment
from otklik.classify.taxonomy import FALLBACK_TYPE, LabelSpec, Taxonomy, load_taxonomy
from otklik.classify.text import (
    RULE_LANGUAGES,
    Token,
    adjective_and_adverb,
    any_of,
    grammemes,
    normalize_word,
    opens_clause,
    script_of,
    tokenize,
)

__all__ = ["Analysis", "AnalysisCache", "ItemText", "RuleSet", "analysis_key", "default_rules"]

_NEGATION_WINDOW = 3
_POLITENESS_WEIGHT = 0.3
# Clause and text sizes (in words) up to which the third-round context rules apply: a short
# comment says one thing; a long review's sentence holds several.
_SHORT_CLAUSE = 14
_SHORT_TEXT = 25
# Thank-you formulas: politeness, not praise, in a text that reports a problem.
# Mockery (_mocking): thanks for what, "nothing", and the words of contrast that make praise
# and a failure a mixed review instead.
_FOR_WHAT = frozenset(["за", "for", "por", "على", "ع", "atas", "buat", "untuk"])
_NOTHING_WORDS = frozenset(["ничего", "nothing", "nada", "شي", "شيء", "apa-apa"])
_MOCKED_WORDS = 8  # the most words after a mocking word of praise («Класс, …»)
_CONTRAST_WORDS = frozenset(
    ["но", "однако", "зато", "хотя", "but", "though", "although", "however", "pero", "aunque",
     "tapi", "tetapi", "namun", "لكن", "ولكن", "بس"]
)  # fmt: skip
_THANKS = frozenset(
    [
        "спасибо",
        "благодарю",
        "заранее спасибо",
        "thanks",
        "thank you",
        "thank",
        "cheers",
        "gracias",
        "terima kasih",
        "makasih",
        "شكرا",
        "شكراً",
        "مشكورين",
    ]
)
# Kinds whose Russian one-word keywords also match their adjective or adverb.
_DERIVED = frozenset(["sentiment", "type"])
# "Nobody", «никто» deny the whole clause they open: their reach is longer.
_SUBJECT_NEGATIONS = frozenset(["nobody", "никто", "nadie", "ninguno", "ninguna", "محد", "ماحد"])
_SUBJECT_NEGATION_WINDOW = 7
_CONTRAST_WEIGHT = 1.5
_BEFORE_CONTRAST_WEIGHT = 0.75
_MAX_TOPICS = 3
_POSITIVE_TYPES = frozenset({"praise"})
_NEGATIVE_TYPES = frozenset({"complaint"})
_SCORE_WEIGHT = 1.5
_SENTIMENT_FLOOR = {"negative": 0.25, "neutral": 0.6, "positive": 0.25}
_TYPE_FLOOR = 0.15
_OTHER_WEIGHT = 0.5
_TOPIC_NONE = 0.5
NO_TOPIC = "none"
_NEGATED_VERB_WEIGHT = 0.6
_QUESTION_OPENER_WEIGHT = 1.2
_IN_QUESTION_WEIGHT = 0.3
_WEAK_OPENER_WEIGHT = 0.8
# "Можно оплатить…" asks, but "можно добавить…" suggests: these openers weigh less.
_WEAK_OPENERS = frozenset(["можно", "возможно"])
# Words before the question word that change nothing ("Скажите, а роуминг…").
# Words that acknowledge the last message when a comma follows them (_without_acknowledgement).
_ACKNOWLEDGING = frozenset(
    ["хорошо", "ладно", "окей", "ок", "понятно", "ясно", "ok", "okay", "fine", "well", "right",
     "alright", "bueno", "buenas", "hola", "vale", "pues", "oke", "okay", "baik", "sip", "تمام",
     "طيب", "اوكي", "حسنا", "حسناً"]
)  # fmt: skip
_ACKNOWLEDGING_TAILS = frozenset(["deh", "lah", "dah", "sih", "kak", "then", "so"])
_COMMAS = frozenset([",", "،"])
_LEAD_INS = frozenset(
    ["а", "and", "dan", "y", "و", "ребята", "so", "hi", "привет", "roughly", "approximately",
     "approx", "just", "also", "hey", "hello", "примерно", "приблизительно", "кстати", "ещё", "еще"]
)  # fmt: skip
# A suggestion phrase followed by a number counts what is missing ("не хватает 500 рублей"):
# a complaint, not a wish; other phrases before a number still wish ("добавьте 2 кассы",
# "consider adding 1.5x speed"). So does one in a text about an order or a parcel ("в заказе
# не хватает двух товаров", «me faltó un producto del pedido»): goods that did not come.
_LACKING = frozenset([("не",), ("недоставать",), ("lack",), ("missing",), ("short",), ("falt",)])
_LACKING_COUNT_WINDOW = 3  # words after the phrase that may count what is missing
_LACKING_ORDER_WINDOW = 4  # words either side of it that may name the order or parcel
# Words (their starts) naming an order, a parcel or a purchase, by language.
_ORDER_WORDS: dict[str, tuple[str, ...]] = {
    "ru": ("заказ", "посылк", "коробк", "упаковк", "покупк", "пакет"),
    "en": ("order", "parcel", "package", "box", "bag", "purchase", "shipment"),
    "es": ("pedido", "paquete", "caja", "compra", "bolsa"),
    "id": ("pesanan", "paket", "kotak", "kiriman", "belanja"),
    "ar": ("طلب", "الطلب", "طلبي", "الشحنة", "شحنة", "الكرتون", "الطرد", "طرد"),
}
# After "what" + a subject: past-tense verbs that are not "-ed" ("what I got was…").
_EN_IRREGULAR_PAST = frozenset(
    ["got", "paid", "was", "were", "saw", "bought", "told", "said", "meant", "sent", "brought",
     "thought", "had", "found", "heard", "left", "took", "gave", "came", "made", "spent"]
)  # fmt: skip
_EN_FREE_RELATIVE_SUBJECTS = frozenset(["i", "we", "you", "they", "he", "she"])
# Written apart from a question word, the particle of an indefinite pronoun («почему то», «какой
# то»: «почему-то», «какой-то» without the hyphen) makes it no question word (see
# otklik.classify.text, which keeps «почему-то» one word).
_RU_PARTICLES = frozenset(["то"])
# A question asked in indignation is a complaint ("Когда уже починят…", "why do I have to…").
_INDIGNANT = (
    "?!",
    "!?",
    "когда уже",
    "вы вообще",
    "сколько можно",
    "сколько ещё",
    "сколько еще",
    "why do i have to",
    "why should i",
    "how many times",
    "how many more times",
    "what's the point of",
    "what is the point of",
    "whats the point of",
    "how much longer",
    # questions that accuse: «Зачем вы подключили…», «За что мне списали…», «Откуда у меня…»
    "зачем вы ",
    "за что мне",
    "откуда у меня",
    "с какой стати",
    "why did you ",
    "why was i ",
    "why am i being",
    "con qué derecho",
    "por qué me cobraron",
    "kok bisa",
    # «это нормально вообще», "is it normal that…": the customer suffers it (labelling rule 2)
    "это нормально",
    "нормально вообще",
    "это вообще нормально",
    "is it normal",
    "is this normal",
    "es normal que",
    # the same kinds in Spanish, Indonesian and Arabic
    "hasta cuándo",
    "hasta cuando",
    "cómo puede ser",
    "como puede ser",
    "qué les cuesta",
    "que les cuesta",
    "es joda",
    "cuántas veces",
    "cuantas veces",
    "por qué tengo que",
    "por que tengo que",
    "sampai kapan",
    "masa sih",
    "gimana sih",
    "berapa kali lagi",
    "apa harus",
    "harus berapa kali",
    "kenapa harus",
    "إلى متى",
    "الى متى",
    "لحد امتى",
    "لحد متى",
    "لين متى",
    "كم مرة لازم",
    "ليش كل مرة",
    "ليه كل مرة",
    "هل يعقل",
    "معقول كذا",
    "هذا طبيعي",
    "عادي عندكم",
    # Arabic questions that accuse or mock, now that «؟» reads as "?" («تستهبلون؟», «معقولة
    # أسبوعين وما رجعتوا فلوسي؟», «تسمون هذا مكيف؟», «يعني لازم اشتكي في تويتر…؟»)
    "؟!",
    "!؟",
    "تستهبل",
    "بتستهبل",
    "بتهزر",
    "بتهرج",
    "تمزحون",
    "تضحكون علي",
    "بجد؟",
    "هو انا لازم",
    "هو عادي",
    "عادي كدا",
    "عادي كذا",
    "نورمال يعني",
    "تسمون هذا",
    "تسمونه",
    "شنو هالخدم",
    "هذي خدمة ولا",
    "هذا تعامل",
    "شايفين الناس",
    "شايفيننا",
    "بس كذا؟",
    "وبعدين؟",
    "وبعدين معاكم",
    "يعني هذا اللي",
    "هذا اللي قدرتوا",
    "الله يهديكم",
    "شكو ماكو",
    "هالقد",  # «ليش الفاتورة غالية هالقد»: "why so expensive", «почему так дорого»
    "لهالدرجة",
    # "is it so hard", "why must I myself", "where did my … go" (issue 13, item 3, kind d)
    "how hard is it",
    "how hard can it be",
    "how difficult is it",
    "too much to ask",
    "why is it so hard",
    "how come i have to",
    "where did my ",
    "почему я долж",
    "почему я обязан",
    "почему я сам",
    "как можно было",
    "неужели так сложно",
    "так сложно",
    "так трудно",
    "трудно было",
    "сложно было",
    "кто додумался",
    "и как мне теперь",
    "и что мне теперь",
    "would it kill you",
    "would it hurt to",
    "are you ever going to",
    "what exactly am i paying",
    "what am i even paying",
    "what am i paying for",
    "долго ещё",
    "долго еще",
    "когда наконец",
    "why does it take",
    "who thought it was",
    "cómo es posible",
    "como es posible",
    "qué tan difícil",
    "que tan dificil",
    "tan difícil es",
    "tan dificil es",
    "tanto cuesta",
    "es mucho pedir",
    "dónde está mi dinero",
    "susah banget ya",
    "sesusah itu",
    "emang susah",
    "kenapa saya harus",
    "kenapa aku harus",
    "صعب عليكم",
    "صعبة عليكم",
    "ليش لازم انا",
    "ليش انا لازم",
    # "since when…", «с каких пор…», «какой смысл…», «это вообще как», «мне что, самой…»,
    # "seriously, where is…", «¿en serio…», «¿y quién me paga…», «وين فلوسي» (the fifth blind set)
    "с каких пор",
    "since when",
    "desde cuándo",
    "desde cuando",
    "sejak kapan",
    "من متى",
    "من امتى",
    "какой смысл",
    "какой тогда смысл",
    "в чём смысл",
    "в чем смысл",
    "what's even the point",
    "qué sentido tiene",
    "que sentido tiene",
    "это вообще как",
    "это как вообще",
    "мне что, ",
    "мне что теперь",
    "нам что, ",
    "нормально, да?",
    "нормально да?",
    "seriously, where",
    "seriously where",
    "¿en serio",
    "en serio hay que",
    "y quién me paga",
    "y quien me paga",
    "وين فلوسي",
    "فين فلوسي",
    # the sixth blind set: «до каких пор…», "when were you planning to tell me…", "how is it
    # that I pay…", «por qué me cobran…»
    "до каких пор",
    "до какого числа вы будете",
    "were you planning to tell",
    "were you going to tell me",
    "how is it that i",
    "por qué me cobran",
    "por que me cobran",
)
# Patterns, each after a word it needs (a plain ``in`` first: one alternation of patterns that
# do not open with a literal makes Python's ``re`` try every branch at every character, 3×
# the cost of the literals alone).
_INDIGNANT_PATTERNS = (
    # «يعني لازم …؟» mocks («يعني لازم اشتكي في تويتر عشان احد يرد علي؟»); without «؟» it may ask
    ("يعني لازم", r"يعني لازم[^؟?]*[؟?]"),
    # "are you going to call me back or not", «вы собираетесь … или нет»: impatience
    ("or not", r"\bare you (?:ever |even )?going to [^?.!]*\bor not\b"),
    ("или нет", r"\bсобираетесь [^?.!]*\bили нет\b"),
    ("o no", r"\bvan a [^?.!]*\bo no\b"),
    # «معقولة أسبوعين وما رجعتوا فلوسي؟» opens a sentence or asks; «سعرها معقول» is "reasonable"
    ("معقول", r"(?:^|[.!؟?]\s*)معقولة?(?![ة\s]*جدا)|معقولة?\s[^.!؟?]*[؟?]"),
    # «куда делись мои 2000 бонусов» accuses; «хочу узнать, куда делись мои…» asks
    (
        "куда ",
        r"(?<!узнать )(?<!узнать, )(?<!подскажите )(?<!подскажите, )"
        r"куда (?:делись|пропали|делся|делась|пропал|пропала) (?:мои|мой|моя)\b",
    ),
)
_INDIGNANT_FOUND = any_of(_INDIGNANT)  # any of them, one pass
_INDIGNANT_GATED = tuple((gate, re.compile(pattern)) for gate, pattern in _INDIGNANT_PATTERNS)


def _indignant(lowered: str) -> bool:
    """Whether a text in lower case asks in indignation (:data:`_INDIGNANT`, or a pattern of
    :data:`_INDIGNANT_PATTERNS` after its word)."""
    return _INDIGNANT_FOUND.search(lowered) is not None or any(
        gate in lowered and pattern.search(lowered) is not None
        for gate, pattern in _INDIGNANT_GATED
    )


_SURFACE = attrgetter("surface")
_EMOJI_WEIGHT = 1.0
_MAX_EMOJI = 2
# Emoji that say what the writer feels, whatever the language (variation selectors ignored).
_POSITIVE_EMOJI = frozenset("👍🔥❤💪👏🙏😊😀😃😄😁🥰😍🤩💯⭐🌟✨💖💙💚💛🧡💜🤗👌🎉🙌☺😉🏆")
_NEGATIVE_EMOJI = frozenset("👎😡🤬😠😤😢😭😞😒🙄💩🤮🤢😩😫😖😣🤦😕☹")
_POSITIVE_EMOJI_RE = re.compile("[" + "".join(map(re.escape, sorted(_POSITIVE_EMOJI))) + "]")
_NEGATIVE_EMOJI_RE = re.compile("[" + "".join(map(re.escape, sorted(_NEGATIVE_EMOJI))) + "]")
# No emoji of either set comes before this character: a text whose highest character is lower
# holds none ("☹", U+2639; Cyrillic, Arabic and the usual punctuation are all below it).
_EMOJI_FLOOR = min(_POSITIVE_EMOJI | _NEGATIVE_EMOJI)
# Any emoji or pictograph (the symbols blocks, dingbats and the emoji planes), and what is
# neither a word character nor a space (see _words_before_emoji)
_ANY_EMOJI = re.compile("[\u2600-\u27bf\u2b50\U0001f300-\U0001faff]")
_NOT_WORD_OR_SPACE = re.compile(r"[^\w\s]")
_LOOKUP_CACHE_SIZE = 200_000
# Sarcasm (see _sarcasm): emoji that wink at the words beside them, and one to three words in
# quotes of any kind (straight, «ёлочки», “curly”, „low“).
_SARCASM_EMOJI_RE = re.compile("[🙃🤡]")
_SCARE_QUOTES = re.compile(
    r'"([^"\n]{1,40})"|«([^»\n]{1,40})»|“([^”\n]{1,40})”|„([^“”\n]{1,40})[“”]'
)
_WORDS = re.compile(r"[^\W_]+")

# Words that open a question without "?": matched on the clause's first word (as written).
_QUESTION_OPENERS: dict[str, frozenset[str]] = {
    "ru": frozenset(
        [
            "как",
            "где",
            "когда",
            "сколько",
            "скольки",
            "почему",
            "зачем",
            "куда",
            "откуда",
            "какой",
            "какая",
            "какое",
            "какие",
            "каков",
            "кто",
            "что",
            "чем",
            "чей",
            "каким",
            "какую",
            "какого",
            "какому",
            "каком",
            "каких",
            "какими",
            "которое",
            "который",
            "которая",
            "насколько",
            "можно",
            "возможно",
            "скажите",
        ]
    ),
    "en": frozenset(
        [
            "how",
            "what",
            "what's",
            "whats",
            "where",
            "where's",
            "when",
            "when's",
            "why",
            "who",
            "who's",
            "which",
            "whom",
            "any",
        ]
    ),
    "id": frozenset(
        [
            "apa",
            "apakah",
            "bagaimana",
            "gimana",
            "kapan",
            "dimana",
            "mana",
            "berapa",
            "kenapa",
            "mengapa",
            "siapa",
            "bisakah",
            "bolehkah",
        ]
    ),
    "es": frozenset(
        [
            "qué",
            "cómo",
            "dónde",
            "cuándo",
            "cuánto",
            "cuánta",
            "cuántos",
            "cuántas",
            "cuál",
            "quién",
        ]
    ),
    "ar": frozenset(
        ["هل", "كيف", "متى", "أين", "اين", "وين", "لماذا", "ليش", "ماذا", "شو", "ايش", "إيش", "كم"]
    ),
}
# "До скольки…", "Через сколько…", "for how long…": a preposition before the question word.
_PREPOSITIONS = frozenset(
    [
        "до",
        "во",
        "со",
        "об",
        "о",
        "через",
        "за",
        "на",
        "в",
        "с",
        "по",
        "из",
        "от",
        "к",
        "у",
        "для",
        "for",
        "in",
        "at",
        "to",
        "from",
        "by",
        "de",
        "en",
        "por",
    ]
)
# English auxiliaries open a question when a pronoun or article follows ("do you deliver").
_EN_AUXILIARIES = frozenset(
    ["is", "are", "was", "do", "does", "did", "can", "could", "will", "would", "should", "may"]
)
# These open a question before any word but a negation ("is apple pay supported"); "will",
# "would" and "should" do not ("will order again", "would love…" are statements).
_EN_OPEN_AUXILIARIES = frozenset(["is", "are", "does", "do", "can", "could", "has", "have"])
_EN_NOT_SUBJECTS = frozenset(["not", "no", "never", "just", "also", "been", "being", "so"])
_EN_SUBJECTS = frozenset(
    [
        "i",
        "you",
        "we",
        "it",
        "there",
        "the",
        "my",
        "this",
        "that",
        "they",
        "he",
        "she",
        "your",
        "a",
        "an",
        "any",
        "someone",
        "anyone",
        "somebody",
        "anybody",
        "he",
        "she",
        "his",
        "her",
        "our",
        "their",
    ]
)
# Yes/no questions told by word order alone, without "?" or a question word:
# Russian "А вы работаете 31 декабря", "А курьер может подождать": an opening «а» with a
# 2nd-person or modal word soon after; "Вы доставляете в Казань": «вы» and a present verb.
_RU_ASKING_AFTER_A = frozenset(
    ["вы", "у", "можно", "может", "могу", "могут", "можете", "есть", "будет", "бывает"]
)
# Spanish verb-first questions to "ustedes" ("Tienen tarifa para estudiantes"), not before
# "que" ("Tienen que mejorar").
_ES_ASKING_VERBS = frozenset(
    [
        "tienen",
        "tiene",
        "aceptan",
        "acepta",
        "hacen",
        "venden",
        "ofrecen",
        "abren",
        "trabajan",
        "atienden",
        "envían",
        "entregan",
        "puedo",
        "pueden",
        "existe",
        "sirve",
        "funciona",
        # more verb-first yes/no questions («reparten los domingos», «sigue vigente la promo»,
        # «aplica para jubilados»), and «hay» («hay descuento para estudiantes»)
        "reparten",
        "sigue",
        "siguen",
        "aplica",
        "cubre",
        "incluye",
        "llega",
        "llegan",
        "hay",
        "necesito",
        "puede",
        "podemos",
        "tengo",
        "debo",
        "cobran",
        "aceptarían",
    ]
)
# Spanish question words as typed without their accent: at a clause's start they ask
# («donde esta mi pedido», «cuanto sale el envío»); «como», «que», «cuando» do not (like,
# that, when).
_ES_UNACCENTED_OPENERS = frozenset(
    ["donde", "cuanto", "cuanta", "cuantos", "cuantas", "cual", "cuales", "quien", "quienes"]
)
# Arabic: dialect question words, and a last word that asks («… يمدي», «… ينفع», «… صح»).
_AR_MORE_OPENERS = frozenset(
    ["ليه", "فين", "امتى", "إمتى", "مين", "وش", "ازاي", "إزاي", "شلون", "ايه", "إيه", "واش",
     "منين", "لوين", "وشلون", "كيفاش", "علاش", "فوقاش"]
)  # fmt: skip
_AR_ASKING_LAST = frozenset(["يمدي", "ينفع", "ممكن", "صح", "اقدر", "أقدر", "نقدر"])
# Openers that ask in a short clause without «؟»: can one, is it all right, I'd like, is there
_AR_ASKING_OPENERS_SHORT = frozenset(
    ["يقدر", "تقدر", "يصير", "تصير", "يحق", "يشمل", "يشملني", "يشمله", "تنفع", "أبغى", "ابغى",
     "ابي", "أبي", "ابغي", "فيه", "momken", "mumkin", "wesh"]
)  # fmt: skip
_AR_NOT_EVEN = frozenset(
    ["مرة", "مره", "احد", "أحد", "حد", "حدا", "شي", "شيء", "حاجة", "واحد", "كاس", "أروع", "اروع",
     "احلى", "أحلى", "افضل", "أفضل", "اجمل", "أجمل"]
)  # fmt: skip
# the first letters of a present-tense verb (and «لازم», «بس», «لا») that open a second choice
_AR_CHOICE_STARTS = ("ي", "ت", "أ", "ا", "ن", "لازم", "بس", "لا", "على")
_AR_NEGATIONS_PLAIN = frozenset(
    ["ما", "لم", "لن", "مش", "مو", "لا", "وما", "ولم", "ومش", "مافي", "ماكو"]
)
# Indonesian: «bisa»/«boleh»/«ada» opening a clause that judges nothing asks even without a tag
# («Bisa pesan tiket untuk rombongan», «Ada promo buat pelajar»).
_ID_PLAIN_ASKING_OPENERS = frozenset(["bisa", "boleh", "ada", "apa", "apakah", "masih"])
# Indonesian yes/no questions: "Bisa bayar pakai QRIS gak", "Ada promo pelajar ya".
_ID_ASKING_OPENERS = frozenset(["bisa", "ada", "boleh", "sudah", "udah", "masih", "apa"])
_ID_ASKING_TAGS = frozenset(["gak", "ga", "nggak", "enggak", "ngga", "tidak", "ya", "kah"])
# "… или нет", "… or not": a clause ending in an alternative asks.
# Russian questions that put the question word last, after their topic (_ru_topic_first).
_RU_TRAILING_QUESTION_WORDS = frozenset(
    ["как", "где", "куда", "когда", "сколько", "что", "зачем", "откуда", "кому", "кого", "чем"]
)
# Before these the question word joins a clause, it does not ask: «там, где купить»,
# «не знаю, что делать» (an indirect question voicing a problem), «так, как оформить».
_RU_JOINING_BEFORE = frozenset(
    ["там", "так", "то", "тогда", "туда", "тот", "того", "том", "знаю", "понимаю", "понял",
     "поняла", "понятно", "ясно", "знает", "знаем", "знал", "знала", "знали", "представляю",
     "придумать", "решить", "объяснили", "объяснил", "сказали", "сказал", "подсказали",
     "непонятно", "неизвестно", "неясно", "хз", "бог", "черт", "чёрт"]
)  # fmt: skip
# After «можно» these do not ask: a rebuke («можно было предупредить») or a wish for something
# new («а можно сделать, чтобы показания уходили сами», «можно добавить тёмную тему»).
_RU_NOT_ASKING_MAY = frozenset(["было", "бы", "сделать", "добавить", "ввести", "внедрить"])
_RU_REBUKING_AFTER_HOW_MANY = frozenset(["можно", "ещё", "еще", "уже", "раз"])
# «мне положена льгота…», «полагается ли компенсация»: asking what one is owed.
_RU_OWED = frozenset(["положен", "положена", "положено", "положены", "полагается", "полагаются"])
# Words that keep a short «а …» clause from asking: it states a failure («а деньги не пришли»).
_RU_STATING_AFTER_A = frozenset(
    ["не", "нет", "ни", "ничего", "никто", "опять", "снова", "так", "всё", "все", "уже", "вот"]
)
# «в отеле есть парковка», «у вас есть доставка»: a short existence clause asks.
_RU_EXISTENCE_OPENERS = frozenset(["в", "во", "на", "у"])
_RU_CLOSING_QUESTIONS = frozenset(
    [("как", "делается"), ("что", "будет"), ("где", "видно"), ("как", "быть"), ("это", "как")]
)
_OR_NOT_TAGS: dict[str, tuple[tuple[str, ...], ...]] = {
    "ru": (("или", "нет"), ("или", "не")),
    "en": (("or", "not"), ("or", "no")),
    "es": (("o", "no"),),
    "id": (("atau", "tidak"), ("atau", "nggak"), ("atau", "gak"), ("atau", "belum")),
    "ar": (("ولا", "لا"), ("أو", "لا"), ("او", "لا"), ("ولا", "لأ")),
}
# Indonesian "X or not" asked up front: «ada tidak …», «buka nggak …», «boleh gak …» (not «sudah
# tidak bisa login»: no longer able is a complaint; «bisa gak ke depan dibikin …» mostly wishes).
_ID_MAY = frozenset(["ada", "buka", "boleh", "perlu", "harus"])
_ID_OR_NOT = frozenset(["tidak", "gak", "nggak", "ga", "enggak", "ngga", "tdk", "gk", "engga"])
# Words that open a conditional: a negation after them supposes, it reports no failure
# ("Что будет, если не забрать посылку").
_CONDITIONALS = frozenset(["если", "if", "si", "kalau", "jika", "jikalau", "إذا", "اذا", "لو"])
# A thing that came without something it should have had ("Мастер пришёл без инструмента",
# "arrived without the charger"): arrival words (Russian by lemma) and the words for "without".
_ARRIVALS: dict[str, frozenset[str]] = {
    "ru": frozenset(
        ["прийти", "привезти", "доставить", "прислать", "приехать", "выдать", "отправить"]
    ),
    "en": frozenset(["arrived", "came", "delivered", "turned", "showed", "sent", "shipped"]),
    "es": frozenset(
        ["llegó", "llegaron", "vino", "vinieron", "entregaron", "mandaron", "enviaron", "llega"]
    ),
    "id": frozenset(["datang", "sampai", "tiba", "dikirim", "diterima", "diantar", "dateng"]),
    "ar": frozenset(["وصل", "وصلت", "وصلني", "وصلتني", "جا", "جاء", "جات", "جاني", "جاتني"]),
}
_WAIT_STEMS = ("wait", "hold", "esper", "tunggu", "nunggu", "menunggu", "انتظر", "ждать", "жд")
_WITHOUT = frozenset(["без", "without", "sin", "tanpa", "بدون", "بلا"])
# A wait counted out ("играет музыка по 20 минут", "on hold for 40 minutes"): a preposition of
# duration, a number, a unit of minutes or hours.
_DURATION_PREPOSITIONS = frozenset(["по", "for", "durante", "por", "selama", "لمدة"])
_STATED_FAILURE_WORDS = _WITHOUT | _DURATION_PREPOSITIONS
# Failures counted out (_counted_failures): repeats, ordinal days, waits going on, own part done.
_REPEAT_UNITS = frozenset(["раз", "раза", "times", "veces", "kali", "مرات"])
_COUNT_WORDS = {
    "ru": frozenset(["два", "три", "четыре", "пять", "шесть", "десять", "сто", "несколько"]),
    "en": frozenset(["two", "three", "four", "five", "six", "ten", "several", "many"]),
    "es": frozenset(["dos", "tres", "cuatro", "cinco", "varias", "muchas"]),
    "id": frozenset(["dua", "tiga", "empat", "lima", "beberapa", "berkali"]),
    "ar": frozenset(["ثلاث", "أربع", "خمس", "عدة"]),
}
_RU_ORDINAL_UNITS = frozenset(
    ["день", "раз", "неделю", "месяц", "час", "сутки", "звонок", "попытки", "попытку", "попытка"]
)
_EN_ORDINAL_UNITS = frozenset(["time", "day", "week", "call", "attempt"])
_EN_ORDINAL = re.compile(r"third|fourth|fifth|sixth|tenth")
_EN_SUFFIXES = frozenset(["rd", "th"])  # "3rd", "4th" (not "1st", "2nd": a regular's words)
_ALREADY = frozenset(["уже", "already", "ya", "sudah", "udah"])
_TIME_PASSING = frozenset(
    ["van", "llevo", "llevamos", "son", "pasaron", "прошло", "прошла", "прошёл", "прошел", "идёт",
     "идет", "been", "lewat"]
)  # fmt: skip
_WAIT_UNITS = frozenset(
    ["час", "часа", "часов", "полчаса", "минут", "минуты", "дня", "дней", "неделю", "недели",
     "месяц", "hour", "hours", "minutes", "days", "weeks", "hora", "horas", "minutos", "días",
     "semanas", "jam", "menit", "hari", "minggu"]
)  # fmt: skip
_THOUGH = {
    "ru": frozenset(["хотя"]),
    "en": frozenset(["though", "although"]),
    "es": frozenset(["aunque"]),
    "id": frozenset(["padahal"]),
}
# What was paid for, then what came instead (_counted_failures).
_PAID_FOR = frozenset(
    [("плачу", "за"), ("заплатил", "за"), ("заплатила", "за"), ("оплатил", "за"),
     ("оплатила", "за"), ("платим", "за"), ("paid", "for"), ("paying", "for"), ("pay", "for"),
     ("pagué", "por"), ("pago", "por"), ("pagamos", "por"), ("bayar", "untuk"),
     ("bayar", "ongkir"), ("bayar", "ongkos"), ("bayar", "ekspres"), ("bayar", "express"),
     ("bayar", "ekstra"), ("bayar", "lebih"), ("bayar", "premium"),
     ("membayar", "untuk"), ("dibayar", "untuk")]
)  # fmt: skip
_THEN_WORDS = frozenset(["а", "но", "and", "but", "y", "pero", "tapi", "dan", "namun"])
# "N of M" after "only" or a verb of receiving counts what came short ("received only 3 of the
# 5 items", «llegaron 2 de 3», «привезли 2 из 3»); a score "4 из 5" has neither before it.
_OUT_OF = frozenset(["of", "de", "из", "dari", "من"])
_SHORT_OF = frozenset(
    ["only", "just", "received", "got", "came", "arrived", "delivered", "solo", "sólo",
     "llegaron", "llegó", "recibí", "vinieron", "только", "лишь", "всего", "пришло", "пришли",
     "привезли", "доставили", "получил", "получила", "cuma", "hanya", "datang", "sampai",
     "diterima", "وصل", "وصلني", "فقط"]
)  # fmt: skip
# Fewer came than were ordered, counted (_came_short): "ordered two, got one", «заказал 3,
# привезли 2», «pedí dos y me llegó uno», "one instead of two", «واحد بدل اثنين». Counts in words:
_NUMBER_WORDS: dict[str, dict[str, int]] = {
    "ru": {"один": 1, "одна": 1, "одно": 1, "одну": 1, "одного": 1, "одной": 1, "два": 2,
           "две": 2, "двух": 2, "три": 3, "трёх": 3, "трех": 3, "четыре": 4, "четырёх": 4,
           "четырех": 4, "пять": 5, "пяти": 5, "шесть": 6, "шести": 6, "десять": 10},
    "en": {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "ten": 10},
    "es": {"uno": 1, "una": 1, "un": 1, "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5, "seis": 6,
           "diez": 10},
    "id": {"satu": 1, "dua": 2, "tiga": 3, "empat": 4, "lima": 5, "enam": 6, "sepuluh": 10},
    "ar": {"واحد": 1, "واحدة": 1, "اثنين": 2, "اثنان": 2, "اثنتين": 2, "ثلاث": 3, "ثلاثة": 3,
           "أربع": 4, "أربعة": 4, "خمس": 5, "خمسة": 5, "عشرة": 10},
}  # fmt: skip
# Verbs of ordering or buying, then (within the sentence) of receiving.
_ORDERED = frozenset(
    ["заказал", "заказала", "заказали", "заказывал", "заказывала", "купил", "купила", "купили",
     "оплатил", "оплатила", "брал", "брала", "ordered", "bought", "pedí", "pedimos", "compré",
     "ordené", "pesan", "memesan", "beli", "membeli", "order", "طلبت", "اشتريت"]
)  # fmt: skip
_RECEIVED = _SHORT_OF | frozenset(
    ["пришёл", "пришел", "пришла", "положили", "дали", "отправили", "прислали", "получили",
     "привёз", "привез", "sent", "gave", "vino", "mandaron", "enviaron",
     "dapat", "dikirim", "وصلت", "استلمت", "جاني", "جاء", "ووصلني", "ووصلت", "ووصل"]
)  # fmt: skip
# What was ordered, then another size or colour of it came (_came_other): «заказывал размер L,
# пришёл S», "ordered a large, got a small", «pedí talla grande y me mandaron chica», «pesan baju
# hitam yang datang biru», «طلبت مقاس كبير ووصلني صغير». Words as written; compared by normal form.
_VARIANTS: dict[str, dict[str, tuple[str, ...]]] = {
    "size": {
        "*": ("xs", "s", "m", "l", "xl", "xxl", "xxxl", "2xl", "3xl"),
        "ru": ("большой", "большую", "большая", "маленький", "маленькую", "маленькая", "средний",
               "среднюю", "средняя"),
        "en": ("large", "small", "medium", "big", "little"),
        "es": ("grande", "chica", "chico", "pequeña", "pequeño", "mediana", "mediano"),
        "id": ("besar", "kecil", "sedang"),
        "ar": ("كبير", "كبيرة", "صغير", "صغيرة", "وسط", "متوسط"),
    },
    "colour": {
        "ru": ("черный", "чёрный", "белый", "синий", "красный", "зеленый", "зелёный", "серый",
               "розовый", "желтый", "жёлтый", "голубой", "коричневый", "бежевый", "фиолетовый",
               "оранжевый"),
        "en": ("black", "white", "blue", "red", "green", "grey", "gray", "pink", "yellow",
               "brown", "beige", "purple", "orange"),
        "es": ("negro", "negra", "blanco", "blanca", "azul", "rojo", "roja", "verde", "gris",
               "rosa", "rosado", "rosada", "amarillo", "amarilla", "marrón", "morado", "morada"),
        "id": ("hitam", "putih", "biru", "merah", "hijau", "abu", "pink", "kuning", "coklat",
               "cokelat", "ungu", "oranye"),
        "ar": ("أسود", "سوداء", "أبيض", "بيضاء", "أزرق", "زرقاء", "أحمر", "حمراء", "أخضر",
               "خضراء", "رمادي", "وردي", "أصفر", "صفراء", "بني"),
    },
}  # fmt: skip
_OTHER_WINDOW = 4  # words after the verb of receiving that may name what came instead
# A time or a wait was set, then a later time or a longer wait came (_later_than_set):
# «записали на 10, приняли в 12», "booked for 10, seen at 12", «prometieron llamar en una hora y
# ya pasaron dos días», «janji telepon balik satu jam, sudah dua hari», «وعدوني خلال ساعة وصار
# لي يومين». The words that set it, the length of each unit in minutes, the words before a time
# of day, and units that carry their own count (Arabic duals, «полчаса», «seminggu»).
_SETTING = frozenset(
    ["обещали", "обещал", "обещала", "записали", "записала", "назначили", "назначено",
     "договорились", "promised", "booked", "scheduled", "appointment", "prometieron",
     "prometió", "citaron", "agendaron", "quedaron", "janji", "dijanjikan", "dijadwalkan",
     "jadwal", "وعدوني", "وعدونا", "وعدوا", "موعدي", "موعد"]
)  # fmt: skip
_UNIT_MINUTES: dict[str, int] = {
    **dict.fromkeys(["минута", "минуту", "минуты", "минут", "мин", "min", "mins", "minute",
                     "minutes", "minuto", "minutos", "menit", "دقيقة", "دقيقه", "دقايق",
                     "دقائق"], 1),
    **dict.fromkeys(["час", "часа", "часов", "hour", "hours", "hr", "hrs", "hora", "horas",
                     "jam", "ساعة", "ساعه", "ساعات"], 60),
    **dict.fromkeys(["день", "дня", "дней", "сутки", "суток", "day", "days", "día", "días", "dia",
                     "dias", "hari", "يوم", "ايام", "أيام"], 1440),
    **dict.fromkeys(["неделя", "неделю", "недели", "недель", "week", "weeks", "semana",
                     "semanas", "minggu", "اسبوع", "أسبوع", "اسابيع", "أسابيع"], 10080),
    **dict.fromkeys(["месяц", "месяца", "месяцев", "month", "months", "mes", "meses", "bulan",
                     "شهر", "شهور"], 43200),
}  # fmt: skip
_COUNTED_UNITS = {"полчаса": 30, "ساعتين": 120, "يومين": 2880, "اسبوعين": 20160,
                  "أسبوعين": 20160, "شهرين": 86400, "sejam": 60, "sehari": 1440,
                  "seminggu": 10080, "sebulan": 43200}  # fmt: skip
_TIME_OF_DAY_BEFORE = frozenset(["на", "в", "к", "at", "for", "las", "la", "jam", "pukul", "الساعة",
                                 "الساعه"])  # fmt: skip
_AR_HOURS = {"عشرة": 10, "عشر": 10, "احدعش": 11, "حداش": 11, "ثنعش": 12, "اثنعش": 12, "اطنعش": 12}
# "instead of" before the count that was due: «вместо двух», "instead of two", «en vez de dos»,
# «en lugar de dos», «bukannya dua», «بدل اثنين», «بدلا من اثنين».
_INSTEAD_OF = (
    ("вместо",),
    ("instead", "of"),
    ("en", "vez", "de"),
    ("en", "lugar", "de"),
    ("bukannya",),
    ("بدل",),
    ("بدلا", "من"),
    ("بدلاً", "من"),
)
_INSTEAD_FIRST = frozenset(phrase[0] for phrase in _INSTEAD_OF)
_SHORT_WINDOW = 8  # words of one sentence that may hold the two counts
_THOUGH_SUBJECTS = frozenset(["я", "мы", "i", "we", "ya", "sudah", "saya", "udah", "yo"])
_DURATION_UNITS = frozenset(
    [
        "минута",
        "час",
        "minute",
        "minut",
        "hour",
        "hours",
        "hor",
        "menit",
        "jam",
        "دقيقة",
        "دقيق",
        "دقائق",
        "دقايق",
        "ساعة",
        "ساعات",
        "ساعتين",
        "ساعه",
    ]
)


# A comment that is only a counted wait ("40 минут", "45 menit", "ساعة ونص", "1 hora 40 en la
# línea"): the customer answers how long it took, a complaint (labelling rule 9 of
# tests/data/comments_type_blind2.md). Units, words that count, and the words that may stand
# beside them; nothing else may be in the comment (_bare_wait).
_BARE_WAIT_UNITS = frozenset(
    ["минута", "минуты", "минут", "мин", "час", "часа", "часов", "полчаса", "сутки", "суток",
     "день", "дня", "дней", "неделя", "неделю", "недели", "недель", "месяц", "месяца", "месяцев",
     "min", "mins", "minute", "minutes", "hr", "hrs", "hour", "hours", "day", "days", "week",
     "weeks", "month", "months", "minuto", "minutos", "hora", "horas", "día", "días", "dia",
     "dias", "semana", "semanas", "mes", "meses", "menit", "jam", "hari", "minggu", "bulan",
     "seminggu", "sebulan", "sehari", "sejam",
     "دقيقة", "دقيقه", "دقايق", "دقائق", "ساعة", "ساعه", "ساعات", "ساعتين", "يوم", "ايام",
     "أيام", "يومين", "اسبوع", "أسبوع", "اسابيع", "أسابيع", "اسبوعين", "أسبوعين", "شهر", "شهور",
     "شهرين"]
)  # fmt: skip
_BARE_WAIT_COUNTS = frozenset(
    ["два", "две", "три", "четыре", "пять", "десять", "двадцать", "тридцать", "сорок", "полтора",
     "полторы", "полчаса", "целый", "целых", "two", "three", "four", "five", "ten", "twenty",
     "thirty", "forty", "an", "half", "dos", "tres", "cuatro", "cinco", "diez", "veinte",
     "treinta", "cuarenta", "media", "medio", "una", "un", "dua", "tiga", "empat", "lima",
     "sepuluh", "setengah", "sejam", "seminggu", "sebulan", "sehari", "ساعتين", "يومين",
     "اسبوعين", "أسبوعين", "شهرين", "ثلاث", "ثلاثة", "اربع", "أربع", "خمس", "عشر", "نص", "نصف",
     "ونص", "ونصف"]
)  # fmt: skip
_BARE_WAIT_WORDS = frozenset(
    ["и", "с", "половиной", "на", "линии", "в", "очереди", "ожидания", "ожидание", "уже",
     "почти", "больше", "более", "and", "a", "on", "hold", "the", "line", "in", "queue", "wait",
     "waiting", "for", "over", "almost", "more", "than", "of", "still", "y", "en", "la",
     "línea", "linea", "de", "espera", "fila", "cola", "por", "más", "mas", "casi", "ya",
     "esperando", "dan", "nunggu", "menunggu", "antri", "antre", "di", "telepon", "lebih",
     "hampir", "udah", "sudah", "selama", "و", "على", "الخط", "بالخط", "انتظار", "بالانتظار",
     "في", "الانتظار", "من", "اكثر", "أكثر", "تقريبا"]
)  # fmt: skip
_BARE_WAIT_ALLOWED = _BARE_WAIT_UNITS | _BARE_WAIT_COUNTS | _BARE_WAIT_WORDS
_BARE_WAIT_MAX = 8

# After these, a following verb states a failure ("не начислили", "never arrived").
_FAILURE_NEGATIONS: dict[str, frozenset[str]] = {
    "ru": frozenset({"не", "нельзя"}),
    "en": frozenset(
        [
            "never",
            "not",
            "didn't",
            "hasn't",
            "haven't",
            "wasn't",
            "weren't",
            "doesn't",
            "won't",
            "couldn't",
            "isn't",
            "aren't",
            "didnt",
            "hasnt",
            "havent",
            "wasnt",
            "doesnt",
            "wont",
            "couldnt",
            "isnt",
        ]
    ),
    "id": frozenset(["belum", "tidak", "gak", "nggak", "ga", "enggak", "ngga"]),
    "es": frozenset({"no", "nunca", "jamás", "jamas"}),
    # the dialects' «ما وصل», «مش شغال», «مو راضي» (before a noun or pronoun «ما» asks "what":
    # _AR_NOT_NEGATED)
    # … and with the conjunction «و» before them: «وما وصلني شي», «ولم يرد أحد»
    "ar": frozenset({"لم", "لن", "ما", "مش", "مو", "مب", "ماش", "وما", "ولم", "ولن", "ومش", "ومو"}),
}
_EVER = frozenset(["pernah", "ever", "once", "разу", "никогда", "nunca", "jamás"])
_AR_NOT_NEGATED = frozenset(
    ["هو", "هي", "هم", "هذا", "هذه", "ذا", "الذي", "اللي", "رأيكم", "رايكم", "عندي", "عندنا"]
)
# Negated, these say nothing about the service ("не знаю", "haven't used it").
_NEUTRAL_WHEN_NEGATED = frozenset(
    [
        "знать",
        "помнить",
        "пользоваться",
        "сталкиваться",
        "понимать",
        "скажу",
        "know",
        "knew",
        "known",
        "use",
        "used",
        "tried",
        "try",
        "пробовать",
        "remember",
        "sure",
        # not knowing says nothing of the service in Spanish, Indonesian and Arabic either
        # («no sé si aplica», «belum tahu», «ما اعرف»)
        "sé",
        "sabía",
        "entiendo",
        "tahu",
        "tau",
        "ngerti",
        "اعرف",
        "أعرف",
        "عارف",
        "عارفة",
    ]
)
# Words between a negation and the verb it negates: "haven't really used", «не очень понимаю»
_ADVERBS_AFTER_NEGATION = frozenset(
    ["really", "actually", "yet", "fully", "очень", "совсем", "особо"]
)
# Wishes of goodwill in reviews ("السلعة ممتازة ونتمنى سرعة وصولها", "semoga sukses"): they
# leave the clause's judgement as it is.
_GOODWILL = frozenset(["اتمنى", "أتمنى", "نتمنى", "ياريت", "يا", "ليت", "semoga", "harap", "ojalá"])
# Words for "question" that also name an issue, and the stems of resolving it.
_ISSUE_WORDS = frozenset(["вопрос", "question", "pregunt", "masalah", "سؤال"])
_RESOLVE_STEMS = ("реш", "resolv", "solv", "sorted", "soluc", "resuel", "selesai", "حل", "انحل")
# Verbs of knowing, before an indirect question ("didn't know how to…").
_KNOW = frozenset(
    ["знать", "know", "knew", "saber", "sabía", "sabían", "sabe", "tahu", "يعرف", "يعرفون"]
)
_ALL_NEGATIONS = frozenset().union(*_FAILURE_NEGATIONS.values(), ["ما", "لا", "no", "don't"])
# Words of the writer about themselves before a negated neutral verb ("я пока не знаю").
_ONESELF = frozenset(
    [
        "я",
        "мы",
        "пока",
        "really",
        "tbh",
        "ещё",
        "еще",
        "ну",
        "честно",
        "ничего",
        "i",
        "we",
        "yet",
        "still",
        "honestly",
        "sorry",
        "well",
        "nothing",
        "yo",
        "todavía",
        "aún",
        "nada",
        "saya",
        "aku",
        "kami",
        "masih",
        "أنا",
        "انا",
    ]
)
# Written forms that must not match a keyword by their normal form: comparative «лучше» reads as
# «хороший», yet in "лучше разберитесь" it gives advice; fillers carry no sentiment.
_NOT_BY_LEMMA = frozenset({"лучше"})
# "… нет" / "нет …" says what is missing, except after these ("замечаний нет", "нет вопросов").
_NOTHING_MISSING = frozenset(
    [
        "замечание",
        "проблема",
        "вопрос",
        "претензия",
        "жалоба",
        "нарекание",
        "комментарий",
        "слово",
        "время",
        "смысл",
        "разница",
        "повод",
        "причина",
        "очередь",
        "комиссия",
        "минус",
        "недостаток",
        "спасибо",
    ]
)
# Languages without keywords of their own that read well enough with a neighbour's.
_NEIGHBOURS = {"ms": "id", "uk": "ru", "be": "ru", "gl": "es"}


@dataclass(frozen=True, slots=True)
class _Entry:
    kind: str  # type | sentiment | topic | pillar | churn
    label: str
    phrase: tuple[str, ...]  # normal forms; a last element ending in "*" is a prefix
    leading_negation: bool


@dataclass(frozen=True, slots=True)
class _Hit:
    entry: _Entry
    start: int
    end: int
    weight: float
    negated: bool


@dataclass
class Analysis:
    """Everything the rules say about one item; ``*_scores`` are probabilities summing to 1."""

    language: str | None
    language_confidence: float
    type: str
    type_scores: dict[str, float]
    sentiment: str
    sentiment_scores: dict[str, float]
    topics: list[str]
    topic_scores: dict[str, float]
    pillars: list[str] = field(default_factory=list)
    churn_reasons: list[str] = field(default_factory=list)
    # the type rests on how the text is built, not on its words alone: a rebuke («Лучше наймите
    # кассира»), praise that mocks («супер 👍 третий час жду»), an indignant question («сколько
    # можно…»). A model that reads words may not overrule it (pretrained.hybrid_pick)
    type_turned: bool = False
    # a note that closes or voids a case («заявку можно закрыть», "rated by accident, just
    # ignore"; otklik.classify.notes): its ``other`` and ``neutral`` are an answer, not silence,
    # so no model fills them in (pretrained.hybrid_pick)
    settled: bool = False

    @property
    def type_confidence(self) -> float:
        return self.type_scores[self.type]

    @property
    def sentiment_confidence(self) -> float:
        return self.sentiment_scores[self.sentiment]

    @property
    def topic_confidence(self) -> float:
        top = self.topics[0] if self.topics else NO_TOPIC
        return self.topic_scores[top]

    @property
    def confidence(self) -> float:
        """The weakest of the type and sentiment confidences: what uncertainty sampling ranks."""
        return min(self.type_confidence, self.sentiment_confidence)


# (one-word keywords, longer keywords by their second word, longer keywords whose second word
# is a prefix, one-word prefix keywords): what _Index.lookup answers for a word
_Found = tuple[
    tuple["_Entry", ...],
    dict[str, tuple["_Entry", ...]],
    tuple["_Entry", ...],
    tuple["_Entry", ...],
]
_NOTHING: _Found = ((), {}, (), ())


@dataclass
class _Index:
    by_first: dict[str, list[_Entry]] = field(default_factory=lambda: defaultdict(list))
    prefixes: list[_Entry] = field(default_factory=list)
    negations: frozenset[str] = frozenset()
    contrast: frozenset[str] = frozenset()
    # (surface, norm) → what lookup() answers, worked out once per distinct word
    lookup_cache: dict[tuple[str, str], _Found] = field(default_factory=dict)
    # the one-word prefix keywords by the length and text of their stem ("лаг*": 3, "лаг")
    stems: dict[int, dict[str, list[_Entry]]] = field(default_factory=dict)
    # each entry's place in the index: matches at one word are listed in this order
    order: dict[_Entry, int] = field(default_factory=dict)
    # first words without a Latin letter, and whether a prefix stem has none (see _may_match)
    unlettered: frozenset[str] = frozenset()
    unlettered_stems: bool = False

    def add(self, entry: _Entry) -> None:
        self.order.setdefault(entry, len(self.order))
        if entry.phrase[0].endswith("*") and len(entry.phrase) == 1:
            self.prefixes.append(entry)
            stem = entry.phrase[0][:-1]
            self.stems.setdefault(len(stem), {}).setdefault(stem, []).append(entry)
        else:
            self.by_first[entry.phrase[0]].append(entry)

    def lookup(self, token: Token) -> _Found:
        """(one-word keywords equal to ``token``'s normal form; longer keywords whose first
        word it is, by their second word, and those whose second word is a prefix; one-word
        prefix keywords (``лаг*``) that ``token`` matches), each in index order."""
        key = (token.surface, token.norm)
        found = self.lookup_cache.get(key)
        if found is None:
            # a stem of length n starts the word exactly when it equals the word's first n
            # letters: one dict look-up per stem length instead of a test per prefix keyword
            matched = {
                entry
                for size, stems in self.stems.items()
                for word in (token.surface, token.norm)
                for entry in stems.get(word[:size], ())
            }
            prefixed = tuple(sorted(matched, key=self.order.__getitem__))
            first = self.by_first.get(token.norm, ())
            # one-word keywords match the token itself, no phrase check needed
            single = tuple(entry for entry in first if len(entry.phrase) == 1)
            by_second: dict[str, list[_Entry]] = defaultdict(list)
            any_second: list[_Entry] = []
            for entry in first:
                if len(entry.phrase) == 1:
                    continue
                if entry.phrase[1].endswith("*"):
                    any_second.append(entry)
                else:
                    by_second[entry.phrase[1]].append(entry)
            found = (
                (single, {k: tuple(v) for k, v in by_second.items()}, tuple(any_second), prefixed)
                if first or prefixed
                else _NOTHING
            )
            if len(self.lookup_cache) >= _LOOKUP_CACHE_SIZE:
                self.lookup_cache.clear()
            self.lookup_cache[key] = found
        return found


def _may_match(text: str, tokens: list[Token], index: _Index) -> bool:
    """False only when no keyword of ``index`` can match ``tokens`` (the words of ``text``):
    the text has no letter that lower-cases to a Latin one, and no word is one of the index's
    first words without a Latin letter (``index.unlettered``: "10" of "10 out of 10"), and no
    prefix keyword lacks one."""
    if index.unlettered_stems or _TO_LATIN.search(text) is not None:
        return True
    unlettered = index.unlettered
    return bool(unlettered) and any(
        token.norm in unlettered or token.surface in unlettered for token in tokens
    )


# Every character whose lower case holds an ASCII letter: A–Z, a–z, and "İ" and the Kelvin
# sign, whose lower cases are "i̇" and "k".
_TO_LATIN = re.compile(
    "["
    + "".join(
        re.escape(chr(code))
        for code in range(0x250)
        if any("a" <= char <= "z" for char in chr(code).lower())
    )
    + "\u212a]"
)


@dataclass(frozen=True, slots=True)
class _Reading:
    """What the rules read in one text before its score counts (see RuleSet._read)."""

    language: str | None
    language_confidence: float
    hits: tuple[_Hit, ...]
    failures: float
    emoji: tuple[int, int]
    polite: frozenset[tuple[int, int]]  # thank-you spans in a short text (politeness)
    question_mark: bool
    first: str
    asks: bool
    indignant: bool
    wishes: bool  # a Russian wish mood («не помешала бы»)
    topics: tuple[str, ...]
    topic_scores: dict[str, float]
    pillars: tuple[str, ...]
    churn: tuple[str, ...]
    turned: bool = False  # a rebuke, mocking praise or an indignant question (Analysis.type_turned)
    settled: bool = False  # a note that closes or voids a case (Analysis.settled)


# (text, language, score, scale, kind): what analyse() reads of an item
ItemText = tuple[str | None, str | None, float | None, str | None, str | None]
# (text, language) → _Reading; (text, language, score band, exit) → Analysis
AnalysisCache = dict[tuple[object, ...], object]
_TEXT_CACHE_SIZE = 400_000


def analysis_key(item: ItemText) -> tuple[str, str | None, str | None, bool]:
    """(text, language, score band, exit or not) of an item ``(text, language, score, scale,
    kind)``: items with equal keys get the same answer from :meth:`RuleSet.analyse_many`, which
    keeps them under this key."""
    text, language, score, scale, kind = item
    return (text or "", language, score_sentiment(score, scale), kind == "exit")


class RuleSet:
    """A taxonomy's keywords compiled for fast matching, one index per language."""

    def __init__(self, taxonomy: Taxonomy) -> None:
        self.taxonomy = taxonomy
        self.type_names = taxonomy.type_names
        self.sentiment_names = list(taxonomy.sentiments)
        self.topic_names = taxonomy.topic_ids()
        self.parents = {node.id: node.parent for node in taxonomy.flat_topics()}
        self._indexes: dict[str, _Index] = {}
        languages = {language for language in taxonomy.negations} | {"ru", "en"}
        for spec, _kind, _label in self._specs():
            languages |= set(spec.keywords)
        for language in sorted(languages):
            self._indexes[language] = self._compile(language)

    def _specs(self) -> Iterable[tuple[LabelSpec, str, str]]:
        taxonomy = self.taxonomy
        for kind, specs in (
            ("type", taxonomy.types),
            ("sentiment", taxonomy.sentiments),
            ("pillar", taxonomy.pillars),
            ("churn", taxonomy.churn_reasons),
        ):
            for label, spec in specs.items():
                yield spec, kind, label
        for node in taxonomy.flat_topics():
            yield node.topic, "topic", node.id

    def _compile(self, language: str) -> _Index:
        negations = {word.lower() for word in self.taxonomy.negations.get(language, [])}
        index = _Index(
            negations=frozenset(negations | {normalize_word(w, language) for w in negations}),
            contrast=frozenset(w.lower() for w in self.taxonomy.contrast.get(language, [])),
        )
        seen: set[tuple[str, str, tuple[str, ...]]] = set()
        for spec, kind, label in self._specs():
            for keyword in spec.keywords.get(language, []):
                prefix = keyword.strip().endswith("*")
                words = [
                    t for t in tokenize(keyword.strip().rstrip("*"), language) if not t.boundary
                ]
                if not words:
                    continue
                phrase = tuple(t.norm for t in words)
                if prefix:
                    phrase = (*phrase[:-1], words[-1].surface + "*")
                phrases = [phrase]
                if language == "ru" and len(words) == 1 and not prefix and kind in _DERIVED:
                    # "прекрасно" matches "прекрасный" and the other way round
                    phrases += [(form,) for form in sorted(adjective_and_adverb(words[0].surface))]
                for phrase in phrases:
                    if (kind, label, phrase) in seen:  # "приложение", "приложения": one lemma
                        continue
                    seen.add((kind, label, phrase))
                    index.add(
                        _Entry(
                            kind, label, phrase, words[0].surface in negations and len(words) > 1
                        )
                    )
        index.unlettered = frozenset(w for w in index.by_first if _TO_LATIN.search(w) is None)
        index.unlettered_stems = any(
            _TO_LATIN.search(stem) is None for stems in index.stems.values() for stem in stems
        )
        return index

    def _indexes_for(self, language: str | None, text: str) -> list[_Index]:
        language = _NEIGHBOURS.get(language or "", language)
        primary = language if language in self._indexes else None
        if primary is None:
            script = next((script_of(w) for w in text.split() if script_of(w) != "other"), "latin")
            primary = {"cyrillic": "ru", "arabic": "ar"}.get(script, "en")
        found = [self._indexes[primary]] if primary in self._indexes else []
        if primary in ("ru", "ar") and "en" in self._indexes:
            found.append(self._indexes["en"])  # English words inside Russian or Arabic text
        return found

    def _match(self, tokens: list[Token], index: _Index) -> list[_Hit]:
        """The keyword hits of ``index`` in ``tokens``, in context (negation, contrast)."""
        candidates: list[tuple[_Entry, int, int]] = []
        count = len(tokens)
        cache = index.lookup_cache
        for i, token in enumerate(tokens):
            if token.boundary:
                continue
            if token.surface in _NOT_BY_LEMMA and (i + 1 >= count or tokens[i + 1].surface != "бы"):
                continue
            found = cache.get((token.surface, token.norm)) or index.lookup(token)
            if found is _NOTHING:
                continue
            # in index order within each group; _longest_per_kind sorts by span (stably),
            # so the chosen matches are those of checking every keyword in index order
            single, by_second, any_second, prefixed = found
            for entry in single:
                candidates.append((entry, i, i + 1))
            # a longer keyword can only match where the next word is its second word (or the
            # second word is a prefix); those are checked in full, in index order
            longer: tuple[_Entry, ...] | list[_Entry] = ()
            if by_second and i + 1 < count and not tokens[i + 1].boundary:
                longer = by_second.get(tokens[i + 1].norm, ())
            if any_second:
                longer = sorted((*longer, *any_second), key=index.order.__getitem__)
            for entry in longer:
                end = i + len(entry.phrase)
                if end <= count and _phrase_at(tokens, i, entry.phrase):
                    candidates.append((entry, i, end))
            for entry in prefixed:
                candidates.append((entry, i, i + 1))
        if not candidates:
            return []
        chosen = _longest_per_kind(candidates)
        # A negation inside a keyword that opens with it ("no internet", "belum datang") is
        # that keyword's own: it turns nothing after it.
        shielded = frozenset(
            i for entry, start, end in chosen if entry.leading_negation for i in range(start, end)
        )
        return [self._weigh(tokens, index, *hit, shielded=shielded) for hit in chosen]

    def _weigh(
        self,
        tokens: list[Token],
        index: _Index,
        entry: _Entry,
        start: int,
        end: int,
        shielded: frozenset[int] = frozenset(),
    ) -> _Hit:
        negated = False
        if not entry.leading_negation:
            for j in range(start - 1, max(start - 1 - _SUBJECT_NEGATION_WINDOW, -1), -1):
                if tokens[j].boundary:
                    break
                if j < start - 1 - _NEGATION_WINDOW and tokens[j].surface in _SUBJECT_NEGATIONS:
                    # "Nobody at the branch could help me"; not «никто не вернул деньги за
                    # двойное списание», whose verb the denial turns, not its object's fault
                    negated = entry.label != "negative" or not (
                        _is_verb_between(tokens, j, start) or _definite_object(tokens, j, start)
                    )
                    break
            for j in range(start - 1, max(start - 1 - _NEGATION_WINDOW, -1), -1):
                if tokens[j].boundary or (j in shielded and start not in shielded):
                    break  # a keyword inside "no puedo entrar" is turned by its «no»
                if entry.label == "negative" and (
                    _is_verb_between(tokens, j, start) or _definite_object(tokens, j, start)
                ):
                    break  # "не обновляется неделю", "never refunded the double charge"
                if tokens[j].surface in index.negations or tokens[j].norm in index.negations:
                    # «нет», «без» turn only the next word ("нет проблем", "без проблем"), not
                    # "нет уже две недели", "без паспорта, хотя…"
                    negated = tokens[j].surface not in ("нет", "без") or j == start - 1
                    break
            if (
                end < len(tokens)
                and tokens[end].surface in ("нет", "ноль")
                and _genitive(tokens[end - 1])
                and tokens[end - 1].norm not in _HOW_LONG
            ):  # "проблем нет", "претензий ноль", not "вторую неделю нет горячей воды", nor
                # «денег до сих пор нет», «окна … на ближайшие 3 недели нет»: how long it lacks
                negated = True
        weight = 1.0
        for j in range(start - 1, -1, -1):
            if tokens[j].boundary and tokens[j].surface != ",":
                break
            if tokens[j].surface in index.contrast:
                weight = _CONTRAST_WEIGHT
                break
        else:  # before a "но" in the same sentence, the point is yet to come
            for j in range(end, len(tokens)):
                if tokens[j].boundary and tokens[j].surface != ",":
                    break
                if tokens[j].surface in index.contrast:
                    weight = _BEFORE_CONTRAST_WEIGHT
                    break
        return _Hit(entry, start, end, weight, negated)

    def _praise_at(self, start: int, code: str, tokens: list[Token]) -> list[_Hit]:
        """The language's praise entries (:data:`_REMEDY_PRAISE`) as hits at ``start``,
        weighed for a contrast as a keyword there would be («…, но за 5 минут всё починили»);
        none when the taxonomy has no words for the language."""
        praising = self._indexes.get(code)
        if praising is None:
            return []
        found = []
        for entry in praising.by_first.get(_REMEDY_PRAISE.get(code, ""), ()):
            if len(entry.phrase) == 1 and entry.kind in ("type", "sentiment"):
                weighed = self._weigh(tokens, praising, entry, start, start + 1)
                found.append(_Hit(entry, start, start + 1, weighed.weight, False))
        return found

    def _as_favours(
        self,
        tokens: list[Token],
        hits: list[_Hit],
        positions: list[int],
        favours: list[tuple[int, int]],
        code: str,
    ) -> tuple[list[_Hit], list[int]]:
        """``hits`` and failure ``positions`` with each favour's span (see :func:`_favours`)
        no failure and no negative signal, and the language's praise entries added once."""
        inside = {i for start, end in favours for i in range(start, end)}
        kept = [hit for hit in hits if not (_polarity(hit) < 0 and hit.start in inside)]
        kept += self._praise_at(favours[0][0], code, tokens)
        return kept, [p for p in positions if p not in inside]

    def analyse(
        self,
        text: str | None,
        *,
        language: str | None = None,
        score: float | None = None,
        scale: str | None = None,
        kind: str | None = None,
    ) -> Analysis:
        """Type, sentiment, topics, pillars and churn reasons of one item."""
        return self._conclude(
            self._read(text or "", language), score_sentiment(score, scale), kind == "exit"
        )

    def analyse_many(
        self, items: Iterable[ItemText], cache: AnalysisCache | None = None
    ) -> list[Analysis]:
        """:meth:`analyse` of many items (``(text, language, score, scale, kind)`` each), the
        same answers worked out once per distinct text.

        What a text says (language, tokens, keyword hits, question and failure signals) is
        read once per distinct (text, language); the score only adds its evidence afterwards,
        so the full answer is made once per distinct (text, language, score band, exit or
        not). ``cache`` keeps both across calls (one per run: pass the same dict to every
        batch); it is emptied when it holds more than ``_TEXT_CACHE_SIZE`` entries. Items with
        equal keys get the same :class:`Analysis` object: read it, do not change it.
        """
        memo: AnalysisCache = {} if cache is None else cache
        found: list[Analysis] = []
        for item in items:
            key = analysis_key(item)
            text, language = key[0], key[1]
            analysis = cast("Analysis | None", memo.get(key))
            if analysis is None:
                read = cast("_Reading | None", memo.get((text, language)))
                if read is None:
                    read = self._read(text, language)
                    if len(memo) >= _TEXT_CACHE_SIZE:
                        memo.clear()
                    memo[(text, language)] = read
                analysis = self._conclude(read, key[2], key[3])
                memo[key] = analysis
            found.append(analysis)
        return found

    def _read(self, text: str, language: str | None) -> _Reading:
        """What :meth:`analyse` reads in a text before its score counts: language, keyword
        hits in context, failure and question signals, topics."""
        confidence = 1.0
        if language is None:
            language, confidence = detect_language(text)
        hits: list[_Hit] = []
        tokens: list[Token] = []
        if text.strip():
            tokens = _without_acknowledgement(
                tokenize(text, language if language in RULE_LANGUAGES else None)
            )
            for position, index in enumerate(self._indexes_for(language, text)):
                if position and not _may_match(text, tokens, index):
                    continue  # English keywords in a Russian or Arabic text without a Latin word
                hits += self._match(tokens, index)
        # "не хватает 500 рублей" counts what is missing: a complaint, not a wish for a feature
        hits = [
            hit
            for hit in hits
            if hit.entry.kind != "type"
            or not (
                (
                    hit.entry.label == "suggestion"
                    and hit.entry.phrase[:1] in _LACKING
                    and _lacks_goods(tokens, hit, language or "")
                )
                or _reported_question(tokens, hit)
                or _regarding(tokens, hit)
                or _issue_resolved(tokens, hit)
            )
        ]
        winked = _sarcasm(text, tokens, hits)
        # praise beside 🙃 / 🤡 mocks, which a model of words misses (praise in scare quotes is
        # left to it: 'a "best time to visit" view' names a feature)
        sarcastic = winked is not hits and _SARCASM_EMOJI_RE.search(text) is not None
        hits = winked
        hits = _played_down(tokens, hits)
        hits = _without_own_part(tokens, hits, language or "")
        if language == "ru" and "леж" in text:
            hits = _lying_is_no_outage(tokens, hits)
        code = _NEIGHBOURS.get(language or "", language or "")
        if code not in _QUESTION_OPENERS and tokens:
            script = script_of(text)
            code = {"cyrillic": "ru", "arabic": "ar"}.get(script, "en")
        clause_of = _clause_numbers(tokens)
        # a clause that judges ("Вы работаете отвратительно") is no question by word order
        judged = {
            clause_of[hit.start] for hit in hits if _polarity(hit) and hit.entry.kind != "pillar"
        }
        asking = _asking_clauses(tokens, code, judged)
        if code == "es" and asking:  # «¡Qué buen servicio!» exclaims, written without «¡»
            asking -= _exclaiming(tokens, hits, clause_of)
        lowered = text.lower()
        rebukes = _rebukes(tokens, code, lowered)
        scolded = {clause_of[i] for i in rebukes}
        asking -= scolded  # "do yourselves a favour and …" opens like a question, asks nothing
        asks = "¿" in text or bool(asking)
        indignant = _indignant(lowered)
        in_question = (
            set() if indignant else _question_clauses(tokens, hits, asking, clause_of) - scolded
        )
        positions: list[int] = []
        _negated_verbs(tokens, hits, code, positions)
        positions += _missing(tokens, hits, code)
        positions += _stated_failures(tokens, hits, code)
        positions += _counted_failures(tokens, hits, code)
        positions += _bare_wait(tokens, hits)
        if code in ("ru", "en", "ar", "es") and figures_disagree(text, code):
            # «на ценнике 89, на кассе пробили 129», «привезли 3 пакета из 4»: figures complain
            digits = [i for i, t in enumerate(tokens) if t.surface[:1].isdigit()]
            positions.append(digits[0] if digits else 0)
        if code in _EXISTENTIAL_BY_LANGUAGE:
            hits, positions = _denied_problems(tokens, hits, positions, code)
        if code in _REMEDY_PRAISE and not _FAVOUR_NEGATIONS.isdisjoint(map(_SURFACE, tokens)):
            favours = _favours(tokens, code)
            if favours:  # not in a wish («biar gak perlu bawa cash», «чтобы не пришлось»)
                wished = _wish_clauses(tokens, hits, code, clause_of)
                favours = [(a, b) for a, b in favours if clause_of[a] not in wished]
            if favours:
                # «не взяли доплату», «ждать не пришлось», "never let me down": a favour
                hits, positions = self._as_favours(tokens, hits, positions, favours, code)
        if code == "ru" and not _RU_ON_THEIR_OWN.isdisjoint(map(_SURFACE, tokens)):
            own = _done_unasked(tokens, hits)
            if own:  # «вернули разницу сами», «сами начислили бонусы»: done before being asked
                hits = hits + self._praise_at(own[0], code, tokens)
        if code in _FAST_WORDS and not _FAST_WORDS[code].isdisjoint(map(_SURFACE, tokens)):
            fast = _done_fast(tokens, code, hits)
            if fast:  # «ответили за 2 минуты», "fixed it in 20 minutes": done fast is praise
                hits = hits + self._praise_at(fast[0], code, tokens)
        if code == "ru" and "лучше" in lowered:
            # «лучше вашей пиццы в городе нет», «ничего лучше не пробовала»: the best, not a lack
            for start, end in _nothing_better(tokens):
                positions = [p for p in positions if not start <= p < end]
                hits += [
                    _Hit(entry, start, end, 1.0, False)
                    for entry in self._indexes["ru"].by_first.get("хороший", ())
                    if len(entry.phrase) == 1 and entry.kind in ("type", "sentiment")
                ]
        if not _HAPPENED.isdisjoint(map(_SURFACE, tokens)):
            # "never happened to me before": how new it is; its «never» is no complaint
            hits = [
                hit
                for hit in hits
                if not (
                    tokens[hit.start].surface in _NEVER
                    and _polarity(hit) < 0
                    and _never_happened_to_me(tokens, hit.start)
                )
            ]
        remedies = (
            _remedies(tokens, code, asking, clause_of)
            # "are you ever going to fix the lift or not": a remedy asked for in indignation
            if tokens and not indignant and _REMEDY_VERBS.search(lowered) is not None
            else []
        )
        if remedies:
            # «вернули деньги за брак за 10 минут»: the fault was put right; the refund it names
            # and the fault are no complaint, and with nothing else wrong the remedy is praise
            fixed = {i for start, end in remedies for i in range(start, end)}
            hits = [
                hit
                for hit in hits
                if not (
                    (hit.start in fixed and (_polarity(hit) < 0 or hit.entry.label == "question"))
                    or (hit.entry.label == "question" and _no_questions(tokens, hit.start))
                )
            ]
            positions = [p for p in positions if p not in fixed]
            if not positions and not any(_polarity(hit) < 0 for hit in hits):
                hits += self._praise_at(remedies[0][0], code, tokens)
        if rebukes:  # «лучше бы …, чем …» neither wishes nor praises: its «лучше», «быстро» …
            hits = [
                hit
                for hit in hits
                if hit.start not in rebukes
                and not (
                    clause_of[hit.start] in scolded
                    and (_polarity(hit) > 0 or hit.entry.label in ("suggestion", "question"))
                )
            ]
            positions += rebukes
        if indignant:  # "are you ever going to fix it or not": what it asks for is not given
            hits = [hit for hit in hits if _polarity(hit) <= 0]
        note = closing_note(lowered)
        if note:  # «заявку можно закрыть», "rated by accident, just ignore": nothing to judge
            hits = [hit for hit in hits if hit.entry.kind not in ("type", "sentiment")]
            positions, asks, indignant = [], False, False
        read_hits = hits
        # «пушка, а не тариф», whose «а не» a model of words reads as a complaint; praise that
        # follows it («Балдёж, а не поезд: чисто, тихо») is more praise, not mockery
        rather = code == "ru" and _praise_rather_than(tokens, hits)
        if not rather:
            hits = _mocking(tokens, hits, positions, _words_before_emoji(text))
        # an indignant question too: a model of words reads its question words, not its tone
        turned = bool(rebukes) or hits is not read_hits or indignant or rather or sarcastic
        sizes = Counter(n for n, token in zip(clause_of, tokens, strict=True) if not token.boundary)
        short = {clause for clause, size in sizes.items() if size <= _SHORT_CLAUSE}
        wishing = (_wish_clauses(tokens, hits, code, clause_of) - in_question) & short
        if rebukes:
            wishing -= {clause_of[i] for i in rebukes}
        weights = [1.0] * len(positions)
        hits, failures = _in_context(
            hits, positions, clause_of, in_question, wishing, weights, short
        )
        emoji = _emoji(text)
        if indignant:  # "Почему я должна ждать 40 минут?!": a complaint, not a question
            failures += 1.0
        polite = (
            frozenset(
                (hit.start, hit.end)
                for hit in hits
                if hit.entry.kind == "sentiment"
                and " ".join(t.surface for t in tokens[hit.start : hit.end]) in _THANKS
            )
            if sum(sizes.values()) <= _SHORT_TEXT
            else frozenset()
        )
        topics, topic_scores = self._topics(hits)
        return _Reading(
            language=language,
            language_confidence=confidence,
            hits=tuple(hits),
            failures=failures,
            emoji=emoji,
            polite=polite,
            question_mark=any(token.question for token in tokens),
            first=next((t.surface for t in tokens if not t.boundary), ""),
            asks=asks and not indignant,
            indignant=indignant,
            wishes=code == "ru"
            and any(clause_of[i] not in scolded for i in _wish_mood(tokens))
            and not asks,
            topics=tuple(topics),
            topic_scores=topic_scores,
            pillars=tuple(sorted({hit.entry.label for hit in hits if hit.entry.kind == "pillar"})),
            churn=tuple(sorted({hit.entry.label for hit in hits if hit.entry.kind == "churn"})),
            turned=turned,
            settled=note,
        )

    def _conclude(self, read: _Reading, from_score: str | None, exit_survey: bool) -> Analysis:
        """The rest of :meth:`analyse`: the score's evidence, then type and sentiment."""
        if read.settled:  # "rated 1 star by mistake": the score says nothing either
            from_score = None
        sentiment = self._sentiment(read.hits, from_score, read.failures, read.emoji, read.polite)
        types = self._types(
            read.hits,
            read.question_mark,
            read.first,
            sentiment,
            read.asks,
            read.indignant,
            read.wishes,
        )
        return Analysis(
            language=read.language,
            language_confidence=read.language_confidence,
            type=max(types, key=types.__getitem__),
            type_scores=types,
            sentiment=max(sentiment, key=sentiment.__getitem__),
            sentiment_scores=sentiment,
            topics=list(read.topics),
            topic_scores=dict(read.topic_scores),
            pillars=list(read.pillars),
            churn_reasons=list(read.churn) if exit_survey else [],
            type_turned=read.turned,
            settled=read.settled,
        )

    def _sentiment(
        self,
        hits: Sequence[_Hit],
        from_score: str | None,
        failures: float = 0,
        emoji: tuple[int, int] = (0, 0),
        polite: frozenset[tuple[int, int]] = frozenset(),
    ) -> dict[str, float]:
        raw = dict(_SENTIMENT_FLOOR)
        raw["negative"] += _NEGATED_VERB_WEIGHT * failures
        raw["positive"] += _EMOJI_WEIGHT * min(emoji[0], _MAX_EMOJI)
        raw["negative"] += _EMOJI_WEIGHT * min(emoji[1], _MAX_EMOJI)
        # Words inside a suggestion's own phrase ("было бы удобно", "would be great") wish,
        # they do not praise.
        wished = [
            (hit.start, hit.end)
            for hit in hits
            if hit.entry.kind == "type" and hit.entry.label == "suggestion" and not hit.negated
        ]
        hits = [
            hit
            for hit in hits
            if hit.entry.kind != "sentiment"
            or not any(s <= hit.start and hit.end <= e for s, e in wished)
        ]
        # One contribution per stretch of text: "спасибо" is praise and positive, counted once.
        spans: dict[tuple[int, int], tuple[int, _Hit]] = {}
        for hit in sorted(hits, key=lambda h: h.entry.kind != "sentiment"):
            polarity = _polarity(hit)
            if polarity and (hit.start, hit.end) not in spans:
                spans[(hit.start, hit.end)] = (polarity, hit)
        # A thank-you beside a problem is politeness ("Спасибо, но деньги так и не вернули").
        troubled = failures > 0 or any(
            polarity < 0 and hit.entry.kind == "sentiment" for polarity, hit in spans.values()
        )
        for polarity, hit in spans.values():
            if polarity > 0:  # a negated negative word ("не плохо") counts half
                weight = hit.weight * (0.5 if hit.negated else 1.0)
                if troubled and any(
                    start < hit.end and hit.start < end for start, end in polite
                ):  # "thank you" (type) over "thank" (sentiment): one thank-you, both polite
                    weight *= _POLITENESS_WEIGHT
                raw["positive"] += weight
            else:
                raw["negative"] += hit.weight
        if from_score is not None:
            raw[from_score] += _SCORE_WEIGHT
        return _normalise(raw)

    def _types(
        self,
        hits: Sequence[_Hit],
        question_mark: bool,
        first: str,
        sentiment: dict[str, float],
        asks: bool = False,
        indignant: bool = False,
        wishes: bool = False,
    ) -> dict[str, float]:
        """Type scores; ``question_mark``: a clause ends in "?"; ``first``: the first word."""
        raw = {name: _TYPE_FLOOR for name in self.type_names}
        if wishes and "suggestion" in raw:  # "Не помешала бы тёмная тема"
            raw["suggestion"] += _WEAK_OPENER_WEIGHT
        raw[FALLBACK_TYPE] = _OTHER_WEIGHT
        for hit in hits:
            if hit.entry.kind != "type" or hit.entry.label not in raw:
                continue
            label = hit.entry.label
            weight = hit.weight
            if hit.negated and label in _POSITIVE_TYPES:
                label = next(iter(_NEGATIVE_TYPES))
            elif hit.negated and label in _NEGATIVE_TYPES | {"question"}:
                continue  # "не жалоба", "no puedo" (cannot, not "can I")
            elif label in _POSITIVE_TYPES and sentiment["negative"] >= sentiment["positive"]:
                # "Спасибо, но деньги так и не вернули", "Супер, опять списали": a thank-you
                # or a praise word in a negative text is politeness or sarcasm
                raw[next(iter(_NEGATIVE_TYPES))] += weight * (1 - _POLITENESS_WEIGHT)
                weight *= _POLITENESS_WEIGHT
            raw[label] += weight
        # a proposal phrased as a question opens the text («Почему бы не сделать…», "How
        # about…", «Qué tal si…», «ليش ما تسوون…», «Gimana kalau…»): a suggestion, however it
        # asks (labelling rule 11)
        proposing = any(
            hit.entry.kind == "type"
            and hit.entry.label == "suggestion"
            and hit.start == 0
            and len(hit.entry.phrase) > 1
            and not hit.negated
            for hit in hits
        )
        if indignant and "complaint" in raw:
            raw["complaint"] += 1.0
        elif proposing:
            pass
        elif question_mark and "question" in raw:
            raw["question"] += 1.0
        elif asks and "question" in raw:
            raw["question"] += (
                _WEAK_OPENER_WEIGHT if first in _WEAK_OPENERS else _QUESTION_OPENER_WEIGHT
            )
        # Sentiment is evidence of type too: a negative comment is most often a complaint.
        lean = sentiment["negative"] - sentiment["positive"]
        if "complaint" in raw and lean > 0.2:
            raw["complaint"] += 2 * lean
        if "praise" in raw and -lean > 0.2:
            raw["praise"] += 2 * -lean
        return _normalise(raw)

    def _topics(self, hits: Sequence[_Hit]) -> tuple[list[str], dict[str, float]]:
        raw: dict[str, float] = {name: 0.0 for name in self.topic_names}
        for hit in hits:
            if hit.entry.kind == "topic":
                raw[hit.entry.label] += hit.weight
        found = {name for name, value in raw.items() if value > 0}
        # A sub-topic implies its parent: report the most specific, credit it with the parent's.
        ancestors = {p for name in found for p in _ancestors(name, self.parents)}
        for name in found:
            raw[name] += sum(raw[p] for p in _ancestors(name, self.parents))
        leaves = sorted(found - ancestors, key=lambda name: (-raw[name], name))
        raw[NO_TOPIC] = _TOPIC_NONE
        return leaves[:_MAX_TOPICS], _normalise(raw)


def _clauses(tokens: list[Token], keep_empty: bool = False) -> list[list[Token]]:
    """The word tokens of each clause (split at . ! ? ; …, not at commas); with
    ``keep_empty``, the i-th list is clause i of :func:`_clause_numbers`."""
    clauses: list[list[Token]] = [[]]
    for token in tokens:
        if token.boundary and token.surface != ",":
            clauses.append([])
        elif not token.boundary:
            clauses[-1].append(token)
    return clauses if keep_empty else [clause for clause in clauses if clause]


def _asking_clauses(tokens: list[Token], language: str, judged: set[int]) -> set[int]:
    """The clauses (numbered as by :func:`_clause_numbers`) that open with a question word (or
    hold «ли»), with no "?" needed; in the ``judged`` clauses (those holding an evaluative
    word) word order alone does not ask. A text asks when one of them does or it holds "¿"."""
    return {
        number
        for number, clause in enumerate(_clauses(tokens, keep_empty=True))
        if clause and _clause_asks(clause, language, number not in judged)
    }


def _clause_asks(clause: list[Token], language: str, by_order: bool = True) -> bool:
    """Whether one clause's words open like a question ("сколько идёт…", "is it…")."""
    openers = _QUESTION_OPENERS.get(language, frozenset())
    words = [t.surface for t in clause]
    if language == "ru" and "ли" in words[1:]:
        return True
    if language == "ru" and len(words) > 1 and words[0] in openers and words[1] in _RU_PARTICLES:
        words = words[2:]  # «почему то не приходит»: «почему-то» written without its hyphen
    if len(words) < 3:  # "как всегда", "what ever": no question
        return False
    if tuple(words[-2:]) in _OR_NOT_TAGS.get(language, ()):
        return True
    if language == "id" and words[0] in _ID_MAY and words[1] in _ID_OR_NOT:
        return True  # «ada gak promo bulan ini», «buka tidak di hari libur»: "…or not?"
    if language == "ru" and _ru_topic_first(words):
        return True
    if by_order and language == "ru" and (_ru_may_do(words) or _ru_how_many_last(words)):
        return True
    if by_order and _asks_by_word_order(words, language):
        return True
    while len(words) > 3 and words[0] in _LEAD_INS:
        words = words[1:]
    first, second = words[0], words[1]
    if language == "ru" and (first, second) == ("как", "бы") and _as_if_filler(words[2]):
        return False  # «как бы я заплатила за подписку…», «как бы не фанат, но…»: a filler
    if language == "ru" and first == "можно" and "ли" not in words and second in _RU_NOT_ASKING_MAY:
        return False  # «можно было предупредить» rebukes, «можно сделать чтобы…» wishes
    if language == "en" and _en_free_relative(words):
        return False  # "what I got was a broken phone", "just what I needed": they state
    if first in openers or (first in _PREPOSITIONS and second in openers):
        return True
    if language == "en" and first in _EN_AUXILIARIES and second in _EN_SUBJECTS:
        return True
    return (
        language == "en"
        and first in _EN_OPEN_AUXILIARIES
        and second not in _EN_NOT_SUBJECTS
        and second not in _FAILURE_NEGATIONS["en"]
    )


# «как бы» then one of these is a filler ("sort of"), not "how would": «как бы я заплатила за
# подписку без рекламы, а…», «как бы не фанат фастфуда, но…» («как бы мне узнать…» asks)
_RU_AS_IF_FILLER = frozenset(["я", "не", "мы", "уже", "все", "всё", "вот", "да", "и", "это"])


def _as_if_filler(word: str) -> bool:
    """Whether «как бы» before ``word`` is a filler: a word of :data:`_RU_AS_IF_FILLER` or a
    noun in the nominative («как бы ветеринар даже не посмотрел кота»)."""
    if word in _RU_AS_IF_FILLER:
        return True
    tags = grammemes(word)
    return "NOUN" in tags and "nomn" in tags


_MOCKING_COUNTS = frozenset(
    ["solo", "sólo", "apenas", "dos", "tres", "cuatro", "cinco", "seis", "siete", "ocho", "nueve",
     "diez", "media", "medio"]
)  # fmt: skip


def _exclaiming(tokens: list[Token], hits: list[_Hit], clause_of: list[int]) -> set[int]:
    """Spanish clauses that open with «qué» and an evaluative word right after it: an
    exclamation, «Qué chimba de servicio», «qué mala atención», not a question («Qué documentos
    necesito», «qué tan rápido llega»)."""
    judging = {hit.start: _polarity(hit) for hit in hits if _polarity(hit)}
    # «qué eficiencia, solo 5 llamadas», «qué rápido contestan, apenas 9 días»: praise that
    # counts what went wrong, or sits beside a complaint, mocks; it stays unread (a question)
    mocking = any(p < 0 for p in judging.values()) or any(
        t.surface.isdecimal() or t.surface in _MOCKING_COUNTS for t in tokens
    )
    found: set[int] = set()
    seen: set[int] = set()
    for i, token in enumerate(tokens):
        clause = clause_of[i]
        if token.boundary or clause in seen:
            continue
        seen.add(clause)
        if token.surface not in ("qué", "que"):
            continue
        # «qué tan rápido llega…» asks how fast: «tan» judges not; «qué máquinas», «qué nota»:
        # a phrase of the taxonomy that opens with «qué»
        said = judging.get(i + 1, 0) or judging.get(i, 0)
        if said < 0 or (said > 0 and not mocking):
            found.add(clause)
    return found


def _en_free_relative(words: list[str]) -> bool:
    """Whether an English clause opens with "what" + a subject + a past-tense verb ("what I
    got was…", "what we were promised", "what I ordered"): a statement, not a question, which
    would put the auxiliary before the subject ("what did I get")."""
    if len(words) < 3 or words[0] != "what" or words[1] not in _EN_FREE_RELATIVE_SUBJECTS:
        return False
    verb = words[2]
    return verb in _EN_IRREGULAR_PAST or (
        verb.endswith("ed") and not verb.endswith("eed") and len(verb) > 3  # not "need"
    )


def _ru_topic_first(words: list[str]) -> bool:
    """Whether a Russian clause asks with its question word at the end, after the topic
    ("промокод из рассылки куда вводить", "справку для вычета где скачать", "наличными можно
    или только картой"): a question word among the last four words followed by an infinitive
    (not after «там», «так», «не знаю»… where it joins a clause: «не знаю, что делать»), a
    closing «как делается» / «что будет», or «можно или»."""
    if tuple(words[-2:]) in _RU_CLOSING_QUESTIONS:
        return True
    if ("можно", "или") in set(pairwise(words)):
        return True
    if "почем" in words or "почём" in words:
        return True
    if "не" not in words and not _RU_OWED.isdisjoint(words):
        return True
    return any(
        words[i] in _RU_TRAILING_QUESTION_WORDS
        and words[i - 1] not in _RU_JOINING_BEFORE
        and "не" not in words[max(0, i - 3) : i]  # «не знал, как оформить», «не объяснили, где»
        and "INFN" in grammemes(words[i + 1])
        for i in range(max(1, len(words) - 4), len(words) - 1)
    )


def _ru_how_many_last(words: list[str]) -> bool:
    """Whether «сколько» among a Russian clause's last three words asks («доставка в Тверь
    сколько дней»), not after a joining word («ждала непонятно сколько») nor in a rebuke
    («сколько можно», «сколько ещё»)."""
    tail = len(words) - 3
    if "сколько" not in words[tail:]:
        return False
    at = words.index("сколько", max(0, tail))
    return (
        at > 0
        and words[at - 1] not in _RU_JOINING_BEFORE
        and _RU_REBUKING_AFTER_HOW_MANY.isdisjoint(words)
    )


def _ru_may_do(words: list[str]) -> bool:
    """Whether a Russian clause asks what may be done with «можно» and an infinitive after it
    («курьеру наличкой можно отдать», «ему уже можно свою карточку оформить»), not a wish
    («можно было бы», «можно сделать / добавить») nor a rebuke («сколько можно», «можно было
    предупредить»)."""
    if "можно" not in words or "бы" in words or "было" in words:
        return False
    at = words.index("можно")
    if at > 0 and words[at - 1] in ("сколько", "нельзя", "как", "не", "что", "чтобы"):
        return False
    return any(
        word not in ("сделать", "добавить", "ввести", "внедрить") and "INFN" in grammemes(word)
        for word in words[at + 1 : at + 5]
    )


def _asks_by_word_order(words: list[str], language: str) -> bool:
    """Whether a clause is a yes/no question told by its word order alone."""
    while len(words) > 3 and words[0] in ("ребята", "привет", "скажите", "hola", "halo", "kak"):
        words = words[1:]
    first, second = words[0], words[1]
    if language == "ru":
        if first == "а" and second == "можно" and words[2] in _RU_NOT_ASKING_MAY:
            return False
        if first == "а" and not _RU_ASKING_AFTER_A.isdisjoint(
            words[1:4] if len(words) > 6 else words[1:]
        ):
            return True
        if first == "а" and len(words) <= 8 and _RU_STATING_AFTER_A.isdisjoint(words):
            return True  # «а товар оригинальный», «а аптека на Садовой работает в выходные»
        if (
            first in _RU_EXISTENCE_OPENERS
            and "есть" in words[2:5]
            and len(words) <= 6
            and _RU_STATING_AFTER_A.isdisjoint(words)
        ):
            return True
        start = 1 if first == "а" else 0
        if words[start] == "вы" and start + 1 < len(words):
            tags = grammemes(words[start + 1])
            return "2per" in tags and ("pres" in tags or "futr" in tags)
        return False
    if language == "es":
        if first in _ES_UNACCENTED_OPENERS:
            return True
        return first in _ES_ASKING_VERBS and second != "que"
    if language == "id":
        if len(first) > 5 and first.endswith("kah") and first != "alangkah":  # adakah, bisakah
            return True
        if first in _ID_PLAIN_ASKING_OPENERS and len(words) <= 12:
            return True
        return first in _ID_ASKING_OPENERS and words[-1] in _ID_ASKING_TAGS
    if language == "ar":
        if first in _AR_MORE_OPENERS or words[-1] in _AR_ASKING_LAST:
            return True
        if first in _AR_ASKING_OPENERS_SHORT and len(words) <= 10:
            return True  # «يقدر ياخذ ٥ اشخاص», «أبغى رابط تحميل الفاتورة», «فيه باقة للمتقاعدين»
        return _ar_either_or(words)
    return False


def _ar_either_or(words: list[str]) -> bool:
    """Whether an Arabic clause offers two choices with «ولا» ("… or …?"): «يتجدد
    تلقائي ولا لازم اجدده», «يستلم كاش ولا لازم بطاقة». Not «ما جا ولا اتصل» (neither … nor:
    a negation before it), nor «ولا مرة», «ولا احد» (not once, nobody)."""
    for k in range(1, len(words) - 1):
        if words[k] != "ولا" or words[k + 1] in _AR_NOT_EVEN:
            continue
        if not words[k + 1].startswith(_AR_CHOICE_STARTS):
            continue  # «ولا وصل»: "and it did not arrive", a past verb denied
        if _AR_NEGATIONS_PLAIN.isdisjoint(words[:k]):
            return True
    return False


def _clause_numbers(tokens: list[Token]) -> list[int]:
    """The clause (counted from 0, split as in :func:`_clauses`) of every token."""
    numbers, current = [], 0
    for token in tokens:
        numbers.append(current)
        if token.boundary and token.surface != ",":
            current += 1
    return numbers


def _question_clauses(
    tokens: list[Token], hits: list[_Hit], asking: set[int], numbers: list[int]
) -> set[int]:
    """The clauses that ask: end in "?", open like a question (``asking``, from
    :func:`_asking_clauses`), or hold a question keyword; ``numbers``: each token's clause
    (:func:`_clause_numbers`)."""
    found = {numbers[i] for i, token in enumerate(tokens) if token.question}
    found |= {
        numbers[hit.start]
        for hit in hits
        if hit.entry.kind == "type" and hit.entry.label == "question" and not hit.negated
    }
    return found | asking


def _in_context(
    hits: list[_Hit],
    positions: list[int],
    clause_of: list[int],
    in_question: set[int],
    wishing: set[int] = frozenset(),  # type: ignore[assignment]
    weights: list[float] | None = None,
    pooled: set[int] | None = None,
) -> tuple[list[_Hit], float]:
    """Hits with evaluative weight lowered where they ask or wish, and the failures' weight.

    Inside a question (they ask, they do not judge: "Как долго ждать курьера") or a suggestion
    ("Верните старый дизайн, он был удобнее"), a clause's evaluative words and stated failures
    together weigh :data:`_IN_QUESTION_WEIGHT`, however many there are, when the clause is one
    of the short ``pooled`` ones (else each weighs that much: a long review's sentence holds
    more than one thought). In a question, the praise and complaint keywords are lowered too;
    in a suggestion only sentiment words are.
    """
    muted = in_question | wishing
    if weights is None:
        weights = [1.0] * len(positions)
    if not muted:
        return hits, float(sum(weights))

    def lowered(hit: _Hit) -> bool:
        if clause_of[hit.start] not in muted:
            return False
        if hit.entry.kind == "sentiment":
            return True
        return (
            clause_of[hit.start] in in_question
            and hit.entry.kind == "type"
            and hit.entry.label in _POSITIVE_TYPES | _NEGATIVE_TYPES
        )

    # how many evaluative stretches each muted clause holds, failures included
    spans: dict[int, set[tuple[int, int]]] = defaultdict(set)
    for hit in hits:
        if lowered(hit):
            spans[clause_of[hit.start]].add((hit.start, hit.end))
    for i in positions:
        if clause_of[i] in muted:
            spans[clause_of[i]].add((i, -1))
    pooled = muted if pooled is None else pooled

    def share(clause: int) -> float:
        return _IN_QUESTION_WEIGHT / (len(spans[clause]) if clause in pooled else 1)

    weighed = []
    for hit in hits:
        if lowered(hit):
            hit = _Hit(
                hit.entry, hit.start, hit.end, hit.weight * share(clause_of[hit.start]), hit.negated
            )
        weighed.append(hit)
    failures = sum(
        share(clause_of[i]) if clause_of[i] in muted else weight
        for i, weight in zip(positions, weights, strict=True)
    )
    return weighed, failures


def _wish_clauses(
    tokens: list[Token], hits: list[_Hit], language: str, clause_of: list[int]
) -> set[int]:
    """The clauses that wish: hold a suggestion keyword, or (Russian) the conditional «бы»
    outside "если бы", "как бы" ("Не помешала бы тёмная тема")."""
    found = {
        clause_of[hit.start]
        for hit in hits
        if hit.entry.kind == "type"
        and hit.entry.label == "suggestion"
        and not hit.negated
        and tokens[hit.start].surface not in _GOODWILL
    }
    if language == "ru":
        found |= {clause_of[i] for i in _wish_mood(tokens)}
    return found


def _wish_mood(tokens: list[Token]) -> list[int]:
    """Positions of Russian «бы» that wish ("не помешала бы", "хорошо бы"), not those of
    "если бы", "как бы", "хотел бы узнать" or a rebuke «лучше бы …, чем …» (:func:`_rebukes`)."""
    found: list[int] = []
    if "бы" not in map(_SURFACE, tokens):
        return found
    clause_of = _clause_numbers(tokens)
    supposing = {clause_of[i] for i, t in enumerate(tokens) if t.surface == "если"}
    rebuking = {i + 1 for i in _rebukes(tokens, "ru")}
    for i, token in enumerate(tokens):
        if token.surface != "бы" or i == 0 or tokens[i - 1].boundary or i in rebuking:
            continue
        if clause_of[i] in supposing:  # "Если бы не оператор, я бы не разобрался"
            continue
        before = {t.surface for t in tokens[max(0, i - 3) : i]}
        if before & {"если", "как", "что", "кто", "где"}:
            continue
        after = [t.norm for t in tokens[i + 1 : i + 3]]
        if "узнать" in after or "уточнить" in after:
            continue
        found.append(i)
    return found


def _stated_failures(tokens: list[Token], hits: list[_Hit], language: str) -> list[int]:
    """Positions of facts that state a failure with no evaluative word: a thing that came
    without something ("Мастер пришёл без инструмента", "arrived without the charger"), and a
    wait counted out ("играет музыка по 20 минут", "on hold for 40 minutes")."""
    if _STATED_FAILURE_WORDS.isdisjoint(token.surface for token in tokens):
        return []
    covered = {
        i
        for hit in hits
        if hit.entry.kind in ("sentiment", "type")
        for i in range(hit.start, hit.end)
    }
    arrivals = _ARRIVALS.get(language, frozenset())
    found = []
    for i, token in enumerate(tokens):
        if token.boundary or i in covered:
            continue
        if (
            token.surface in _WITHOUT
            and i + 1 < len(tokens)
            and not tokens[i + 1].boundary
            and not {i + 1, i + 2} & covered  # "arrived without any problems"
        ):
            for j in range(i - 1, max(i - 4, -1), -1):
                if tokens[j].boundary:
                    break
                if tokens[j].surface in arrivals or tokens[j].norm in arrivals:
                    found.append(i)
                    break
        elif (
            token.surface in _DURATION_PREPOSITIONS
            and (token.surface == "по" or _waiting(tokens, i))
            and i + 2 < len(tokens)
            and tokens[i + 1].surface.isdecimal()
            and (tokens[i + 2].norm in _DURATION_UNITS or tokens[i + 2].surface in _DURATION_UNITS)
        ):
            found.append(i)
    return found


def _without_acknowledgement(tokens: list[Token]) -> list[Token]:
    """``tokens`` with an opening word of acknowledgement set off by a comma read as a comma
    («Хорошо, а когда вернут деньги», «Ладно, подожду ещё неделю», "Fine, I'll wait", «Oke deh,
    nunggu lagi», «تمام، يعني أنتظر»): it answers the last message; it neither praises nor
    hides the question that follows. Clauses stay as they were (a comma splits none)."""
    if len(tokens) < 4 or tokens[0].surface not in _ACKNOWLEDGING:
        return tokens
    at = 2 if tokens[1].surface in _ACKNOWLEDGING_TAILS else 1
    if at + 2 >= len(tokens) or not tokens[at].boundary or tokens[at].surface not in _COMMAS:
        return tokens
    comma = tokens[at]
    return [Token(comma.surface, comma.norm, boundary=True)] * at + tokens[at:]


def _wait_goes_on(words: list[str], at: int) -> bool:
    """Whether ``words[at:]`` count a wait after «уже» / "already" / «ya» / «sudah»: a unit
    («час»), a number and a unit ("2 hours"), either after a verb of time passing («ya van 3
    días», «уже прошло 3 дня», "already been 2 weeks", «sudah lewat 3 hari»)."""
    if at < len(words) and words[at] in _TIME_PASSING:
        at += 1
    after = words[at] if at < len(words) else ""
    further = words[at + 1] if at + 1 < len(words) else ""
    return after in _WAIT_UNITS or (after.isdecimal() and further in _WAIT_UNITS)


def _ar_wait_goes_on(words: list[str], i: int) -> bool:
    """Whether ``words[i]`` opens an Arabic "it has been (a week) for me": «صار لي» / «صارلي» /
    «صار لنا», or «لي» opening the text, then a unit, a dual unit or a number (in digits or
    words) and a unit."""
    if words[i] in ("صارلي", "صارلنا", "صارله") or (i == 0 and words[i] in ("لي", "لنا")):
        at = i + 1  # «لي ثلاث أيام أتصل»: "three days I have been calling", at the start only
    elif words[i] == "صار" and i + 1 < len(words) and words[i + 1] in ("لي", "لنا", "له"):
        at = i + 2
    else:
        return False
    after = words[at] if at < len(words) else ""
    further = words[at + 1] if at + 1 < len(words) else ""
    counted = after.isdecimal() or after in _NUMBER_WORDS["ar"]
    return after in _BARE_WAIT_UNITS or (counted and further in _BARE_WAIT_UNITS)


def _rebukes(tokens: list[Token], language: str, lowered: str = "") -> list[int]:
    """Positions of advice or a demand to the company that rebukes it, where the words would
    otherwise read as a wish or as praise ("better", «советую», "sort", "fix"):

    * «лучше бы …, чем …» («Лучше бы починили приложение, чем рекламу крутить», «лучше бы вы
      так быстро отвечали, как списываете деньги»);
    * «лучше» beside a verb said to "вы" that scolds («Лучше наймите ещё кассира», «Займитесь
      лучше своими пвз», «лучше вообще не обещайте…»; not «берите лучше годовой абонемент»,
      advice to other customers, nor «лучше сделайте тёмную тему», a wish);
    * «советую» to someone of the company («Медсестре советую потренироваться…», «Советую
      руководству хоть раз позвонить…»; not «советую всем», «советую друзьям»), and «бы» that
      sends them to learn («вам бы поучиться у конкурентов», «не мешало бы вашему юристу
      почитать закон»);
    * a demand to repair that opens a clause («Почините уже приложение»; "fix your app
      already", "please fix the wifi", "sort out the billing team"), and "you'd better …",
      "do yourselves a favour";
    * «Mejor capaciten a sus cajeros»; «lebih baik … daripada …»; «أحسن لكم … بدل …».

    ``lowered``: the text in lower case, when the caller has it (a Russian text with none of
    the words these checks start from is passed over in one search).
    """
    found = scolding_advice(tokens, language)
    if language == "ru":
        if lowered and not (
            any(stem in lowered for stem in _RU_REBUKE_STEMS)
            or ("б" in lowered and _BY.search(lowered) is not None)
        ):
            return found
        return sorted(set(found + _ru_rebukes(tokens)))
    if language == "en":
        return sorted(set(found + _en_demands(tokens)))
    if language == "es":
        return sorted(
            set(found)
            | {
                i
                for i in range(len(tokens) - 1)
                if tokens[i].surface == "mejor"
                and opens_clause(tokens, i, ())
                and _es_plural_command(tokens[i + 1].surface)
            }
        )
    if language in _RATHER_CLAUSES:
        better, rather = _RATHER_CLAUSES[language]
        return sorted(set(found + _better_rather(tokens, better, rather)))
    return found


def _ru_rebukes(tokens: list[Token]) -> list[int]:
    from otklik.classify.text import addressed_verb

    found: list[int] = []
    for i, token in enumerate(tokens):
        word = token.surface
        if word not in _RU_REBUKE_WORDS and token.norm not in _REPAIRS:
            continue  # most words: one look-up each
        if word == "лучше":
            after_by = i + 1 < len(tokens) and tokens[i + 1].surface in ("бы", "б")
            if after_by or (i and tokens[i - 1].surface in ("бы", "б")):
                # «лучше бы …, чем …», «вы бы лучше за чистотой следили, чем…»
                start = i + 1 + after_by
                window = _clause_words(tokens, i, start, start + 2 * _SHORT_WINDOW)
                if _rather_than({w for _, w in window}):
                    found.append(i)
                continue
            near = _clause_words(tokens, i, i - _ADVICE_WINDOW, i + _ADVICE_WINDOW + 1)
            if any(j != i and addressed_verb(w) in _SCOLDING_VERBS for j, w in near):
                found.append(i)
        elif (
            (word in _ADVISING and _to_staff(tokens, i))
            or (word in ("бы", "б") and _sent_to_learn(tokens, i))
            or (addressed_verb(word) in _REPAIRS and opens_clause(tokens, i, _RU_DEMAND_LEAD))
        ):
            found.append(i)
    return found


def _to_staff(tokens: list[Token], i: int) -> bool:
    """Whether «советую» at ``i`` advises someone of the company: a noun that may be in the
    dative, not a friend or the public, before it in its clause («Медсестре советую…», «охране
    в ТЦ советую…») or right after it, or after «вашему» («Советую руководству…», «советую
    вашему юристу…»). Further on, a dative reading is too often a rare one («советую брать в
    этом магазине технику»: «технику» as the dative of «техник»)."""
    from otklik.classify.text import may_be_dative_noun

    after = i + 1 + (i + 1 < len(tokens) and tokens[i + 1].surface in _POSSESSIVE)
    return any(
        j != i and (j < i or j == after) and may_be_dative_noun(w) and tokens[j].norm not in _PUBLIC
        for j, w in _clause_words(tokens, i, i - _ADVICE_WINDOW, after + 1)
    )


def _sent_to_learn(tokens: list[Token], i: int) -> bool:
    """Whether «бы» at ``i`` wishes that someone of the company learn («вам бы поучиться», «не
    мешало бы вашему юристу почитать закон»): a verb of learning and a dative that is not
    «мне» or «нам» in its clause."""
    from otklik.classify.text import grammemes

    near = _clause_words(tokens, i, i - _ADVICE_WINDOW, i + _ADVICE_WINDOW + 1)
    return any(tokens[j].norm in _LEARNING for j, _w in near) and any(
        "datv" in grammemes(w) and w not in ("мне", "нам") and tokens[j].norm != "весь"
        for j, w in near
    )


def _en_demands(tokens: list[Token]) -> list[int]:
    found = []
    for i, token in enumerate(tokens):
        word = token.surface
        after = tokens[i + 1].surface if i + 1 < len(tokens) else ""
        if word == "better" and i and tokens[i - 1].surface in _YOU_HAD:
            found.append(i)  # "you'd better sort out your staff"
        elif (
            word in _EN_DEMANDS
            and after not in _EN_NOT_DEMANDED
            and opens_clause(tokens, i, _EN_DEMAND_LEAD)
        ):
            if not any(t.question for t in tokens[i:] if t.boundary):  # "fix it?" asks
                found.append(i)
        elif (word, after) in _FAVOUR and i + 2 < len(tokens) and tokens[i + 2].surface == "a":
            found.append(i)  # "do yourselves a favour and fire whoever designed this"
    return found


def _es_plural_command(word: str) -> bool:
    """Whether a Spanish word after «mejor» reads as a command to "ustedes" (the subjunctive
    plural: «capaciten», «contraten», «pongan»)."""
    return len(word) >= 5 and word.endswith(("en", "an")) and word not in _ES_NOT_COMMANDS


def _better_rather(
    tokens: list[Token], better: frozenset[str], rather: frozenset[str]
) -> list[int]:
    """Positions of a "better" word in a clause that also compares with "rather than" (the
    Indonesian «lebih baik … daripada …», the Arabic «أحسن لكم … بدل …»)."""
    found = []
    for i, token in enumerate(tokens):
        pair = (token.surface, tokens[i + 1].surface if i + 1 < len(tokens) else "")
        if token.surface in better or " ".join(pair) in better:
            near = _clause_words(tokens, i, i + 1, i + 2 * _SHORT_WINDOW)
            words = [w for _, w in near]
            pairs = {" ".join(p) for p in pairwise(words)}
            if rather & (set(words) | pairs):
                found.append(i)
    return found


# Rebukes (see _rebukes): words either side of «лучше» / «советую» that may hold the verb
_ADVICE_WINDOW = 4
# Verbs said to "вы" beside «лучше» that scold the company: learn, hire, check, sort out, stop
_SCOLDING_VERBS = frozenset(
    [
        "заняться", "подумать", "научить", "научиться", "обучить", "разобраться", "проверить",
        "наладить", "навести", "нанять", "уволить", "следить", "последить", "сходить",
        "поучиться", "потренироваться", "обещать", "пообещать", "перестать", "прекратить",
        "почитать", "объяснить", "уважать", "прислушаться", "заменить", "поменять", "починить",
        "исправить", "вложить", "потратить", "тратить", "взяться", "позаботиться", "набрать",
        "проверять", "отправлять", "контролировать", "смотреть", "учить", "обучать", "нанимать",
        "отвечать", "работать", "думать", "мыть", "убирать", "следить",
    ]
)  # fmt: skip
# Verbs said to "вы" that demand a repair when they open a clause («Почините уже приложение»)
_REPAIRS = frozenset(["починить", "исправить", "наладить", "устранить", "отремонтировать"])
_RU_DEMAND_LEAD = frozenset(["пожалуйста", "уже", "срочно", "наконец", "ну", "блин", "вы", "так"])
# «советую» said by the customer (not «посоветовала»: what a nurse advised them)
_ADVISING = frozenset(["советую", "советуем", "посоветую", "посоветуем"])
_POSSESSIVE = frozenset(["вашему", "вашим", "вашей", "своему", "своим", "своей"])
_RU_REBUKE_WORDS = frozenset(["лучше", "бы", "б", *_ADVISING])  # where _ru_rebukes looks further
# A text without any of these holds no Russian rebuke: «лучше», «советую», the stems of the
# verbs of _REPAIRS as written to "вы" («почините», «исправьте», «наладьте»…), and «бы»
_RU_REBUKE_STEMS = ("лучше", "совету", "почин", "исправ", "налад", "устран", "отремонт")
_BY = re.compile(r"\bбы?\b")
# Whom «советую» recommends to, not scolds: friends, the public
_PUBLIC = frozenset(
    [
        "друг", "подруга", "знакомый", "человек", "люди", "коллега", "родитель", "родственник",
        "мама", "папа", "сосед", "каждый", "клиент", "покупатель", "читатель", "никто",
    ]
)  # fmt: skip
_LEARNING = frozenset(
    ["поучиться", "научиться", "подучиться", "почитать", "потренироваться", "выучить", "изучить"]
)
# ("refund" is left out: mostly the noun, "refund takes how long")
_EN_DEMANDS = frozenset(["fix", "sort", "resolve", "solve", "repair"])
_EN_DEMAND_LEAD = frozenset(
    ["please", "pls", "plz", "just", "now", "so", "guys", "then", "and", "kindly", "seriously"]
)
# Words after "fix" / "sort" that make it a noun or another phrase ("fix was quick", "sort of")
_EN_NOT_DEMANDED = frozenset(
    ["was", "is", "took", "worked", "came", "of", "for", "went", "itself", "needed", "done"]
)
_YOU_HAD = frozenset(["you'd", "you’d", "you", "ya", "u", "youd"])
_FAVOUR = frozenset([("do", "yourselves"), ("do", "yourself")])
# Spanish words after «mejor» that end like a plural command but are none («mejor también…»)
_ES_NOT_COMMANDS = frozenset(["también", "tambien", "quien", "quienes", "siempre", "atienden"])
# Indonesian and Arabic "better … rather than …": the "better" words, the "rather than" words
_RATHER_CLAUSES: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "id": (
        frozenset(["mending", "mendingan", "lebih baik", "lebih bagus"]),
        frozenset(["daripada", "drpd", "dripada"]),
    ),
    "ar": (
        # not «ياريت … بدل …», a wish for something new («ياريت … أكياس ورقية بدل البلاستيك»)
        frozenset(["أحسن لكم", "احسن لكم", "الأفضل", "الافضل"]),
        frozenset(["بدل", "بدال", "بدلا", "بدلاً", "أكثر من", "اكثر من"]),
    ),
}


def _nothing_better(tokens: list[Token]) -> list[tuple[int, int]]:
    """Spans of Russian praise said as "nothing is better": «лучше» and a negation in its
    clause, with what is compared in the genitive right after it or «ничего» before it
    («лучше вашей пиццы в городе нет», «лучше сервиса не найти», «лучше доставки я не
    встречал», «нет ничего лучше вашей пиццы», «ничего лучше не пробовала»). Not «лучше не
    заказывайте» (advice against), «лучше не стало», «не лучше, чем у конкурентов»."""
    from otklik.classify.text import grammemes

    found = []
    for i, token in enumerate(tokens):
        if token.surface != "лучше" or i + 1 >= len(tokens):
            continue
        before = {w for _, w in _clause_words(tokens, i, i - 3, i)}
        nothing = "ничего" in before
        compared = "gent" in grammemes(tokens[i + 1].surface)
        if (not nothing and not compared) or "не" in before:
            continue
        after = _clause_words(tokens, i, i + 1, i + 1 + _ADVICE_WINDOW + 2)
        for j, word in after:
            if word == "нет" or (
                word == "не" and j + 1 < len(tokens) and tokens[j + 1].norm in _NEVER_BETTER
            ):
                found.append((i, j + 1 + (word == "не")))
                break
        else:
            if nothing and "нет" in before:  # «нет ничего лучше …»
                found.append((i, i + 1))
    return found


# A fault put right: the verb of giving back or replacing, said as done, and what it answers
# («вернули деньги», "refunded", «devolvieron el dinero», «dikembalikan»). The praise word whose
# entries a remedy adds, per language.
_REMEDY_PRAISE = {"ru": "хороший", "en": "great", "es": "genial", "id": "bagus", "ar": "ممتاز"}
# the stems of every remedy verb below: a text without one is not looked at
_REMEDY_VERBS = any_of(
    [
        "верн", "возмест", "компенс", "помен", "замен", "обмен", "почин", "исправ", "отремонт",
        "устран", "refund", "reimburs", "compensat", "gave", "returned", "replac", "exchang",
        "swap", "fixed", "repaired", "resolved", "solved", "devolv", "reembols", "cambi",
        "reemplaz", "sustitu", "arregl", "repar", "soluciona", "kembali", "ganti", "tukar",
        "perbaik", "betul", "benerin", "benahi", "عاد", "استرداد", "إرجاع", "ارجاع", "تعويض",
        "استبدال", "إصلاح", "اصلاح", "تصليح",
    ]
)  # fmt: skip
_RU_REFUND = frozenset(["вернуть", "возместить", "компенсировать"])
_RU_REPLACE = frozenset(["поменять", "заменить", "обменять"])
_RU_MONEY = frozenset(
    [
        "деньга", "деньги", "средство", "стоимость", "сумма", "комиссия", "оплата", "переплата",
        "кэшбэк", "кешбэк", "балл", "депозит", "плата", "предоплата", "платёж", "платеж",
        "взнос", "разница",
    ]
)  # fmt: skip
_DEFECT_STEMS = (
    "брак", "слома", "неисправ", "испорч", "дефект", "поврежд", "битый", "разбит",
    "broken", "defect", "faulty", "damaged", "cracked",
    "defectu", "roto", "rota", "dañad", "averiad",
    "rusak", "cacat", "pecah",
)  # fmt: skip
# Faults that a repair answers, beside the defects a replacement answers
_FAULT_STEMS = (
    "ошибк", "вылет", "поломк", "сбой", "глюк", "баг", "течь", "протечк", "утечк",
    "crash", "bug", "leak", "error", "glitch", "issue", "problem", "lag",
    "falla", "error", "problema", "fuga", "avería",
    "bocor", "masalah", "gangguan",
)  # fmt: skip
# Arabic: "it was done" (تم) with a remedy's verbal noun, or «أعادوا» (they gave back; the
# plural imperative is «أعيدوا»): not the dialects' «رجعوا»/«صلحوا», which also demand
_AR_REMEDY_NOUNS = frozenset(["استرداد", "ارجاع", "تعويض", "استبدال", "اصلاح", "تصليح"])
_AR_MONEY = frozenset(["مبلغ", "فلوس", "مال", "رسوم", "قيم", "نقود", "استرداد", "تعويض"])
_AR_FAULTS = ("معطل", "عطل", "تالف", "خراب", "مكسور", "خلل", "مشكل")
_RU_MEND = frozenset(["починить", "исправить", "отремонтировать", "устранить"])
_EN_MENDED = frozenset(["fixed", "repaired", "resolved", "solved"])
_EN_REFUNDED = frozenset(["refunded", "reimbursed", "compensated"])
_EN_REPLACED = frozenset(["replaced", "exchanged", "swapped"])
_EN_MONEY = frozenset(["money", "refund", "cash", "deposit", "fee", "charge", "payment"])
_ES_MONEY = ("diner", "import", "reembols", "pag", "cobr", "cuot", "plata", "depósit", "deposit")
_ID_MONEY = frozenset(["uang", "dana", "saldo", "duit", "refund", "ongkir", "biaya"])
# words that make the remedy not done, or done in part or late: negation, a wish, a promise,
# a request, the future, "only", "half"
_UNDONE = frozenset(
    [
        "только", "лишь", "спустя", "наконец", "половина", "часть", "частично", "неполный",
        "only", "just", "finally", "half", "part", "partial", "partially", "after",
        "sólo", "solo", "mitad", "parte", "parcial", "finalmente", "después",
        "hanya", "cuma", "sebagian", "setengah", "akhirnya", "setelah",
        "не", "ни", "нет", "бы", "обещать", "должный", "надо", "нужно", "когда", "если",
        "not", "never", "no", "nobody", "yet", "still", "will", "would", "should", "if",
        "when", "please", "promised", "supposed",
        "nunca", "jamás", "jamas", "nadie", "ningún", "ninguna", "tampoco", "todavía", "aún",
        "si", "cuando", "prometieron",
        "tidak", "belum", "gak", "nggak", "ngga", "ga", "tak", "blm", "akan", "mohon",
        "tolong", "harap", "minta", "kapan", "kalau", "jika", "janji", "dijanjikan",
        "لم", "لن", "لا", "ما", "مش", "مو", "ليس", "بعد", "لسه", "لسا", "سوف", "وعدوا", "متى",
        "إذا", "اذا", "لو", "فقط", "بس", "نص", "نصف", "جزء",
    ]
)  # fmt: skip
_OWN = frozenset(["я", "i", "yo", "aku", "saya", "gue", "gw"])


def _remedies(
    tokens: list[Token], code: str, asking: set[int], clause_of: list[int]
) -> list[tuple[int, int]]:
    """Spans (between punctuation) that say a fault was put right, as done: money given back
    («вернули деньги», "refunded my money", «me devolvieron el dinero», «uang dikembalikan»)
    or a faulty thing replaced («поменяли брак», "replaced the broken kettle", «cambiaron el
    producto defectuoso», «barang rusak diganti»). Not negated, wished, promised, asked for or
    to come («так и не вернули», "never refunded", «обещали вернуть», «akan dikembalikan»), not
    in a question, and not the customer's own doing («я вернул товар»)."""
    if code not in _REMEDY_PRAISE:
        return []
    found: list[tuple[int, int]] = []
    start = 0
    for end in [*(i for i, t in enumerate(tokens) if t.boundary), len(tokens)]:
        span = range(start, end)
        start = end + 1
        if not span or clause_of[span.start] in asking:
            continue
        words = [tokens[i] for i in span]
        surfaces = {t.surface for t in words}
        norms = {t.norm for t in words}
        if surfaces & _UNDONE or norms & _UNDONE or any("n't" in w for w in surfaces):
            continue
        defect = any(t.surface.startswith(_DEFECT_STEMS) for t in words)
        fault = defect or any(t.surface.startswith(_FAULT_STEMS) for t in words)
        for k, token in enumerate(words):
            if _is_remedy(token, code, norms, surfaces, defect, fault) and not (
                {t.surface for t in words[:k]} & _OWN
            ):
                found.append((span.start, span.stop))
                break
    return found


def _is_remedy(
    token: Token, code: str, norms: set[str], surfaces: set[str], defect: bool, fault: bool
) -> bool:
    """Whether ``token`` gives money back, replaces a faulty thing (``defect``: the span names
    one) or mends a fault (``fault``: a defect, an error, a crash, a leak) in ``code``."""
    word = token.surface
    if code == "ru":
        return (
            (token.norm in _RU_REFUND and bool(norms & _RU_MONEY))
            or (token.norm in _RU_REPLACE and defect)
            or (token.norm in _RU_MEND and fault)
        ) and "past" in grammemes(word)  # «вернули», not «верните» nor «вернуть»
    if code == "en":
        return (
            (word in _EN_MENDED and fault)
            or word in _EN_REFUNDED
            or (word == "gave" and bool(surfaces & _EN_MONEY) and "back" in surfaces)
            or (word == "returned" and bool(surfaces & _EN_MONEY))
            or (word in _EN_REPLACED and defect)
        )
    if code == "es":
        return (
            (
                (word.startswith("devolv") or word.startswith("reembols"))
                and word.endswith(("ieron", "ió", "aron", "ó"))
                and any(w.startswith(_ES_MONEY) for w in surfaces)
            )
            or (
                word.startswith(("cambi", "reemplaz", "sustitu"))
                and word.endswith(("aron", "ó", "yeron", "yó"))
                and defect
            )
            or (
                word.startswith(("arregl", "repar", "soluciona"))
                and word.endswith(("aron", "ó"))
                and fault
            )
        )
    if code == "ar":
        money = bool(norms & _AR_MONEY)
        return (
            "تم" in surfaces
            and token.norm in _AR_REMEDY_NOUNS
            and (money or any(w.startswith(_AR_FAULTS) for w in norms))
        ) or (word in ("أعادوا", "اعادوا") and money)
    if code == "id":
        return (
            (word.startswith(("dikembali", "direfund")) and bool(norms & _ID_MONEY))
            or (word.startswith(("diganti", "ditukar")) and defect)
            or (word.startswith(("diperbaiki", "dibetulkan", "dibenerin", "dibenahi")) and fault)
        )
    return False


def _no_questions(tokens: list[Token], i: int) -> bool:
    """Whether the question word at ``tokens[i]`` says "no questions asked" («без (лишних)
    вопросов», "no questions asked", «sin preguntas», «tanpa banyak tanya»)."""
    before = {tokens[j].surface for j in range(max(0, i - 2), i)}
    return bool(before & {"без", "no", "sin", "tanpa"})


# Words of time before «нет»: they say how long something lacks, they are not what lacks
_HOW_LONG = frozenset(["пора", "неделя", "день", "месяц", "час", "минута", "год", "сутки"])
# Verbs of meeting and finding that, negated after «лучше», say "the best there is"
_NEVER_BETTER = frozenset(
    [
        "найти", "встречать", "встретить", "видеть", "увидеть", "пробовать", "попробовать",
        "бывать", "знать", "есть", "быть", "найтись", "сыскать",
    ]
)  # fmt: skip


def _played_down(tokens: list[Token], hits: list[_Hit]) -> list[_Hit]:
    """``hits`` with each negative word that a diminisher plays down (the word right before it,
    or one of the two after it) weighed ``_MINOR_WEIGHT``: a minor reservation («только коробка
    чуть помятая», "tiny dent on the box", «cuma boxnya agak penyok dikit», «solo que a veces
    tarda un poco»), which leaves praise beside it praise (labelling rule 4). Not a diminisher
    further off («tiap hujan dikit IndiHome mati»: a little rain, and the line dies)."""
    if not any(t.surface in _DIMINISHERS for t in tokens):
        return hits
    found = []
    for hit in hits:
        if _polarity(hit) < 0 and hit.entry.kind == "sentiment":
            near = [
                tokens[j] for j in (hit.start - 1, hit.end, hit.end + 1) if 0 <= j < len(tokens)
            ]
            if any(t.surface in _DIMINISHERS for t in near):
                hit = _Hit(hit.entry, hit.start, hit.end, hit.weight * _MINOR_WEIGHT, hit.negated)
        found.append(hit)
    return found


# Words that play a fault down to a minor one, and how much the fault then weighs
_DIMINISHERS = frozenset(
    [
        "чуть", "чуть-чуть", "слегка", "немного", "немножко", "капельку", "tiny", "slightly",
        "little", "bit", "minor", "poco", "poquito", "ligeramente", "dikit", "sedikit", "agak",
        "بسيط", "شوي", "شوية",
    ]
)  # fmt: skip
_MINOR_WEIGHT = 0.3
_PLAYED_DOWN = _MINOR_WEIGHT * _CONTRAST_WEIGHT  # the most a played-down fault can weigh


def _rather_than(words: set[str]) -> bool:
    """«…, чем …», «вместо …», «так …, как …» or «столько …, сколько …» after «лучше бы»: a
    comparison with what they do now."""
    return (
        "чем" in words
        or "вместо" in words
        or {"так", "как"} <= words
        or {"столько", "сколько"} <= words
    )


def _counted_failures(tokens: list[Token], hits: list[_Hit], language: str) -> list[int]:
    """Positions of facts that count a failure out, in a text with no praise or positive word:
    repeats («сдвигали 4 раза», "the 3rd time", "5 times"), an ordinal day or time («четвёртый
    день», "third day"), a wait going on «уже» / "already" («стою уже час», "already 2 hours"),
    the customer's own part done «хотя я …» / "even though I …" / «aunque ya…» / «padahal
    sudah…» («штраф за просрочку, хотя я платил вовремя»), and what was paid for followed by
    what came instead («плачу за 500 мегабит, спидтест показывает 60», "paid for priority
    boarding and boarded last")."""
    if any(_polarity(hit) > 0 for hit in hits):
        return []
    words = [t.surface for t in tokens]
    found = []
    for i, word in enumerate(words):
        after = words[i + 1] if i + 1 < len(words) else ""
        further = words[i + 2] if i + 2 < len(words) else ""
        if after in _REPEAT_UNITS and (_counts_more_than_one(word, language)):
            found.append(i)  # "4 раза", "5 times", "3 veces"
        elif (
            language == "ru"
            and after in _RU_ORDINAL_UNITS
            and not word.startswith(("перв", "втор"))  # «второй раз заказываю»: a regular
            and "Anum" in grammemes(word)
        ):
            found.append(i)  # «четвёртый день», «пятый раз»
        elif language == "en" and (
            (after in _EN_ORDINAL_UNITS and _EN_ORDINAL.fullmatch(word))
            or (word.isdecimal() and after in _EN_SUFFIXES and further in _EN_ORDINAL_UNITS)
        ):
            found.append(i)  # "the 3rd time" (tokens 3, rd, time), "third day"
        elif language == "ar" and _ar_wait_goes_on(words, i):
            found.append(i)  # «صار لي أسبوع بدون انترنت», «صارلي شهر أنتظر»
        elif word in _ALREADY and _wait_goes_on(words, i + 1):
            found.append(i)  # «уже час», "already 2 hours", «ya van 3 días», «уже прошло 3 дня»
        elif (word, after) in _PAID_FOR and _then_otherwise(tokens, i + 2):
            found.append(i)  # «плачу за 500 мегабит, спидтест показывает 60», "paid for …, got …"
        elif word in _THOUGH.get(language, ()) and (
            after in _THOUGH_SUBJECTS or (language == "ru" and "past" in grammemes(after))
        ):
            found.append(i)  # «хотя я платил вовремя», "even though I paid", «хотя категория…»
        elif _short_of(words, i):
            found.append(i)  # "received only 3 of the 5 items", «llegaron 2 de 3 productos»
        elif (word in _ORDERED or word in _INSTEAD_FIRST) and _came_short(tokens, i, language):
            found.append(i)  # "ordered two, got one", «вместо двух положили одну»
        elif word in _ORDERED and _came_other(tokens, i, language):
            found.append(i)  # «заказывал размер L, пришёл S», "ordered black, got white"
        elif word in _SETTING and _later_than_set(tokens, i, language):
            found.append(i)  # «записали на 10, приняли в 12», "promised in an hour, 2 days on"
    return found


def _count(tokens: list[Token], j: int, language: str) -> int | None:
    """The number ``tokens[j]`` is ("3", «три», "three", «ثلاثة»), or None; a number beside
    another one is none (a time, «в 21 40», or a date: not a count of goods)."""
    word = tokens[j].surface
    if word.isdecimal():
        beside = (tokens[k].surface for k in (j - 1, j + 1) if 0 <= k < len(tokens))
        if len(word) > 6 or any(other.isdecimal() for other in beside):
            return None
        return int(word)
    return _NUMBER_WORDS.get(language, {}).get(word)


def _clause_words(tokens: list[Token], ref: int, start: int, stop: int) -> list[tuple[int, str]]:
    """(position, word) of the words among ``tokens[start:stop]`` in the clause of
    ``tokens[ref]`` (:func:`_clause_numbers`: split at . ! ? ; …, not at commas)."""
    numbers = _clause_numbers(tokens)
    return [
        (j, tokens[j].surface)
        for j in range(max(start, 0), min(stop, len(tokens)))
        if numbers[j] == numbers[ref] and not tokens[j].boundary
    ]


def _came_short(tokens: list[Token], i: int, language: str) -> bool:
    """Whether the sentence at ``tokens[i]`` counts fewer goods than were due: a verb of
    ordering, a count N, then a verb of receiving with a smaller count M («заказал два, пришёл
    один», "ordered 3, got 2", «pedí dos y me llegó uno»); or "instead of" at ``i`` before N
    with a smaller count M in the same sentence («вместо двух пачек положили одну», "one instead
    of two", «واحد بدل اثنين»). A time unit after N is no goods («вместо двух часов — один»)."""
    word = tokens[i].surface
    if word in _ORDERED:
        after = _clause_words(tokens, i, i + 1, i + 1 + _SHORT_WINDOW)
        due = next(
            ((j, n) for j, _ in after[:3] if (n := _count(tokens, j, language)) is not None), None
        )
        if due is None:
            return False
        rest = [(j, w) for j, w in after if j > due[0]]
        for k, (_, w) in enumerate(rest):
            if w in _RECEIVED:
                near = rest[max(0, k - 2) : k + 4]
                came = [n for p, _ in near if (n := _count(tokens, p, language)) is not None]
                return bool(came) and min(came) < due[1]
        return False
    if word not in _INSTEAD_FIRST:
        return False
    for phrase in _INSTEAD_OF:
        if tuple(t.surface for t in tokens[i : i + len(phrase)]) != phrase:
            continue
        at = i + len(phrase)
        owed = _count(tokens, at, language) if at < len(tokens) else None
        if owed is None:
            return False
        unit = tokens[at + 1].surface if at + 1 < len(tokens) else ""
        if unit in _BARE_WAIT_UNITS:
            return False
        near = _clause_words(tokens, i, i - _SHORT_WINDOW, i) + _clause_words(
            tokens, i, at + 1, at + 1 + _SHORT_WINDOW
        )
        came = [n for p, _ in near if (n := _count(tokens, p, language)) is not None]
        return bool(came) and min(came) < owed
    return False


@lru_cache(maxsize=8)
def _variant_norms(language: str) -> dict[str, str]:
    """Normal form of each size and colour word of ``language`` → its kind (``size``,
    ``colour``); letter sizes in every language."""
    found: dict[str, str] = {}
    for kind, words in _VARIANTS.items():
        for word in (*words.get("*", ()), *words.get(language, ())):
            found[normalize_word(word, language)] = kind
            found[word] = kind
    return found


def _variant(token: Token, variants: dict[str, str]) -> str | None:
    return variants.get(token.norm) or variants.get(token.surface)


def _came_other(tokens: list[Token], i: int, language: str) -> bool:
    """Whether the sentence at ``tokens[i]``, a verb of ordering, names a size or colour of
    what was ordered and, after a verb of receiving, another one of the same kind: the wrong
    variant came («заказывал размер L, пришёл S», "ordered a large, got a small", «pesan
    hitam, yang datang biru», «طلبت مقاس كبير ووصلني صغير»)."""
    if tokens[i].surface not in _ORDERED:  # the caller checks it too: a cheap guard
        return False
    variants = _variant_norms(language)
    after = _clause_words(tokens, i, i + 1, i + 1 + 2 * _SHORT_WINDOW)
    ordered: dict[str, str] = {}
    for k, (j, word) in enumerate(after):
        if word in _RECEIVED or tokens[j].norm in _RECEIVED:
            if not ordered:
                return False
            for p, _ in after[k + 1 : k + 1 + _OTHER_WINDOW]:
                kind = _variant(tokens[p], variants)
                if kind in ordered and ordered[kind] != tokens[p].norm:
                    return True
            return False
        kind = _variant(tokens[j], variants)
        if kind is not None:
            ordered.setdefault(kind, tokens[j].norm)
    return False


def _amount(tokens: list[Token], j: int, language: str) -> tuple[str, int] | None:
    """What ``tokens[j]`` measures: ``("wait", minutes)`` for a unit with its count before it
    («два дня», "2 hours", «una hora», «satu jam»; none written: one, «в течение часа»), or
    ``("time", hour)`` for an hour of the day after «на», «в», "at", «las», «jam», «الساعة»."""
    word = tokens[j].surface
    if word in _COUNTED_UNITS:
        return "wait", _COUNTED_UNITS[word]
    minutes = _UNIT_MINUTES.get(word)
    if minutes is not None:
        if word == "jam" and j + 1 < len(tokens) and tokens[j + 1].surface.isdecimal():
            return None  # «jam 10»: the hour of the day, read at the number
        count = _count(tokens, j - 1, language) if j > 0 else None
        return "wait", minutes * (count if count is not None else 1)
    before = tokens[j - 1].surface if j > 0 else ""
    if before not in _TIME_OF_DAY_BEFORE:
        return None
    hour = _AR_HOURS.get(word) if language == "ar" else None
    if hour is None and word.isdecimal() and len(word) <= 2:
        hour = int(word)
    if hour is None or not 1 <= hour <= 24:
        return None
    after = tokens[j + 1] if j + 1 < len(tokens) else None
    if after is not None and not after.boundary and after.surface in _UNIT_MINUTES:
        return None  # «на 2 часа»: a wait, read at its unit
    if (
        after is not None
        and not after.boundary
        and after.surface not in _HOUR_FOLLOWERS
        and not (language == "ar" and after.surface.startswith("و"))  # «وما دخلت»: "and"
    ):
        return None  # "booked for 2 people": no hour
    return "time", hour


_HOUR_FOLLOWERS = frozenset(
    ["и", "а", "но", "утра", "вечера", "часов", "ч", "and", "but", "am", "pm", "o'clock", "y",
     "pero", "de", "dan", "tapi", "pagi", "siang", "malam", "baru"]
)  # fmt: skip


def _later_than_set(tokens: list[Token], i: int, language: str) -> bool:
    """Whether a word that sets a time or a wait at ``tokens[i]`` («записали», "promised",
    «prometieron», «janji», «وعدوني») is followed in its sentence by an hour or a wait and then
    a later hour or a longer wait of the same kind: «записали на 10, приняли в 12», "promised a
    call within the hour, it's been two days"."""
    first: tuple[str, int] | None = None
    for j, _ in _clause_words(tokens, i, i + 1, i + 1 + 2 * _SHORT_WINDOW):
        found = _amount(tokens, j, language)
        if found is None:
            continue
        if first is None:
            first = found
        elif found[0] == first[0]:
            return found[1] > first[1]
    return False


def _short_of(words: list[str], i: int) -> bool:
    """Whether ``words[i]`` is N of "N of M" (N < M; "of the" allowed) with "only" or a verb
    of receiving among the two words before it: what came was short of what was ordered."""
    if not words[i].isdecimal() or i + 2 >= len(words) or words[i + 1] not in _OUT_OF:
        return False
    at = i + 3 if words[i + 2] in ("the", "los", "las") else i + 2
    total = words[at] if at < len(words) else ""
    if not total.isdecimal() or int(total) <= int(words[i]):
        return False
    return not _SHORT_OF.isdisjoint(words[max(0, i - 2) : i])


def _lacks_goods(tokens: list[Token], hit: _Hit, language: str) -> bool:
    """Whether a lacking phrase ("не хватает", "missing", «faltan») counts what did not come
    rather than wishes for a feature: a number right after it or a count of two or more among
    the next few words ("не хватает 500 рублей", «faltan dos productos»), or an order, a parcel
    or a purchase named a few words before or after it ("в заказе не хватает одной позиции";
    not "falta la opción de compartir la ubicación del pedido", a feature)."""
    if hit.end < len(tokens) and tokens[hit.end].surface.isdecimal():
        return True
    for token in tokens[hit.end : hit.end + _LACKING_COUNT_WINDOW]:
        if token.boundary and token.surface != ",":
            break
        if _counts_more_than_one(token.surface, language) or _counts_more_than_one(
            token.norm, language
        ):
            return True
    starts = _ORDER_WORDS.get(language, ())
    near = tokens[max(0, hit.start - _LACKING_ORDER_WINDOW) : hit.end + _LACKING_ORDER_WINDOW]
    return any(not token.boundary and token.surface.startswith(starts) for token in near)


def _bare_wait(tokens: list[Token], hits: list[_Hit]) -> list[int]:
    """The position of the unit when the whole comment is a counted wait and nothing else
    ("40 минут", "2 hours on hold", "45 menit", "ساعة ونص", "1 hora 40 en la línea"): a number or
    a counting word, a unit of time, and only the words that may stand beside them; no keyword
    found. Labelling rule 9: a bare duration given as a comment is a complaint."""
    words = [token for token in tokens if not token.boundary]
    if not words or len(words) > _BARE_WAIT_MAX:
        return []
    if any(hit.entry.kind in ("sentiment", "type") for hit in hits):
        return []
    unit = next((i for i, t in enumerate(tokens) if t.surface in _BARE_WAIT_UNITS), None)
    if unit is None:
        return []
    if not any(t.surface.isdecimal() or t.surface in _BARE_WAIT_COUNTS for t in words):
        return []
    if all(t.surface.isdecimal() or t.surface in _BARE_WAIT_ALLOWED for t in words):
        return [unit]
    return []


def _then_otherwise(tokens: list[Token], start: int) -> bool:
    """Whether after what was paid for (from ``start``) a second part of the sentence tells
    what happened: a comma or «а» / «но» / "and" / "but" / «y» / «tapi», then at least two
    words ("Оплатила за доставку" alone states no failure)."""
    for j in range(start, len(tokens) - 1):
        if tokens[j].boundary and tokens[j].surface != ",":
            return False
        if tokens[j].surface in _THEN_WORDS or tokens[j].surface == ",":
            rest = [t for t in tokens[j + 1 :] if not t.boundary]
            return len(rest) >= 2
    return False


def _counts_more_than_one(word: str, language: str) -> bool:
    """Whether ``word`` is a count of two or more ("4", «четыре», "five", "tres")."""
    if word.isdecimal():
        return int(word) >= 2
    return word in _COUNT_WORDS.get(language, frozenset())


def _sarcasm(text: str, tokens: list[Token], hits: list[_Hit]) -> list[_Hit]:
    """Hits with every praise and positive word negated when the text is sarcastic: a praise
    word in scare quotes (a phrase of up to 40 characters: "Спасибо за «быструю» доставку",
    'the "helpful" bot') or an emoji that winks at its own words (🙃, 🤡); otherwise ``hits``
    unchanged."""
    positive = [hit for hit in hits if _polarity(hit) > 0]
    if not positive:
        return hits
    winking = _SARCASM_EMOJI_RE.search(text) is not None
    if not winking:
        quoted = {
            word
            for span in _SCARE_QUOTES.findall(text)
            for word in _WORDS.findall(next(part for part in span if part).lower())
        }
        winking = any(
            all(tokens[i].surface in quoted for i in range(hit.start, hit.end)) for hit in positive
        )
    if not winking:
        return hits
    return _praise_turned(hits)


def _praise_turned(hits: list[_Hit]) -> list[_Hit]:
    """``hits`` with every praise and positive word negated (sarcasm, mockery)."""
    return [
        _Hit(hit.entry, hit.start, hit.end, hit.weight, not hit.negated)
        if _polarity(hit) > 0
        else hit
        for hit in hits
    ]


def _mocking(
    tokens: list[Token], hits: list[_Hit], positions: list[int], set_off: int = 0
) -> list[_Hit]:
    """Hits with their praise and positive words negated when the praise mocks what follows it,
    else ``hits``: thanks *for* a failure or a wait («Спасибо за 40 минут ожидания», "thanks
    for nothing", «gracias por nada», «شكرا على التأخير», «makasih udah bikin nunggu 2 jam»),
    praise for doing a failure ("Great job losing my parcel"), or
    a short text that opens with a word of praise set off by punctuation or an emoji and then
    only reports a failure, with no contrast («Класс, приложение снова не открывается»,
    "Wonderful, the app crashed again", «ممتاز، ضيعتوا طلبي», «супер 👍 третий час жду такси»).
    ``set_off``: how many words come before the text's first emoji (see
    :func:`_words_before_emoji`)."""
    positive = [hit for hit in hits if _polarity(hit) > 0]
    if not positive:
        return hits
    worded = {hit.start for hit in hits if _polarity(hit) < 0 and hit.weight > _PLAYED_DOWN}
    negative_at = worded | set(positions)  # a fault played down («cuma … dikit») is no failure
    mocked = any(
        _thanks_for_failure(tokens, hit, hits, negative_at) or _praise_for_failing(tokens, hit)
        for hit in positive
    )
    if not mocked:
        mocked = _praise_then_failure(tokens, positive, negative_at, set_off, worded)
    if not mocked:
        return hits
    return _praise_turned(hits)


# English praise for what was done ("great job", "well done") that a failure told as a gerund
# turns to mockery: "Great job losing my parcel", "Well done breaking the app".
_DONE_PRAISE = frozenset(
    [
        *((adjective, noun) for adjective in (
            "great", "good", "nice", "excellent", "amazing", "fantastic", "awesome", "brilliant"
        ) for noun in ("job", "work")),
        ("well", "done"),
    ]
)  # fmt: skip
_FAILING = frozenset(
    [
        "losing", "breaking", "forgetting", "ignoring", "cancelling", "canceling", "overcharging",
        "damaging", "delaying", "ruining", "wasting", "messing", "crashing", "misplacing",
        "scamming", "screwing",
    ]
)  # fmt: skip


def _praise_for_failing(tokens: list[Token], hit: _Hit) -> bool:
    """Whether the praise at ``hit`` is "great job" / "well done" and the word after it (or
    after a comma) is an -ing form of a failure ("losing", "breaking", "ignoring"; not
    "waiting", which a courier who waits at the door does well)."""
    at = hit.start
    if at + 2 >= len(tokens) or (tokens[at].surface, tokens[at + 1].surface) not in _DONE_PRAISE:
        return False
    after = at + 2 + (tokens[at + 2].surface == ",")
    return after < len(tokens) and tokens[after].surface in _FAILING


def _thanks_for_failure(
    tokens: list[Token], hit: _Hit, hits: list[_Hit], negative_at: set[int]
) -> bool:
    """Whether a thanks at ``hit`` is followed by «за» / "for" / «por» / «على» / «udah bikin»
    and, before the next punctuation, by a failure, a wait counted out or "nothing"."""
    words = " ".join(t.surface for t in tokens[hit.start : hit.end])
    if words not in _THANKS or hit.end >= len(tokens):
        return False
    at = hit.end + (tokens[hit.end].surface in ("ya", "yah"))
    if at >= len(tokens):
        return False
    if tokens[at].surface in _FOR_WHAT:
        at += 1
    elif (tokens[at].surface, tokens[at + 1].surface if at + 1 < len(tokens) else "") in (
        ("udah", "bikin"),
        ("sudah", "bikin"),
        ("udah", "buat"),
    ):
        at += 2
    else:
        return False
    praised = {other.start for other in hits if _polarity(other) > 0}
    for j in range(at, min(at + 6, len(tokens))):
        token = tokens[j]
        if token.boundary or j in praised:  # «gracias por la rapidez en resolver mi reclamo»
            return False
        if j in negative_at or token.surface in _NOTHING_WORDS or token.surface in _FAILING:
            return True
        if (
            token.surface.isdecimal()
            and j + 1 < len(tokens)
            and tokens[j + 1].surface in _BARE_WAIT_UNITS
        ):
            return True
    return False


def _praise_then_failure(
    tokens: list[Token],
    positive: list[_Hit],
    negative_at: set[int],
    set_off: int = 0,
    worded: set[int] | frozenset[int] = frozenset(),
) -> bool:
    """Whether the text opens with one word (or two) of praise, perhaps with one more word
    («огонь сервис», «кайф просто»), set off by punctuation or by an emoji (``set_off`` words
    before the first emoji), and all that follows is failure: no other praise, no contrast
    word, at least one failure — with the one word more, a failure in words (``worded``: the
    positions of negative keywords), not only a fact («удобное приложение, занимаюсь в метро по
    15 минут» stays praise)."""
    first = min(positive, key=attrgetter("start"))
    if first.start != 0 or first.end > 2 or first.end >= len(tokens):
        return False
    end = first.end
    if (
        end != set_off
        and not tokens[end].boundary
        and end not in negative_at
        and end + 1 < len(tokens)
        and (end + 1 == set_off or (tokens[end + 1].boundary and not tokens[end + 1].question))
    ):
        end += 1  # «огонь сервис 🔥 …», «топ доставка, …», «кайф просто, …»: one word more
    if end == set_off:  # «супер 👍 третий час жду такси»: the emoji sets it off
        after = end
    elif tokens[end].boundary and not tokens[end].question:
        after = end + 1
    else:
        return False
    # more praise, each set off in its turn: «genial, cracks, los mejores: cuarta vez que…»
    by_start = {hit.start: hit for hit in positive}
    while after + 1 < len(tokens):
        more = by_start.get(after) or by_start.get(after + 1)
        if more is None or more.end >= len(tokens) or more.end - after > 2:
            break
        if not tokens[more.end].boundary or tokens[more.end].question:
            break
        after = more.end + 1
    if any(hit.start >= after for hit in positive):
        return False
    rest = range(after, len(tokens))
    if sum(not tokens[j].boundary for j in rest) > _MOCKED_WORDS:
        return False  # «кайф, семейный тариф на 4 номера …, дети больше не просят»: a review
    if any(tokens[j].surface in _CONTRAST_WORDS for j in rest):
        return False
    if any(_resolved_at(tokens, j) for j in rest):
        return False  # «Спасибо! Вопрос с двойным списанием решили за один звонок»: thanks
    return any(j in (worded if end > first.end else negative_at) for j in rest)


def _resolved_at(tokens: list[Token], j: int) -> bool:
    """Whether ``tokens[j]`` says a matter was resolved («решили», "sorted", «selesai»), not
    that it was not («так и не решили», "never resolved")."""
    token = tokens[j]
    if not (token.norm.startswith(_RESOLVE_STEMS) or token.surface.startswith(_RESOLVE_STEMS)):
        return False
    return not any(
        tokens[k].surface in _ALL_NEGATIONS or tokens[k].surface in ("never", "nunca", "belum")
        for k in range(max(j - 3, 0), j)
    )


def _words_before_emoji(text: str) -> int:
    """How many words come before the first emoji of ``text`` when nothing but spaces stands
    between them («супер 👍 …»: 1, «ну супер 👍 …»: 2); 0 when the text has no emoji, opens
    with one, or has punctuation before it."""
    if not text or max(text) < _EMOJI_FLOOR:
        return 0
    found = _ANY_EMOJI.search(text)
    if found is None:
        return 0
    before = text[: found.start()]
    if _NOT_WORD_OR_SPACE.search(before):
        return 0
    return len(before.split())


# What is "down" when it «лежит»: a service, not a parcel, a card or a person in hospital
_RU_SERVICES = frozenset(
    ["приложение", "сайт", "интернет", "банк", "сбер", "сбербанк", "госуслуга", "сервис", "сеть",
     "связь", "онлайн", "кабинет", "сервер", "портал", "система", "тинькофф", "втб", "мтс",
     "билайн", "мегафон", "ростелеком", "вайфай", "wifi", "приложуха", "личка", "платформа"]
)  # fmt: skip
_RU_AGAIN = frozenset(["опять", "снова", "опятьтаки", "постоянно", "вечно"])
# … or how long it has been lying there: «посылка 8 дней лежит в сортировочном центре» is stuck
_RU_STUCK_FOR = frozenset(["день", "неделя", "месяц", "сутки"])


def _praise_rather_than(tokens: list[Token], hits: list[_Hit]) -> bool:
    """Whether a Russian text opens «<praise>, а не <thing>» («пушка, а не тариф», «годнота а
    не курсы»): the best of its kind, praise however its «а не» reads."""
    for hit in hits:
        if hit.start > 1 or _polarity(hit) <= 0:
            continue
        j = hit.end + (hit.end < len(tokens) and tokens[hit.end].surface == ",")
        if [t.surface for t in tokens[j : j + 2]] == ["а", "не"]:
            return True
    return False


def _lying_is_no_outage(tokens: list[Token], hits: list[_Hit]) -> list[_Hit]:
    """``hits`` without the outage reading of «лежать» where nothing down is named: «посылка
    лежит в пвз», «карта лежит в конверте», «пока я лежала в больнице» — only a service («сайт
    лежит», «мобильный банк лежит весь вечер») or «опять» / «снова» («опять лежит») beside it
    makes it an outage, or a time it has been lying there («8 дней лежит»: stuck)."""
    kept = []
    for hit in hits:
        if hit.entry.phrase == ("лежать",) and _polarity(hit) < 0:
            near = tokens[max(0, hit.start - 3) : hit.end + 2]
            if not any(
                t.norm in _RU_SERVICES or t.surface in _RU_AGAIN or t.norm in _RU_STUCK_FOR
                for t in near
            ):
                continue
        kept.append(hit)
    return kept


def _emoji(text: str) -> tuple[int, int]:
    """How many positive and negative emoji ``text`` holds (characters of each set, counted by
    one regex each)."""
    if not text or max(text) < _EMOJI_FLOOR:  # most texts: one pass in C, no regex
        return 0, 0
    return len(_POSITIVE_EMOJI_RE.findall(text)), len(_NEGATIVE_EMOJI_RE.findall(text))


def _missing(tokens: list[Token], hits: list[_Hit], language: str) -> list[int]:
    """Positions of Russian «нет» that say something is missing ("половины товара нет"), and
    of an English "no … yet" ("no refund yet", "no answer yet after 5 days")."""
    if language == "en":
        return _none_yet(tokens, hits)
    if language != "ru":
        return []
    covered = {
        i
        for hit in hits
        if hit.entry.kind in ("sentiment", "type")
        for i in range(hit.start, hit.end + 1)
    }
    found = []
    for i, token in enumerate(tokens):
        if token.surface != "нет" or i in covered:
            continue
        before = tokens[i - 1] if i > 0 and not tokens[i - 1].boundary else None
        after = tokens[i + 1] if i + 1 < len(tokens) and not tokens[i + 1].boundary else None
        if before is None and after is None:  # "Нет." answers, it does not complain
            continue
        near = [t.norm for t in (before, after) if t is not None]
        if any(norm in _NOTHING_MISSING for norm in near):
            continue
        found.append(i)
    return found


def _none_yet(tokens: list[Token], hits: list[_Hit]) -> list[int]:
    """Positions of an English "no" whose thing, in its clause, has not come "yet" ("no
    refund yet"); not "no problems yet", whose keyword "no" turns."""
    if "yet" not in map(_SURFACE, tokens):
        return []
    covered = {
        i
        for hit in hits
        if hit.entry.kind in ("sentiment", "type")
        for i in range(hit.start, hit.end)
    }
    found = []
    for i, token in enumerate(tokens[:-2]):
        if token.surface != "no" or i in covered or tokens[i + 1].boundary or i + 1 in covered:
            continue
        for j in range(i + 2, min(i + 5, len(tokens))):
            if tokens[j].boundary or j in covered:
                break
            if tokens[j].surface == "yet":
                found.append(i)
                break
    return found


def _negated_verbs(
    tokens: list[Token], hits: list[_Hit], language: str, positions: list[int] | None = None
) -> int:
    """How many negated words, not keywords themselves, state a failure ("не начислили");
    their negations' positions are appended to ``positions`` when given."""
    negations = _FAILURE_NEGATIONS.get(language)
    if not negations:
        return 0
    covered = {
        i
        for hit in hits
        if hit.entry.kind in ("sentiment", "type")
        for i in range(hit.start, hit.end)
    }
    found = 0
    for i, token in enumerate(tokens[:-1]):
        after = tokens[i + 1]
        if token.surface not in negations or after.boundary or i + 1 in covered or i in covered:
            continue
        if after.surface in _EVER and i + 2 in covered:
            continue  # "belum pernah putus", «ни разу не ломался»: the keyword's own negation
        verb = (
            tokens[i + 2]
            if after.surface in _ADVERBS_AFTER_NEGATION and i + 2 < len(tokens)
            else after
        )  # "haven't really used it yet", «не очень понимаю»
        if (verb.norm in _NEUTRAL_WHEN_NEGATED or verb.surface in _NEUTRAL_WHEN_NEGATED) and (
            _about_oneself(tokens, i) or _not_yet(tokens, i)
        ):
            continue
        if _supposed(tokens, i) or _never_happened_to_me(tokens, i):
            continue
        if language == "ru" and not _is_verb(after.surface):
            continue
        if language == "ar" and (
            after.surface.startswith("ال") or after.surface in _AR_NOT_NEGATED
        ):
            continue  # «ما الفرق», «ما هي الأوراق»: a question word before a noun
        found += 1
        if positions is not None:
            positions.append(i)
    return found


def _issue_resolved(tokens: list[Token], hit: _Hit) -> bool:
    """Whether a "question" keyword names an issue being resolved ("вопрос так и не решили",
    "my question was never resolved"): the matter, not an asking."""
    if hit.entry.kind != "type" or hit.entry.label != "question" or hit.end - hit.start != 1:
        return False
    if tokens[hit.start].norm not in _ISSUE_WORDS:
        return False
    for token in tokens[hit.end : hit.end + 5]:
        if token.boundary and token.surface != ",":
            return False
        if token.norm.startswith(_RESOLVE_STEMS) or token.surface.startswith(_RESOLVE_STEMS):
            return True
    return False


def _reported_question(tokens: list[Token], hit: _Hit) -> bool:
    """Whether a question keyword only reports what someone else did not know ("The agent
    didn't know how to cancel", "Сотрудник не знал, как оформить"): a failure, not a question.
    "I don't know how to…" still asks."""
    if hit.entry.kind != "type" or hit.entry.label != "question":
        return False
    j = hit.start - 1
    if j >= 0 and tokens[j].surface == ",":
        j -= 1
    if j < 1 or (tokens[j].surface not in _KNOW and tokens[j].norm not in _KNOW):
        return False
    negation = j - 1
    if tokens[negation].surface not in _ALL_NEGATIONS:
        return False
    return not _about_oneself(tokens, negation)


def _regarding(tokens: list[Token], hit: _Hit) -> bool:
    """Whether a Russian question keyword only says "regarding" («звоню по вопросу возврата»,
    «по одному и тому же вопросу»): «вопросу» / «вопросам» after «по» a few words before."""
    if hit.entry.kind != "type" or hit.entry.label != "question":
        return False
    if tokens[hit.start].surface not in ("вопросу", "вопросам"):
        return False
    return any(t.surface == "по" for t in tokens[max(0, hit.start - 5) : hit.start])


def _without_own_part(tokens: list[Token], hits: list[_Hit], language: str) -> list[_Hit]:
    """``hits`` less the positive words that tell the customer's own part after «хотя я» /
    "even though I" («пени начислили, хотя я оплатил в срок»: «в срок» praises no one)."""
    though = _THOUGH.get(language)
    if not though:
        return hits
    own: set[int] = set()
    for i, token in enumerate(tokens[:-1]):
        if token.surface in though and tokens[i + 1].surface in _THOUGH_SUBJECTS:
            j = i + 1
            while j < len(tokens) and not tokens[j].boundary:
                own.add(j)
                j += 1
    if not own:
        return hits
    return [hit for hit in hits if not (_polarity(hit) > 0 and hit.start in own)]


def _waiting(tokens: list[Token], position: int) -> bool:
    """Whether the clause around ``position`` speaks of waiting or holding ("on hold for 40
    minutes", "esperando por 40 minutos"), so a duration is a wait, not "tested for 9 hours"."""
    start = position
    while start > 0 and not tokens[start - 1].boundary:
        start -= 1
    end = position
    while end < len(tokens) and not tokens[end].boundary:
        end += 1
    return any(t.surface.startswith(_WAIT_STEMS) for t in tokens[start:end])


def _not_yet(tokens: list[Token], negation: int) -> bool:
    """Whether «пока» ("so far") comes before a negation in its clause («карточку пока в деле не
    пробовал»): not having used or known something yet says nothing about the service."""
    for j in range(negation - 1, -1, -1):
        if tokens[j].boundary and tokens[j].surface != ",":
            return False
        if tokens[j].surface == "пока":
            return True
    return False


def _about_oneself(tokens: list[Token], negation: int) -> bool:
    """Whether the words before a negation (back to a comma) are only the writer's own ("не
    знаю", "я пока не пользовался", "I haven't used it yet"), so "не знаю" says nothing about
    the service; "Сотрудник не знал…" and "услуги, которыми я не пользовался" do."""
    for j in range(negation - 1, -1, -1):
        token = tokens[j]
        if token.boundary:
            return True
        if token.surface not in _ONESELF:
            return False
    return True


_HAPPENED = frozenset(
    [
        "happened", "happen", "happens", "pasado", "pasó", "paso", "pasa", "pasaba", "ocurrido",
        "ocurrió", "sucedido", "sucedió", "случалось", "случилось", "бывало", "terjadi", "alami",
        "mengalami",
    ]
)  # fmt: skip
_TO_ME = frozenset(["me", "мне", "мной", "aku", "saya"])
_NEVER = frozenset(["never", "nunca", "jamás", "jamas", "никогда", "tidak", "belum"])


def _never_happened_to_me(tokens: list[Token], negation: int) -> bool:
    """Whether a negation says only that something never happened to the writer before («jamás
    me había pasado», "never happened to me before", «со мной такого не случалось»): how
    new it is, no failure of the service. ("The refund never happened" is one.)"""
    near = [t.surface for t in tokens[max(0, negation - 3) : negation + 5] if not t.boundary]
    return any(w in _HAPPENED for w in near) and any(w in _TO_ME for w in near)


def _supposed(tokens: list[Token], negation: int) -> bool:
    """Whether a negation stands in a conditional clause ("если не забрать", "if I don't") or
    beside the Russian «бы» ("я бы не разобрался")."""
    if any(t.surface == "бы" for t in tokens[max(0, negation - 2) : negation + 3]):
        return True  # "я бы не разобрался": what would have been, not what was
    for j in range(negation - 1, max(negation - 5, -1), -1):
        if tokens[j].boundary:
            return False
        if tokens[j].surface in _CONDITIONALS:
            return True
    return False


def _genitive(token: Token) -> bool:
    """Whether a word can be in the genitive, as what "нет" denies ("проблем нет"); words of
    other scripts are taken as such."""
    if script_of(token.surface) != "cyrillic":
        return True
    return "gent" in grammemes(token.surface) or "Fixd" in grammemes(token.surface)


# Articles and possessives that open a definite object ("the", "my", «el», «mi»), and the
# verbs of having and meeting whose negation denies their object ("never had a bad experience",
# "haven't had the problem since").
_DEFINITE = frozenset(
    [
        "the", "my", "our", "your", "his", "her", "their", "this", "these", "those",
        "el", "la", "los", "las", "mi", "mis", "su", "sus", "nuestro", "nuestra", "nuestros",
        "nuestras", "este", "esta", "estos", "estas", "ese", "esa",
    ]
)  # fmt: skip
_EXISTENTIAL = frozenset(
    [
        "have", "had", "has", "having", "get", "got", "gotten", "see", "seen", "saw",
        "experience", "experienced", "face", "faced", "encounter", "encountered", "notice",
        "noticed", "find", "found", "be", "been", "was", "were", "is", "are", "encontró",
        "encontraron", "encontramos", "halló", "hallaron",
        "tener", "tenido", "tuve", "tuvimos", "tengo", "hay", "había", "hubo", "ver", "visto",
        "vi", "encontrar", "encontré", "ser", "sido", "fue", "es", "era",
    ]
)  # fmt: skip


# Verbs of putting a fault right: negated, they deny the remedy, not the fault they name
_REMEDY_ACTIONS = frozenset(
    [
        "refund", "refunded", "replace", "replaced", "fix", "fixed", "repair", "repaired",
        "reimbursed", "reembolsaron", "devolvieron", "cambiaron", "arreglaron", "repararon",
        "mengembalikan", "dikembalikan", "mengganti", "diganti", "memperbaiki", "diperbaiki",
        "ganti", "kembalikan", "diproses", "direfund",
    ]
)  # fmt: skip


# Verbs of having and being whose negation denies the problem after them («не было проблем»,
# "never had a problem", «nunca tuve problemas», «tidak pernah ada masalah»), by language:
# (words, prefixes); Russian by lemma.
_EXISTENTIAL_BY_LANGUAGE: dict[str, tuple[frozenset[str], tuple[str, ...]]] = {
    "ru": (
        frozenset(["быть", "бывать", "возникать", "возникнуть", "случаться", "случиться"]),
        (),
    ),
    "en": (
        frozenset(
            ["had", "have", "has", "been", "was", "were", "experienced", "faced", "encountered"]
        ),
        (),
    ),
    "es": (frozenset(["hay", "hubo", "había", "habido"]), ("tuv", "tenid", "teng", "tenem")),
    "id": (frozenset(["ada", "mengalami", "alami", "punya"]), ()),
}
_DENIAL_WORDS = frozenset(
    ["не", "ни", "никогда", "never", "not", "no", "nunca", "jamás", "jamas", "tidak", "belum",
     "gak", "nggak", "ga", "tak", "pernah"]
)  # fmt: skip


# Words that make a denied problem the worst one instead ("never had such a bad experience",
# «никогда не было такого ужасного сервиса», «nunca tuve un servicio tan malo»)
_HYPERBOLE = frozenset(
    ["such", "so", "worse", "worst", "this", "that", "такого", "такой", "такая", "такие",
     "таких", "хуже", "худшего", "настолько", "tan", "tanta", "tanto", "peor", "semacam",
     "separah", "seburuk", "begini", "begitu", "gini", "gitu"]
)  # fmt: skip


# The words of a problem that a negated "have" or "be" denies
_PROBLEM_STEMS = (
    "problem", "issue", "complain", "trouble", "glitch", "hiccup", "bad",
    "проблем", "претенз", "жалоб", "нарекан", "сбо", "косяк", "замечан",
    "queja", "inconvenient", "falla",
    "masalah", "kendala", "keluhan", "gangguan",
)  # fmt: skip
_UNTIL_OR_BUT = frozenset(
    ["until", "till", "but", "however", "до", "пока", "но", "однако", "hasta", "pero",
     "sampai", "hingga", "tapi", "tetapi", "namun"]
)  # fmt: skip
_LIKE_THIS = frozenset(
    ["like", "как", "такого", "такой", "подобного", "separah", "seburuk", "begini", "gini",
     "kayak", "seperti", "tan", "como", "así"]
)  # fmt: skip


def _denies(word: str) -> bool:
    """Whether ``word`` denies (a negation, "never", "haven't")."""
    return word in _DENIAL_WORDS or word in _EN_CONTRACTIONS


_EN_CONTRACTIONS = frozenset(
    ["haven't", "hasn't", "hadn't", "didn't", "don't", "doesn't", "wasn't", "weren't", "havent",
     "hasnt", "hadnt", "didnt", "dont", "doesnt", "wasnt", "werent"]
)  # fmt: skip


def _denied_problems(
    tokens: list[Token], hits: list[_Hit], positions: list[int], language: str
) -> tuple[list[_Hit], list[int]]:
    """``hits`` and failure ``positions`` with each problem that a negated verb of having or
    being denies read as denied («никогда не было проблем», «проблем не было ни разу», "never
    had a problem with them", «nunca he tenido problemas», «belum pernah ada kendala»): the
    problem's word is negated, and the negation, with any negative keyword it is part of
    ("never"), is no failure. Not «не было связи» (no problem word: a lack)."""
    words, prefixes = _EXISTENTIAL_BY_LANGUAGE[language]

    def existential(token: Token) -> bool:
        return (
            token.norm in words
            or token.surface in words
            or (bool(prefixes) and token.surface.startswith(prefixes))
        )

    problems = [
        k
        for k, hit in enumerate(hits)
        if hit.entry.kind in ("sentiment", "type")
        and hit.entry.label in ("negative", "complaint")
        # «не было розеток», "gak ada air panas": a lack, not a denied problem
        and any(tokens[i].surface.startswith(_PROBLEM_STEMS) for i in range(hit.start, hit.end))
    ]
    if not problems or not any(existential(t) for t in tokens):
        return hits, positions
    denied: dict[int, int] = {}  # a problem hit's index → its negation's position
    for k in problems:
        hit = hits[k]
        if hit.end < len(tokens) and tokens[hit.end].surface in _LIKE_THIS:
            continue  # "never had a problem like this", «masalah separah ini»
        # the verb and its negation before the problem («не было проблем», "never had any issues")
        for j in range(hit.start - 1, max(hit.start - 4, -1), -1):
            if tokens[j].boundary:
                break
            if tokens[j].surface in _HYPERBOLE:
                break  # "never had such a bad experience": the worst, not none
            if existential(tokens[j]):
                for n in range(j - 1, max(j - 4, -1), -1):
                    if tokens[n].boundary or tokens[n].surface in _HYPERBOLE:
                        break
                    if _denies(tokens[n].surface):
                        while n > 0 and _denies(tokens[n - 1].surface):
                            n -= 1  # «tidak pernah ada», "never ever had"
                        denied[k] = n
                        break
                break
        # or after it («проблем не было», «проблем никогда не возникало»)
        if k not in denied:
            after = tokens[hit.end : hit.end + 3]
            for m, token in enumerate(after):
                if token.boundary:
                    break
                if _denies(token.surface) and any(existential(t) for t in after[m + 1 :]):
                    denied[k] = hit.end + m
                    break
    if denied:  # "never had a problem until this month", «претензий не было. Но с 1 ноября…»
        last = max(hits[k].end for k in denied)
        if any(t.surface in _UNTIL_OR_BUT for t in tokens[last:]):
            denied = {}  # the good years are the background of a complaint: read as before
    if not denied:
        return hits, positions
    spans = [
        (min(n, hits[k].start), max(n + 1, hits[k].start)) for k, n in denied.items()
    ]  # from the negation to the problem, or the problem to its negation
    negations = set(denied.values())
    kept = []
    for k, hit in enumerate(hits):
        if k in denied:
            if not hit.negated:
                hit = _Hit(hit.entry, hit.start, hit.end, hit.weight, True)
        elif _polarity(hit) < 0 and any(a <= hit.start and hit.end <= b + 1 for a, b in spans):
            continue  # "never" as a keyword, inside "never had a problem"
        kept.append(hit)
    late = negations | {i for a, b in spans for i in range(a, b + 1)}
    return kept, [p for p in positions if p not in late]


# Negated, these are a favour: no charge, no need, never let down («не взяли доплату», «ждать не
# пришлось», «ни разу не пожалел», "didn't charge me", "never let me down", «no tuve que
# esperar», «tidak dikenakan biaya»). Russian by lemma; the others by word.
_RU_FAVOUR_VERBS = frozenset(
    ["пожалеть", "жалеть", "подвести", "подводить", "разочаровать", "разочаровывать",
     "впаривать", "впарить", "навязывать", "навязать", "обсчитать", "обсчитывать", "прийтись",
     "понадобиться", "потребоваться"]
)  # fmt: skip
# … of which only the past is a favour («ждать не пришлось»; «так не придётся ждать» wishes)
_RU_NEEDED = frozenset(["прийтись", "понадобиться", "потребоваться"])
# … with money named near them («не взяли денег за доставку», «залог даже не просили»)
_RU_CHARGE_VERBS = frozenset(["взять", "брать", "просить", "попросить", "требовать", "списать"])
_RU_CHARGES = _RU_MONEY | frozenset(["доплата", "залог", "копейка", "наценка", "штраф"])
# … said of oneself, after «даже» or «хотя … ничего» («ребёнок даже не заметил укол», «мы даже
# не говорили, что у нас праздник»): the service came before being asked
_RU_UNASKED = frozenset(
    ["говорить", "сказать", "просить", "попросить", "заметить", "замечать", "почувствовать",
     "ожидать", "спрашивать", "спросить", "напоминать", "напомнить"]
)  # fmt: skip
_RU_OWN_SUBJECTS = frozenset(
    ["я", "мы", "ребенок", "ребёнок", "сын", "дочь", "дочка", "муж", "жена", "мама", "папа",
     "бабушка", "дедушка"]
)  # fmt: skip
_FAVOUR_PHRASES: dict[str, tuple[tuple[str, ...], ...]] = {
    "en": (
        *(
            (*lead, verb, whom)
            for lead in ((), ("even",))
            for verb in ("charge", "charged")
            for whom in ("me", "us", "for", "anything", "extra", "a", "any", "waiting", "the")
        ),  # not "my phone doesn't charge", "didn't charge overnight" (nor "… the battery")
        ("have", "to"), ("had", "to"), ("need", "to"), ("even", "have", "to"),
        ("even", "need", "to"), ("let", "me", "down"), ("let", "us", "down"), ("disappoint",),
        ("disappoints",), ("regret",), ("regretted",),
    ),
    "es": (
        ("tuve", "que"), ("tuvimos", "que"), ("hizo", "falta"), ("me", "cobraron"),
        ("nos", "cobraron"), ("cobraron",), ("me", "decepcionó"), ("me", "decepciona"),
        ("me", "arrepiento"), ("me", "he", "arrepentido"), ("me", "arrepentí"),
    ),
    "id": (
        ("dikenakan", "biaya"), ("dikenai", "biaya"), ("perlu", "antri"), ("perlu", "antre"),
        ("perlu", "menunggu"), ("perlu", "nunggu"), ("pernah", "mengecewakan"),
        ("mengecewakan",), ("nyesel",), ("menyesal",), ("pernah", "nyesel"),
        ("ditarik", "biaya"), ("dipungut", "biaya"), ("usah",), ("perlu",), ("diminta",),
        ("kami", "minta"), ("saya", "minta"), ("minta",), ("dibantu",), ("antri",), ("antre",),
    ),
    "ar": (
        ("احتجت",), ("احتاجيت",), ("اضطريت",), ("استعجلني",), ("استعجلوني",), ("حسسني",),
        ("خذوا", "رسوم"), ("اخذوا", "رسوم"), ("دفعت", "شي"), ("ندمت",),
    ),
}  # fmt: skip
# Words of purpose before a favour's negation: a wish, not what was done
_PURPOSE = frozenset(
    ["biar", "supaya", "agar", "jadi", "sehingga", "чтобы", "чтоб", "бы", "para", "لكي", "عشان"]
)  # fmt: skip
_CHARGED_DEVICES = frozenset(
    (word,)
    for word in ["phone", "battery", "car", "laptop", "device", "watch", "tablet", "scooter",
                 "headphones", "earbuds", "bike", "camera", "powerbank", "ev"]
)  # fmt: skip
_FAVOUR_NEGATIONS = frozenset(
    ["не", "ни", "never", "didn't", "didnt", "don't", "dont", "doesn't", "doesnt", "won't",
     "wont", "not", "no", "nunca", "jamás", "jamas", "tidak", "gak", "nggak", "ga", "tak",
     "enggak", "ngga", "tanpa", "ما", "وما", "لم", "ولم", "مش", "ومش"]
)  # fmt: skip


def _favours(tokens: list[Token], language: str) -> list[tuple[int, int]]:
    """Spans (from a failure's negation to the words it turns) that are a favour: no charge,
    no need, never let down (:data:`_RU_FAVOUR_VERBS`, :data:`_FAVOUR_PHRASES`), and in
    Russian what the customer did not even have to ask or say («мы даже не говорили…»). A
    span reaches two words back and two on, within its clause («ждать не пришлось», "didn't
    have to wait"). Not «не взяли трубку» (no money named), «я не просил подключать» (an
    imposed service), "didn't even answer"."""
    found: list[tuple[int, int]] = []
    count = len(tokens)
    for i, token in enumerate(tokens[:-1]):
        if token.surface not in _FAVOUR_NEGATIONS:
            continue
        first = i  # up to three words back, not past punctuation («… jadi cepet, gak perlu»)
        while first > max(0, i - 3) and not tokens[first - 1].boundary:
            first -= 1
        if not _PURPOSE.isdisjoint(t.surface for t in tokens[first:i]):
            continue  # «biar gak perlu», «jadi gak usah», "so I don't have to": a purpose
        end = _favour_end(tokens, i, language)
        if end is None:
            continue
        start = i
        while start > max(0, i - 2) and not tokens[start - 1].boundary:
            start -= 1
        stop = end
        while stop < min(count, end + 2) and not tokens[stop].boundary:
            stop += 1
        found.append((start, stop))
    return found


def _favour_end(tokens: list[Token], i: int, language: str) -> int | None:
    """Where the favour that the negation at ``i`` opens ends, or None when it opens none."""
    count = len(tokens)
    if language == "ru":
        j = i + 1
        verb = tokens[j]
        if verb.norm in _RU_FAVOUR_VERBS:
            # not «научите не впаривать» (a demand), «так не придётся сидеть дома» (a wish's
            # future), «чтобы не пришлось»: only what was, said in the past
            said = grammemes(verb.surface)
            if (
                "INFN" in said
                or "impr" in said
                or (verb.norm in _RU_NEEDED and "past" not in said)
                or any(t.surface in ("чтобы", "бы") for t in tokens[max(0, i - 3) : i])
            ):
                return None
            return j + 1
        near = {t.norm for t in tokens[max(0, i - 3) : min(count, j + 4)] if not t.boundary}
        if verb.norm in _RU_CHARGE_VERBS and near & _RU_CHARGES:
            return j + 1
        before = [t.surface for t in tokens[max(0, i - 4) : i] if not t.boundary]
        if (
            verb.norm in _RU_UNASKED
            and ("даже" in before or ("ничего" in before and "хотя" in before))
            and set(before) & _RU_OWN_SUBJECTS
            and not (j + 1 < count and "INFN" in grammemes(tokens[j + 1].surface))
        ):
            return j + 1
        return None
    words = tuple(t.surface for t in tokens[i + 1 : i + 5])
    if language == "en" and tokens[i].surface == "no" and words[:1] == ("charge",):
        return i + 2  # "came back on a Sunday, no charge"
    for phrase in _FAVOUR_PHRASES.get(language, ()):
        if words[: len(phrase)] == phrase:
            if phrase[-1] == "the" and words[len(phrase) : len(phrase) + 1] in _CHARGED_DEVICES:
                return None  # "didn't charge the phone"
            return i + 1 + len(phrase)
    return None


# Done fast: "за" / "in" / «en» / «dalam», a count and a short unit, in a clause with a verb
# said as done and nothing negative («ответили за 2 минуты», «доставили за 19 минут», "fixed
# it in 20 minutes", «lo resolvieron en 10 minutos», «selesai dalam 5 menit»).
_FAST_WORDS = {
    "ru": frozenset(["за"]),
    "en": frozenset(["in", "within", "under"]),
    "es": frozenset(["en"]),
    "id": frozenset(["dalam"]),
}
_FAST_UNITS = frozenset(
    ["минута", "мин", "секунда", "сек", "клик", "полчаса", "minute", "minutes", "min", "mins",
     "second", "seconds", "secs", "clicks", "taps", "minuto", "minutos", "segundos", "menit",
     "detik"]
)  # fmt: skip
_BEFORE = frozenset(["до", "before", "antes", "sebelum"])
_FORMERLY = frozenset(["раньше", "прежде", "used", "antes", "dulu", "sebelumnya"])
_FEW = frozenset(["пару", "пара", "несколько", "a", "few", "couple", "of", "unos", "beberapa"])
_EN_DONE_IRREGULAR = frozenset(
    ["came", "got", "sent", "gave", "made", "rang", "took", "brought", "found", "sorted", "did",
     "done", "paid"]
)  # fmt: skip


def _part_around(tokens: list[Token], i: int) -> tuple[int, int]:
    """The first and last positions of the part of the sentence around ``tokens[i]`` between
    punctuation (commas included)."""
    first = i
    while first > 0 and not tokens[first - 1].boundary:
        first -= 1
    last = i
    while last + 1 < len(tokens) and not tokens[last + 1].boundary:
        last += 1
    return first, last


def _done_fast(tokens: list[Token], language: str, hits: list[_Hit]) -> list[int]:
    """Positions of a "за N минут" / "in N minutes" that says something was done fast: a
    count (a number, «пару», "a few") or none, a unit of seconds or minutes («полчаса»,
    "clicks"), and, in its part of the sentence between punctuation, a verb said as done (a
    Russian past form, an English "-ed" or "came", a Spanish "-ó" / "-aron", an Indonesian
    "di-" or «selesai»), no negation, no negative keyword and no "before" («раньше всё
    находилось за 2 клика» regrets). Not «за 40 минут так и не дозвонился», "the app crashed
    in 5 minutes", «за 5 минут до закрытия»."""
    found = []
    words = _FAST_WORDS[language]
    count = len(tokens)
    for i, token in enumerate(tokens):
        if token.surface not in words:
            continue
        j = i + 1
        while (
            j < count and j < i + 4 and (tokens[j].surface.isdecimal() or tokens[j].surface in _FEW)
        ):
            j += 1
        if j >= count or not (tokens[j].norm in _FAST_UNITS or tokens[j].surface in _FAST_UNITS):
            continue
        if j + 1 < count and tokens[j + 1].surface in _BEFORE:
            continue  # «за 5 минут до закрытия»: when, not how fast
        # the part of the sentence between punctuation: «…вылетело, но за 5 минут починили»
        first, last = _part_around(tokens, i)
        span = range(first, last + 1)
        if any(
            tokens[k].surface in _ALL_NEGATIONS or tokens[k].surface in _FORMERLY for k in span
        ) or any(_polarity(hit) < 0 for hit in hits if first <= hit.start <= last):
            continue
        if any(_said_done(tokens[k], language) for k in span if k != i):
            found.append(i)
    return found


# «сами» / «сама» / «сам» beside a past verb of a good turn: done before being asked
_RU_ON_THEIR_OWN = frozenset(["сами", "сама", "сам"])
_RU_GOOD_TURNS = frozenset(
    ["вернуть", "начислить", "позвонить", "перезвонить", "предложить", "привезти", "исправить",
     "переписать", "найти", "помочь", "напомнить", "продлить", "пересчитать", "компенсировать",
     "извиниться", "связаться", "написать", "доставить", "отремонтировать", "починить", "донести",
     "принести", "подойти", "догнать", "отправить", "заметить", "оформить", "решить"]
)  # fmt: skip


def _done_unasked(tokens: list[Token], hits: list[_Hit]) -> list[int]:
    """Positions of a Russian «сами» / «сама» / «сам» next to a past verb of a good turn
    (:data:`_RU_GOOD_TURNS`) that the customer did not do: «вернули разницу сами», «сами
    начислили бонусы», «администратор сам подошёл», «сама догнала меня у выхода». Not «я сам
    починил» (one's own), «сами отключили услугу» (not a good turn), «сами не знают», «только
    когда он сам позвонил» (a late turn), nor with a fault in its part of the sentence."""
    found = []
    for i, token in enumerate(tokens):
        if token.surface not in _RU_ON_THEIR_OWN:
            continue
        first, last = _part_around(tokens, i)
        near = [k for k in range(max(first, i - 2), min(last, i + 2) + 1) if k != i]
        words = {tokens[k].surface for k in range(first, last + 1)}
        if words & {"я", "мы", "не", "ни", "бы", "когда", "только", "пока"} or any(
            _polarity(hit) < 0 for hit in hits if first <= hit.start <= last
        ):
            continue
        if any(
            tokens[k].norm in _RU_GOOD_TURNS and "past" in grammemes(tokens[k].surface)
            for k in near
        ):
            found.append(i)
    return found


def _said_done(token: Token, language: str) -> bool:
    word = token.surface
    if language == "ru":
        return script_of(word) == "cyrillic" and "past" in grammemes(word)
    if language == "en":
        return (word.endswith("ed") and len(word) > 4) or word in _EN_DONE_IRREGULAR
    if language == "es":
        return word.endswith(("ó", "aron", "ieron", "é"))
    return word.startswith("di") or word in ("selesai", "beres", "kelar", "sampai", "datang")


def _definite_object(tokens: list[Token], first: int, last: int) -> bool:
    """Whether the negation at ``first`` turns a verb whose definite object holds ``last``
    ("never refunded the double charge", "didn't replace my broken phone", «jamás cambiaron
    la licuadora rota»), or a verb of putting a fault right ("tidak pernah refund tagihan
    ganda"): the fault the object names is there, only the remedy is denied. A verb of having
    or meeting denies its object ("haven't had the problem since")."""
    between = [tokens[k].surface for k in range(first + 1, last)]
    if not _REMEDY_ACTIONS.isdisjoint(between):  # "never refunded double charges"
        return True
    for k, word in enumerate(between):
        if word in _DEFINITE and k > 0:
            return not any(w in _EXISTENTIAL for w in between[:k])
    return False


def _is_verb_between(tokens: list[Token], first: int, last: int) -> bool:
    """Whether a Russian verb stands strictly between positions ``first`` and ``last``."""
    return any(
        script_of(tokens[k].surface) == "cyrillic" and _is_verb(tokens[k].surface)
        for k in range(first + 1, last)
    )


def _is_verb(word: str) -> bool:
    """Whether pymorphy3 reads a Russian word as a verb, infinitive or short participle."""
    from otklik.classify.text import part_of_speech

    return part_of_speech(word) in ("VERB", "INFN", "PRTS", "GRND")


def _ancestors(name: str, parents: dict[str, str | None]) -> list[str]:
    found = []
    parent = parents.get(name)
    while parent is not None:
        found.append(parent)
        parent = parents.get(parent)
    return found


def _polarity(hit: _Hit) -> int:
    """+1 for a positive signal, -1 for a negative one, after negation; 0 for neither."""
    entry = hit.entry
    if entry.kind == "sentiment":
        base = {"positive": 1, "negative": -1}.get(entry.label, 0)
    elif entry.kind == "type":
        base = 1 if entry.label in _POSITIVE_TYPES else -1 if entry.label in _NEGATIVE_TYPES else 0
        if hit.negated and base < 0:
            return 0  # "не жалоба" says nothing
    else:
        return 0
    return -base if hit.negated else base


def _phrase_at(tokens: list[Token], start: int, phrase: tuple[str, ...]) -> bool:
    for offset, norm in enumerate(phrase):
        token = tokens[start + offset]
        if token.boundary:
            return False
        if norm.endswith("*"):
            if not (token.surface.startswith(norm[:-1]) or token.norm.startswith(norm[:-1])):
                return False
        elif token.norm != norm:
            return False
    return True


def _longest_per_kind(
    candidates: list[tuple[_Entry, int, int]],
) -> list[tuple[_Entry, int, int]]:
    """Within each kind, a match inside a longer one is dropped; equal spans all count."""
    chosen: list[tuple[_Entry, int, int]] = []
    spans: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for entry, start, end in sorted(candidates, key=lambda c: (-(c[2] - c[1]), c[1])):
        taken = spans[entry.kind]
        if any(start < e and s < end and (s, e) != (start, end) for s, e in taken):
            continue
        taken.append((start, end))
        chosen.append((entry, start, end))
    return chosen


def _normalise(raw: dict[str, float]) -> dict[str, float]:
    total = sum(raw.values())
    return {name: value / total for name, value in raw.items()}


@lru_cache(maxsize=4)
def default_rules() -> RuleSet:
    """The rules of the shipped taxonomy, compiled once per process."""
    return RuleSet(load_taxonomy())
