"""Advice that scolds: a wish about how the company behaves now is a complaint (issue 13).

"better hire drivers who can read a map", "Try hiring someone who knows what a refund is",
«Охрану бы получше поставили», «поменьше бы маркетинга», «Было бы лучше, если бы ваш мастер
хотя бы предупредил», «deberían enseñarle a sus repartidores a leer la dirección», «mending
kurirnya diajarin sopan dulu», «ياريت تعلموا موظف الاستقبال الاحترام»: each is worded as advice
or a wish, and reads as a suggestion (or, by its "better", as praise), yet it says the staff or
the service fall short today. The labelling rule of otklik's comment sets
(``tests/data/comments_issue_kinds.md``): "a 'would be better / I wish' aimed at how staff or
the service behave now is a complaint; a new feature stays a suggestion" — so «лучше бы добавили
тёмную тему», "would be better if the app let you pick a slot" and "better size filters would
be nice" are left alone.

:func:`scolding_advice` finds, in one text's tokens, the word that opens such advice. The kinds,
by language:

* **teach, train or hire them** — a command to do so that opens a clause ("perhaps teach the
  front desk…", «Научите курьеров…», «Contraten más gente», «علموا المناديب…»), after "better",
  «mending», «احسن», "deberían", «ياريت» («ياريت تعلموا…»);
* **try doing your job** — "try" and a verb in -ing opening a clause ("try picking up the phone
  once in a while"), and "better" or "maybe/perhaps/next time" with a verb of the job ("better
  fix your app before…", "next time maybe check the room…");
* **the least they could do** — a wish that asks for the least («хоть», «хотя бы», "at least",
  "even once", «aunque sea», «al menos», «ولو»): «если бы ваш врач хоть смотрел в карту», "would
  be nice if someone at least replied", «ojalá sus operadores escucharan aunque sea una vez»;
* **more of a behaviour, or less** — «бы» with a comparative of manner and a past verb («бы
  получше поставили», «почаще мыли»), «поменьше бы», "a bit less attitude…", "más les vale…",
  "deberían preocuparse más por sus clientes y menos por…", «ياريت تهتمون بالعملاء أكثر من…»;
* **staff in a "would be better if"** — "Would be better if your agents didn't hang up";
* **said to the staff** — "should" after "your" and a person of the company or after "you"
  with a verb of the job ("your agents should read the ticket history…", "you guys should
  sort out your billing", not "you should add a dark mode"), "how about your nurses…", "I'd
  suggest your cabin crew…"; «ваш мастер», «ваши сотрудники» in a wish with «бы», «хорошо бы
  проводникам напомнить», «вам бы …, а не …», «надо» with a comparative («быстрее надо
  работать»), «можно было и предупредить»; «deberían poner más cajeros», «sería mejor que en
  recepción…»; «lain kali …», «lebih diperhatiin …»; «ياريت الموظفين …»;
* **let them do better** — «Пусть ваш монтажник в следующий раз…», «пусть обезболивает
  получше», «Контролёрам не мешало бы знать…», «подумайте о том, чтобы нанимать…», "Someone
  ought to tell your cabin crew…", "Perhaps the nursery staff could…", "Put more than one
  pharmacist on…", «ojalá los taxistas…», «خلوا الدكتور…»;
* **scorn by comparison** — «Дешевле самому съездить в Казань, чем получить от вас ответ»,
  "faster to walk to the branch than to get a reply from you".

Each check starts from a small set of words, so a text with none of them costs one set look-up
per word. The caller (:func:`otklik.classify.rules.RuleSet.analyse`) treats the position as a
rebuke: a stated failure in its clause, whose wish, question and praise words no longer count.
"""

from __future__ import annotations

from itertools import pairwise

from otklik.classify.text import Token, addressed_verb, any_of, grammemes, opens_clause

__all__ = ["scolding_advice"]

# Words before a command that still let it open its clause
_EN_LEADS = frozenset(
    ["maybe", "perhaps", "better", "just", "please", "pls", "and", "so", "then", "time", "next",
     "you", "guys", "seriously", "honestly", "how", "about", "might", "want", "to", "should",
     "you'd", "youd", "do", "well", "really", "probably"]
)  # fmt: skip
_EN_TEACH = frozenset(["teach", "train", "hire", "fire", "educate", "retrain", "coach", "learn"])
# Verbs of the job after "better" or "maybe / perhaps / next time" ("better fix your app",
# "next time maybe check the room"), not of a feature ("maybe add a dark mode")
_EN_JOB = _EN_TEACH | frozenset(
    ["fix", "check", "learn", "sort", "stop", "start", "answer", "pick", "listen", "read",
     "respond", "reply", "clean", "look", "think", "tell", "get", "make"]
)  # fmt: skip
_EN_SOFTENERS = frozenset(["maybe", "perhaps"])
_EN_STAFF = frozenset(
    ["agent", "agents", "staff", "driver", "drivers", "courier", "couriers", "operator",
     "operators", "cashier", "cashiers", "employee", "employees", "rep", "reps", "desk",
     "team", "technician", "technicians", "doctor", "doctors", "waiter", "waiters", "manager",
     "managers", "guy", "guys", "someone", "anyone", "somebody", "anybody", "people",
     "receptionist", "nurse", "nurses", "support", "engineer", "engineers", "crew", "tech",
     "techs", "cleaners", "movers", "installer", "installers", "guards", "security", "clerk",
     "clerks", "tellers", "pharmacist", "pharmacists", "dispatcher", "dispatchers", "workers"]
)  # fmt: skip
_EN_ANYONE = frozenset(["someone", "anyone", "somebody", "anybody", "people", "guy", "guys"])
_EN_MANNERS = frozenset(["care", "attention", "patience", "respect", "effort", "courtesy"])
_EN_EASIER = frozenset(["easier", "faster", "quicker", "better"])
_EN_TELL = frozenset(["tell", "teach", "train", "remind", "explain", "talk", "show"])
_EN_NOT_DONE = frozenset(["didn't", "didnt", "wouldn't", "wouldnt", "weren't", "wasn't"])
_EN_LEAST = (("at", "least"), ("even", "once"), ("once", "in"), ("for", "once"))
_EN_WISHES = frozenset(["would", "wish", "could", "if", "'d", "it'd", "itd"])
_EN_LESS = frozenset(["less", "fewer"])
# What "less / fewer" asks of their behaviour, not of a product ("less sugar option"): words
# of attitude and of what they push on customers, and the staff
_EN_LESS_OF = _EN_STAFF | frozenset(
    ["attitude", "rudeness", "excuses", "ads", "spam", "emails", "calls", "promos", "promo",
     "marketing", "waiting", "scripts", "script", "talking", "upselling", "upsell", "pushing"]
)  # fmt: skip
# Whom "train" takes as its object ("train your staff"), not the train ("train on time")
_EN_TRAINED = _EN_STAFF | frozenset(["your", "the", "them", "those", "these", "their", "whoever"])
_EN_LESS_LEADS = frozenset(
    ["a", "bit", "little", "lot", "way", "much", "and", "just", "please", "maybe", "perhaps"]
)
# Who "should" do better: the company or its staff ("you guys should sort out…", "your agents
# should read…"), not the writer ("I should have…") nor a feature ("you should add…")
_EN_YOU = frozenset(["you", "u", "ya", "guys", "y'all", "yall"])

_RU_TEACH = frozenset(["научить", "обучить", "нанять", "уволить", "переобучить", "натаскать"])
# How the imperatives of _RU_TEACH begin («научите», «наймите», «увольте», «переобучите»)
_RU_TEACH_STARTS = ("научи", "обучи", "найми", "увол", "переобучи", "натаска")
# A Russian text with none of these words, and no «бы», holds no scolding advice
_RU_GATE = any_of(
    " " + word
    for word in (
        "поменьше", "меньше", "хоть", "хотя", "думать", "надо", "нужно", "стоит", "следует",
        "можно было и", "пусть", "мешало", "нанимать", "проще", "легче", "дешевле", "быстре",
        "лучше", "обучать", "учить", "увольнять",
    )
)  # fmt: skip
_RU_TEACH_GATE = any_of(" " + start for start in _RU_TEACH_STARTS)
_RU_LEADS = frozenset(
    ["лучше", "может", "пожалуйста", "уже", "вы", "наконец", "так", "сначала", "ну", "да"]
)
_RU_ME = frozenset(["меня", "нас", "мне", "нам"])
_RU_LEAST = frozenset(["хоть", "хотя"])
_RU_LEAST_OF = frozenset(
    ["раз", "иногда", "изредка", "немного", "чуть", "один", "одного", "одну", "одна", "слово"]
)
# Verbs of a feature after «хотя бы» («хотя бы видеть историю за год»): a wish, no rebuke
_RU_FEATURE_VERBS = ("сдела", "добав", "ввод", "ввес", "видет", "продл", "брон", "работа")
# Comparatives of how they should behave: «бы … получше поставили», «почаще мыли»
_RU_MORE = frozenset(["побольше", "поболее"])  # more of a thing: a wish for a feature as often
_RU_LESS = frozenset(["поменьше", "меньше"])
_BY = frozenset(["бы", "б"])
_RU_MUST = frozenset(["надо", "нужно", "стоит", "следует"])
_SELF = frozenset(["я", "мы", "мне", "нам", "меня", "нас"])
_RU_STAFF = frozenset(
    ["сотрудник", "оператор", "мастер", "курьер", "водитель", "врач", "кассир", "менеджер",
     "персонал", "администратор", "охрана", "охранник", "продавец", "консультант",
     "специалист", "техник", "диспетчер", "медсестра", "официант", "горничная", "грузчик",
     "монтажник", "сантехник", "электрик", "доктор", "работник", "служащий", "агент",
     "проводник", "кондуктор", "стюардесса", "повар", "тренер", "преподаватель", "учитель",
     "юрист", "вахтёр", "вахтер", "контролёр", "контролер", "риелтор", "риэлтор",
     "воспитатель", "фельдшер", "регистратор", "провизор", "фармацевт", "таксист", "портье",
     "бариста", "инструктор", "кассирша", "сиделка", "няня", "логист", "установщик"]
)  # fmt: skip
# Infinitives of teaching, hiring and firing after a word that advises («подумайте о том, чтобы
# нанимать кассиров…», «пора уволить этого курьера», «стоит обучить персонал»)
_RU_HIRE = frozenset(
    ["нанимать", "нанять", "обучать", "обучить", "научить", "учить", "увольнять", "уволить",
     "переобучить", "переучить"]
)  # fmt: skip
_RU_PRICE = frozenset(["подешевле", "подороже"])  # «пусть сделают подешевле»: a wish
# Words that open scorn by comparison: «Проще … самому, чем от вас…»
_RU_EASIER = frozenset(["проще", "легче", "дешевле", "быстрее", "быстрей"])
# «Пусть ваш монтажник в следующий раз забирает…»: next time, so not this time; without it
# «пусть курьер звонит за час до приезда» asks for a feature
_RU_NEXT_TIME = frozenset(["следующий", "впредь", "наконец", "уже", "хоть", "хотя", "нормально"])
_RU_ADVISES = frozenset(
    ["подумайте", "пора", "стоит", "следует", "мешало", "советую", "рекомендую", "надо", "нужно",
     "чтобы", "попробуйте"]
)  # fmt: skip

_ES_TEACH = frozenset(
    ["contraten", "capaciten", "enseñen", "entrenen", "eduquen", "aprendan", "despidan",
     "formen", "formad", "enseñad", "contratad", "capacitad", "entrenad", "despedid"]
)  # fmt: skip
_ES_ADVISE = frozenset(
    ["recomendaría", "recomendaria", "recomiendo", "sugiero", "sugeriría", "sugeriria", "aconsejo",
     "aconsejaría", "aconsejaria"]
)  # fmt: skip
_ES_SHOULD = frozenset(["deberían", "deberian", "tendrían", "tendrian"])
_ES_TEACH_INF = (
    "enseñar", "capacitar", "contratar", "entrenar", "aprender", "preocupar", "escuchar",
    "educar", "despedir", "revisar", "fijar", "atender",
)  # fmt: skip
_ES_LEAST = (("aunque", "sea"), ("al", "menos"), ("por", "lo"))
_ES_PUT = frozenset(["poner", "tener", "contratar", "meter"])
_ES_STAFF = frozenset(
    ["cajeros", "cajeras", "personal", "empleados", "operadores", "repartidores", "meseros",
     "técnicos", "tecnicos", "gente", "recepción", "recepcion", "recepcionistas", "choferes",
     "conductores", "agentes", "asesores", "enfermeras", "médicos", "medicos", "guardias",
     "vendedores", "trabajadores", "taxistas", "taxista", "cajera", "mesera",
     "meseras", "doctores", "doctora", "enfermeros", "chofer", "conductor", "repartidor"]
)  # fmt: skip
_ES_WISHES = frozenset(["ojalá", "ojala", "sería", "seria", "deberían", "deberian", "si"])

_ID_BETTER = frozenset(["mending", "mendingan", "sebaiknya", "baiknya"])
_ID_SHOULD = frozenset(["harusnya", "seharusnya"])
_ID_STAFF = frozenset(
    ["satpam", "kurir", "kasir", "cs", "petugas", "karyawan", "pegawai", "dokter", "sopir",
     "driver", "perawat", "admin", "teknisi", "pelayan", "resepsionis", "staf", "staff"]
)  # fmt: skip
# What the staff should do better, after «mending» / «sebaiknya» and a person of the company
_ID_MANNERS = frozenset(
    ["cek", "periksa", "dicek", "diperiksa", "senyum", "ramah", "sopan", "teliti", "bales",
     "balas", "angkat", "jaga", "bersihin", "dibersihin", "perhatikan", "diperhatikan", "hati-hati",
     "tanggap", "respon", "sabar"]
)  # fmt: skip
_ID_ONCE_IN_A_WHILE = frozenset(["sekali2", "sekali-sekali", "sesekali", "sekali-kali"])
_ID_TEACH_STEMS = ("ajar", "latih", "didik", "benerin", "perbaiki", "betulin")

_AR_BETTER = frozenset(
    ["احسن", "أحسن", "الأحسن", "الاحسن", "الأفضل", "الافضل", "ياريت", "يا", "ليت", "لازم", "لكم",
     "لو", "سمحتوا", "سمحتم", "تكفون", "رجاء", "رجاءً", "ريت", "احسنلكم", "أحسنلكم", "رأيكم",
     "رايكم", "شو", "ايش"]
)  # fmt: skip
# How a 2nd-person plural verb of teaching, hiring, mending, caring, answering or checking
# begins («علموا», «تدربون», «صلحوا», «تهتمون», «تردوا», «تراجعوا»), not a past "they replied"
_AR_TEACH = (
    "علم", "درب", "تعلم", "تدرب", "تهتم", "تشوف", "توظف", "وظف", "صلح", "تصلح", "ترد", "تراجع",
    "تزود",
)  # fmt: skip
_AR_WISHES = frozenset(["ياريت", "ليت", "ريت", "اتمنى", "أتمنى", "نتمنى"])
_AR_STAFF = frozenset(
    ["الموظفين", "الموظف", "الموظفات", "المناديب", "المندوب", "الكابتن", "السواق", "السائق",
     "الكاشير", "الفني", "الفنيين", "الممرضات", "الدكتور", "الاستقبال", "العمال", "الحارس"]
)  # fmt: skip
_AR_LEAST = frozenset(["ولو", "الأقل", "الاقل"])


# The Russian words a check of _russian starts from (besides the prefixes in _russian)
_RU_WORDS = (
    _RU_LESS
    | _RU_LEAST
    | _RU_MUST
    | _RU_HIRE
    | _RU_EASIER
    | frozenset(
        ["думать", "и", "вам", "вы", "хорошо", "неплохо", "нелишне", "пусть", "мешало", "лучше"]
    )
)  # fmt: skip


def _clause(tokens: list[Token], i: int) -> tuple[int, int]:
    """[start, stop) of the words of the clause around ``tokens[i]``: split at any punctuation
    but commas (a clause of advice goes on after «,»: "better fix X, then …" is one piece)."""
    start = i
    while start > 0 and not (tokens[start - 1].boundary and tokens[start - 1].surface not in ","):
        start -= 1
    stop = i + 1
    while stop < len(tokens) and not (tokens[stop].boundary and tokens[stop].surface not in ","):
        stop += 1
    return start, stop


def _asks(tokens: list[Token], i: int) -> bool:
    """Whether the sentence of ``tokens[i]`` ends with a question mark ("maybe check it?")."""
    for token in tokens[i:]:
        if token.boundary and token.surface not in ",":
            return token.question
    return False


def _pairs(words: list[str]) -> set[tuple[str, str]]:
    return set(pairwise(words))


def _english(tokens: list[Token]) -> list[int]:
    found: list[int] = []
    words = [t.surface for t in tokens]
    for i, word in enumerate(words):
        after = words[i + 1] if i + 1 < len(words) else ""
        if (
            word in _EN_TEACH
            and opens_clause(tokens, i, _EN_LEADS)
            and after not in ("me", "us")
            and (word != "train" or after in _EN_TRAINED)
        ):
            found.append(i)  # "perhaps teach the front desk to…", "hire more people"
        elif word == "try" and after.endswith("ing") and opens_clause(tokens, i, _EN_LEADS):
            found.append(i)  # "try picking up the phone once in a while"
        elif (
            word in _EN_JOB
            and i
            and (words[i - 1] == "better" or words[i - 1] in _EN_SOFTENERS)
            and opens_clause(tokens, i, _EN_LEADS)
            and not _asks(tokens, i)
        ):
            found.append(i)  # "better fix your app before…", "next time maybe check…"
        elif (
            word in _EN_LESS
            and opens_clause(tokens, i, _EN_LESS_LEADS)
            and not _EN_LESS_OF.isdisjoint(words[i + 1 : _clause(tokens, i)[1]])
        ):
            found.append(i)  # "a bit less attitude at the front desk would go a long way"
        elif word == "should" and not _asks(tokens, i) and _staff_should(words, i):
            found.append(i)  # "your agents should read the ticket history before asking…"
        elif (
            (word, after) in (("how", "about"), ("i'd", "suggest"), ("i", "suggest"))
            and "your" in words[i + 2 : i + 4]
            and not _EN_STAFF.isdisjoint(words[i + 2 : i + 6])
        ):
            found.append(i)  # "how about your nurses read the chart…", "I'd suggest your crew…"
        elif (
            word == "clean"
            and after in ("the", "your", "up")
            and opens_clause(tokens, i, _EN_LEADS)
        ):
            found.append(i)  # "clean the locker rooms maybe? they smell like a swamp"
        elif (
            word in ("ought", "needs", "should", "has")
            and i
            and words[i - 1] in ("someone", "somebody")
            and not _EN_TELL.isdisjoint(words[i + 1 : i + 4])
        ):
            found.append(i)  # "Someone ought to tell your cabin crew we can hear them…"
        elif word in _EN_SOFTENERS and _staff_could(words, i) and not _asks(tokens, i):
            found.append(i)  # "Perhaps the nursery staff could wash their hands between…"
        elif (
            word == "put"
            and after == "more"
            and opens_clause(tokens, i, _EN_LEADS)
            and not _EN_STAFF.isdisjoint(words[i + 2 : i + 7])
        ):
            found.append(i)  # "Put more than one pharmacist on a Saturday, the line was…"
        elif word == "more" and after in _EN_MANNERS and "next" in words[i + 2 :]:
            found.append(i)  # "a bit more care with the dye next time would be appreciated"
        elif word in _EN_EASIER and _en_easier(words, i):
            found.append(i)  # "easier to drive there myself than to get an answer from you"
        elif words[i : i + 4] == ["have", "a", "word", "with"]:
            found.append(i)  # "I'd have a word with whoever packed this."
        elif word == "if" and i >= 2 and words[i - 1] == "better":
            rest = set(words[i + 1 : _clause(tokens, i)[1]])
            if rest & (_EN_STAFF | _EN_NOT_DONE):
                found.append(i)  # "Would be better if your agents didn't hang up mid sentence"
    if not found and any(pair in _pairs(words) for pair in _EN_LEAST):
        found += _least(tokens, _EN_LEAST, _EN_WISHES)
    return found


def _en_easier(words: list[str], i: int) -> bool:
    """Whether "easier / faster / quicker" (or "do better") at ``i`` compares the company's work
    with doing without it: "…than to get an answer from you", "you'd do better fixing the
    heating than sending newsletters"."""
    rest = words[i + 1 : i + 20]
    if "than" not in rest:
        return False
    if words[i] == "better":
        return i > 0 and words[i - 1] == "do" and rest[0].endswith("ing")
    after = rest[rest.index("than") + 1 :]
    return bool({"you", "your", "yours"} & set(after[:8])) or "myself" in rest


def _staff_could(words: list[str], i: int) -> bool:
    """Whether "maybe" / "perhaps" at ``i`` opens "the staff could / should …": a person of the
    company, then a verb of ability or duty ("perhaps the nursery staff could wash their
    hands"), not "maybe someone could help me" (a request)."""
    for j in range(i + 1, min(i + 5, len(words) - 1)):
        if words[j] in _EN_STAFF and words[j] not in _EN_ANYONE:
            return words[j + 1] in ("could", "should", "might", "need", "can")
    return False


def _staff_should(words: list[str], i: int) -> bool:
    """Whether "should" at ``i`` tells the staff what to do ("your agents should read…": a
    staff noun after "your" before it) or the company to do its job ("you guys should sort out
    your billing": "you" and a verb of the job after it)."""
    before = words[max(0, i - 3) : i]
    if "your" in before and not _EN_STAFF.isdisjoint(before):
        return True
    j = i + 1 + (i + 1 < len(words) and words[i + 1] in ("really", "probably", "seriously"))
    after = words[j] if j < len(words) else ""
    if not before or before[-1] not in _EN_YOU:
        return False
    # "you guys should sort out…"; "you should really have more than one cashier on a saturday"
    return after in _EN_JOB or (
        after in ("have", "get", "put") and not _EN_STAFF.isdisjoint(words[j + 1 : j + 6])
    )


def _least(
    tokens: list[Token], least: tuple[tuple[str, str], ...], wishes: frozenset[str]
) -> list[int]:
    """Positions of "at least" (its kin in ``least``) inside a clause that wishes (a word of
    ``wishes``): "would be nice if someone at least replied"."""
    found = []
    for i in range(len(tokens) - 1):
        if (tokens[i].surface, tokens[i + 1].surface) in least:
            start, stop = _clause(tokens, i)
            if any(t.surface in wishes for t in tokens[start:stop]) and not _asks(tokens, i):
                found.append(i)
    return found


def _russian(tokens: list[Token]) -> list[int]:
    found: list[int] = []
    words = [t.surface for t in tokens]
    has_by = not _BY.isdisjoint(words)
    joined = " " + " ".join(words)
    teach = _RU_TEACH_GATE.search(joined) is not None
    if not (has_by or teach) and _RU_GATE.search(joined) is None:
        return found
    starts = (("по", "ваш") if has_by else ()) + (_RU_TEACH_STARTS if teach else ())
    for i, word in enumerate(words):
        if word not in _RU_WORDS and not (starts and word.startswith(starts)):
            continue  # most words: one set look-up
        if word in _RU_LESS and (
            (i + 1 < len(words) and words[i + 1] in _BY) or (i and words[i - 1] in _BY)
        ):
            found.append(i)  # «поменьше бы маркетинга и побольше живых операторов»
        elif word in _RU_LEAST and _least_is_rebuke(words, i):
            found.append(i)  # «хоть бы раз перезвонили», «если бы ваш врач хоть смотрел…»
        elif (
            has_by
            and word.startswith("по")
            and word not in _RU_MORE
            and word not in _RU_PRICE
            and len(word) > 5
        ):
            if "Cmp2" not in grammemes(word):
                continue
            start, stop = _clause(tokens, i)
            near = words[start:stop]
            if not _BY.isdisjoint(near) and any(
                {"VERB", "past", "plur"} <= grammemes(w) for w in near
            ):
                found.append(i)  # «Охрану бы получше поставили», «лучше бы полы почаще мыли»
        elif (
            word.startswith(_RU_TEACH_STARTS)
            and len(word) > 5
            and (i + 1 >= len(words) or words[i + 1] not in _RU_ME)
            and addressed_verb(word) in _RU_TEACH
            and opens_clause(tokens, i, _RU_LEADS)
        ):
            found.append(i)  # «Научите курьеров вежливости», «лучше наймите людей»
        elif word == "думать" and i >= 2 and words[i - 2 : i] == ["надо", "было"]:
            found.append(i)  # «Раньше надо было думать»
        elif word == "и" and i >= 2 and words[i - 2 : i] == ["можно", "было"]:
            if i + 1 < len(words) and "INFN" in grammemes(words[i + 1]):
                found.append(i)  # «в принципе можно было и предупредить…»
        elif word in _RU_MUST and _must_do_better(words, i):
            found.append(i)  # «быстрее надо работать», «надо лучше контролировать подрядчиков»
        elif (
            word in ("вам", "вы")
            and i + 1 < len(words)
            and words[i + 1] in _BY
            and _instead_of_now(words, i + 2, _clause(tokens, i)[1])
        ):
            found.append(i)  # «вам бы врачей нормальных набрать, а не ремонт в холле делать»
        elif (
            word in ("хорошо", "неплохо", "нелишне")
            and i + 1 < len(words)
            and words[i + 1] in _BY
            and i + 2 < len(tokens)
            and tokens[i + 2].norm in _RU_STAFF
        ):
            found.append(i)  # «хорошо бы проводникам напомнить, что туалет открывают…»
        elif has_by and word.startswith("ваш") and _staff_wished(tokens, i):
            found.append(i)  # «хотелось бы, чтобы ваши сотрудники брали трубку…»
        elif word == "пусть" and _let_them_do_better(tokens, words, i):
            found.append(i)  # «Пусть ваш монтажник в следующий раз забирает за собой обрезки»
        elif (
            word == "мешало"
            and i
            and words[i - 1] == "не"
            and i + 1 < len(words)
            and words[i + 1] in _BY
            and any(t.norm in _RU_STAFF for t in tokens[slice(*_clause(tokens, i))])
        ):
            found.append(i)  # «Контролёрам не мешало бы знать, что проездной действует…»
        elif word in _RU_EASIER and _easier_myself(tokens, words, i):
            found.append(i)  # «Дешевле самому съездить в Казань, чем получить от вас ответ»
        elif (
            word == "лучше"
            and i + 1 < len(words)
            and words[i + 1] in _BY
            and _instead_of_now(words, i + 2, _clause(tokens, i)[1])
            and any(t.norm in _RU_STAFF for t in tokens[slice(*_clause(tokens, i))])
        ):
            found.append(i)  # «Воспитателям лучше бы за детьми следить, а не в телефоне сидеть»
        elif word in _RU_HIRE and _advised(tokens, i):
            found.append(i)  # «подумайте о том, чтобы нанимать кассиров, которые умеют…»
    return found


def _let_them_do_better(tokens: list[Token], words: list[str], i: int) -> bool:
    """Whether «пусть» at ``i`` tells a person of the company to do better: the person, then
    next time («Пусть ваш монтажник в следующий раз забирает…»), or a comparative of how
    («передайте стоматологу, пусть обезболивает получше»); not a wish for the service («пусть
    курьер звонит за час до приезда») nor for a price («пусть сделают подешевле»)."""
    stop = _clause(tokens, i)[1]
    after = words[i + 1 : stop]
    if any(t.norm in _RU_STAFF for t in tokens[i + 1 : i + 4]) and not _RU_NEXT_TIME.isdisjoint(
        after
    ):
        return True
    return any(
        w not in _RU_MORE and w not in _RU_PRICE and w.startswith("по") and "Cmp2" in grammemes(w)
        for w in after
    )


def _easier_myself(tokens: list[Token], words: list[str], i: int) -> bool:
    """Whether a clause opening with «проще» / «дешевле» / «быстрее» (at ``i``) goes on to «чем»
    and the company: «Дешевле самому съездить в Казань, чем получить от вас ответ», «Проще
    закрыть вашу автомастерскую, чем дождаться…» — scorn, not a comparison of prices."""
    if not opens_clause(tokens, i, _RU_LEADS):
        return False
    rest = words[i + 1 : i + 25]
    if "чем" not in rest:
        return False
    after = rest[rest.index("чем") + 1 :]
    return any(w.startswith(("ваш", "вас", "дожда", "дозвон", "добить")) for w in after[:6]) or (
        "самому" in rest or "самой" in rest
    )


def _advised(tokens: list[Token], i: int) -> bool:
    """Whether the infinitive at ``i`` follows, in its sentence, a word that advises the company
    («подумайте», «пора», «стоит», «не мешало бы»…) said not of the writer («мне стоит научить
    ребёнка…»)."""
    start = _clause(tokens, i)[0]  # a clause runs over commas: «подумайте о том, чтобы нанимать»
    near = [t.surface for t in tokens[max(start, i - 6) : i]]
    return (
        not _RU_ADVISES.isdisjoint(near)
        and _SELF.isdisjoint(near)
        and "ли" not in near
        and not _asks(tokens, i)
    )


def _must_do_better(words: list[str], i: int) -> bool:
    """Whether «надо» (its kin in _RU_MUST) at ``i`` has a comparative beside it that tells
    them to do better («быстрее надо работать», «аккуратнее надо с багажом», «надо лучше
    контролировать»), said not of the writer («мне надо быстрее оформить»)."""
    near = [*words[max(0, i - 2) : i], *words[i + 1 : i + 3]]
    if not _SELF.isdisjoint(near):
        return False
    return any(w not in _RU_MORE and _comparative(w) for w in near)


def _instead_of_now(words: list[str], start: int, stop: int) -> bool:
    """Whether ``words[start:stop]`` compare with what they do now: «…, а не …», «…, чем …»."""
    near = words[start:stop]
    return "чем" in near or ("а", "не") in set(pairwise(near))


def _comparative(word: str) -> bool:
    tags = grammemes(word)
    return "COMP" in tags or "Cmp2" in tags


def _staff_wished(tokens: list[Token], i: int) -> bool:
    """Whether «ваш…» at ``i`` names a person of the company («ваш мастер», «ваши сотрудники»)
    inside a clause that wishes with «бы»: how they behave, not a feature."""
    if i + 1 >= len(tokens) or tokens[i + 1].norm not in _RU_STAFF:
        return False
    start, stop = _clause(tokens, i)
    return any(t.surface in _BY for t in tokens[start:stop])


def _least_is_rebuke(words: list[str], i: int) -> bool:
    """Whether «хоть» or «хотя бы» at ``i`` asks the company for the least it could do: «хоть
    бы …» («хоть бы предупредили»), «вы бы хоть …», the least of a time or a person («хоть раз»,
    «хотя бы иногда», «хоть одного юриста», «хоть бы кто-нибудь») or of a behaviour, a verb
    («хоть смотрел в карту», «хотя бы здороваться»). Not the least of a feature («сделайте
    хотя бы на 2 дня», «добавьте хотя бы уголок», «хотя бы до 20:00»), nor «хоть» as
    "although" («хоть и дорого»)."""
    by = i + 1 < len(words) and words[i + 1] in _BY
    if words[i] == "хотя" and not by:
        return False  # «хотя»: "although"
    if words[i] == "хоть" and by:
        return True
    if i >= 2 and words[i - 1] in _BY and words[i - 2] in ("вы", "вам"):
        return True
    at = i + 1 + by
    after = words[at] if at < len(words) else ""
    if after in _RU_LEAST_OF or after.startswith("кто"):
        return True
    tags = grammemes(after) if after else frozenset()
    return ("VERB" in tags or "INFN" in tags) and not after.startswith(_RU_FEATURE_VERBS)


def _spanish(tokens: list[Token]) -> list[int]:
    found: list[int] = []
    words = [t.surface for t in tokens]
    for i, word in enumerate(words):
        after = words[i + 1] if i + 1 < len(words) else ""
        if word in _ES_TEACH and opens_clause(tokens, i, frozenset(["mejor", "por", "favor", "y"])):
            found.append(i)  # «Contraten más gente, que la fila llega hasta la calle»
        elif (word in _ES_SHOULD or word in _ES_ADVISE) and after.startswith(_ES_TEACH_INF):
            found.append(i)  # «deberían enseñarle a sus repartidores…», «les recomendaría revisar…»
        elif word in ("ojalá", "ojala") and not _ES_STAFF.isdisjoint(words[i + 1 : i + 4]):
            found.append(i)  # «ojalá los taxistas manejaran con más cuidado, casi chocamos»
        elif (word, after) == ("más", "les") and i + 2 < len(words) and words[i + 2] == "vale":
            found.append(i)  # «más les vale arreglar su app antes de…»
        elif word in _ES_SHOULD and after in _ES_PUT and _ES_STAFF & set(words[i + 2 : i + 5]):
            found.append(i)  # «deberían poner más cajeros» (not «… más sabores de helado»)
        elif (
            word in ("mejor", "bueno")
            and after in ("que", "si")
            and not _ES_STAFF.isdisjoint(words[i + 2 : _clause(tokens, i)[1]])
        ):
            found.append(i)  # «sería mejor que en recepción contestaran el teléfono…»
    if not found and any(pair in _pairs(words) for pair in _ES_LEAST):
        found += _least(tokens, _ES_LEAST, _ES_WISHES)
    return found


def _indonesian(tokens: list[Token]) -> list[int]:
    found: list[int] = []
    for i, token in enumerate(tokens):
        if token.surface in _ID_BETTER:
            start, stop = _clause(tokens, i)
            if any(_id_teaches(t) for t in tokens[i + 1 : stop]):
                found.append(i)  # «mending kurirnya diajarin sopan dulu deh»
            elif any(
                _id_staff(t) or t.surface == "pihak"
                for t in (*tokens[max(start, i - 2) : i], *tokens[i + 1 : i + 4])
            ) and any(t.surface in _ID_MANNERS for t in tokens[i + 1 : stop]):
                found.append(i)  # «kasirnya mending senyum dikit», «sebaiknya pihak hotel cek…»
        elif (
            token.surface == "lain"
            and i + 1 < len(tokens)
            and tokens[i + 1].surface == "kali"
            and opens_clause(tokens, i, frozenset(["tolong", "mohon", "ya", "kak"]))
        ):
            found.append(i)  # «lain kali petugas pln … kabarin warga dulu»
        elif (
            token.surface == "lebih"
            and i + 1 < len(tokens)
            and tokens[i + 1].surface.startswith(("diperhati", "dijaga"))
        ):
            found.append(i)  # «tolong lebih diperhatiin kebersihan kamar mandinya»
        elif token.surface in _ID_SHOULD and any(
            _id_staff(t) for t in tokens[i + 1 : min(i + 4, _clause(tokens, i)[1])]
        ):
            found.append(i)  # «harusnya kasir ditambah kalo weekend»
        elif token.surface == "coba" and (
            any(t.surface in _ID_ONCE_IN_A_WHILE for t in tokens[i + 1 : i + 3])
            or [t.surface for t in tokens[i + 1 : i + 3]]
            in (["sekali", "sekali"], ["sekali", "kali"])
        ):
            found.append(i)  # «coba sekali2 CS-nya bales chat dalam sehari»
    return found


def _id_staff(token: Token) -> bool:
    """Whether an Indonesian word names a person of the company («kasir», «satpamnya»,
    «CS-nya»)."""
    word = token.surface.removesuffix("-nya").removesuffix("nya")
    return word in _ID_STAFF or token.norm in _ID_STAFF


def _id_teaches(token: Token) -> bool:
    """Whether an Indonesian word teaches or mends: «ajarin», «diajarin», «latih», «benerin»."""
    word = token.surface
    return (
        word.startswith(_ID_TEACH_STEMS)
        or token.norm.startswith(_ID_TEACH_STEMS)
        or (word.startswith(("di", "ng")) and word[2:].startswith(_ID_TEACH_STEMS))
    )


def _arabic(tokens: list[Token]) -> list[int]:
    found: list[int] = []
    for i, token in enumerate(tokens):
        word = token.surface
        plural = word.endswith(("وا", "ون"))
        if (
            plural
            and word.startswith(_AR_TEACH)
            and (opens_clause(tokens, i, _AR_BETTER) or (i and tokens[i - 1].surface in _AR_BETTER))
        ):
            found.append(i)  # «علموا المناديب…», «ياريت تعلموا…», «احسن تشوفوا لكم…»
        elif word in ("خلوا", "خلي", "خلو") and any(
            t.surface in _AR_STAFF for t in tokens[i + 1 : i + 3]
        ):
            found.append(i)  # «خلوا الدكتور يكون أرحم شوية مع الأطفال»
        elif word in _AR_WISHES and i + 1 < len(tokens) and tokens[i + 1].surface in _AR_STAFF:
            found.append(i)  # «ياريت الموظفين يردوا على التليفون بدل ما يسيبوه يرن»
        elif word in _AR_LEAST and not _asks(tokens, i):
            start = _clause(tokens, i)[0]
            if any(t.surface in _AR_BETTER for t in tokens[start:i]):
                found.append(i)  # «ياريت يردون ولو مرة»
    return found


_BY_LANGUAGE = {
    "en": _english,
    "ru": _russian,
    "es": _spanish,
    "id": _indonesian,
    "ar": _arabic,
}


def scolding_advice(tokens: list[Token], language: str) -> list[int]:
    """Positions in ``tokens`` (from :func:`otklik.classify.text.tokenize`) of the words that
    open advice or a wish scolding the company (see the module's docstring); ``[]`` for a
    language other than ru, en, es, id, ar or a text with none."""
    reader = _BY_LANGUAGE.get(language)
    return reader(tokens) if reader is not None and tokens else []
