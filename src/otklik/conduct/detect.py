"""Detection of abusive, threatening and harassing customer messages by a reviewed lexicon.

The lexicon (``data/lexicon.yaml``) is our own work; its header explains how each kind of rule
matches. A message is cut into tokens; every token gets a Cyrillic-mode and/or a Latin-mode
normal form that undoes the usual obfuscations (look-alike letters and digits, inserted symbols,
repeated letters, letters spaced out, masked letters), and rules match those forms. Each flag
keeps the span of the original text it matched (``evidence``), its category and a confidence.

Mere negativity is not abuse: "ужасный сервис, верните деньги", "вы мошенники?", "I will sue
you" stay clean; so do words that merely contain an obscene-looking piece ("употреблять",
"оскорблять", "страхуй", "плохую", "хлебало" in the sense of nothing aimed) and figures of speech
("убью время", "kill the process"). docs/conduct.md lists the decisions.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from otklik.conduct.anchors import PhrasePlan, phrase_plan

__all__ = [
    "CATEGORIES",
    "DEFAULT_LEXICON",
    "NONE",
    "Flag",
    "Lexicon",
    "detect",
    "is_abusive",
    "load_lexicon",
    "mask",
    "model_flags",
]

CATEGORIES: tuple[str, ...] = ("obscenity", "insult", "threat", "harassment")
NONE = "none"  # the trained model's label for a clean text (otklik.conduct.model)
DEFAULT_LEXICON = Path(str(resources.files("otklik.conduct") / "data" / "lexicon.yaml"))

_CYR = re.compile(r"[а-яё]", re.IGNORECASE)
_FOLLOWING = re.compile(r"[ \t]*(.?)", re.DOTALL)
_LAT = re.compile(r"[a-z]", re.IGNORECASE)
# Look-alikes and digits → Cyrillic, applied before lower-casing (B looks like В, b like б).
_LOOK = str.maketrans(
    {
        "A": "а", "a": "а", "B": "в", "b": "б", "C": "с", "c": "с", "E": "е", "e": "е",
        "H": "н", "h": "х", "K": "к", "k": "к", "M": "м", "m": "м", "O": "о", "o": "о",
        "P": "р", "p": "р", "T": "т", "t": "т", "X": "х", "x": "х", "Y": "у", "y": "у",
        "u": "и", "U": "и", "n": "п", "r": "г", "d": "д", "D": "д", "0": "о", "3": "з",
        "4": "ч", "6": "б", "9": "я", "@": "а", "$": "с", "Ё": "е", "ё": "е", "i": "и",
        "I": "и", "1": "и", "z": "з", "Z": "з",
    }
)  # fmt: skip
_LEET = str.maketrans(
    {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "@": "a", "$": "s", "7": "t"}
)
_TOKEN = re.compile(r"[^\s—–,;:!?()\[\]«»\"/…]+")
_EDGE = ".-_'`~^"
_CLAUSE_END = set(".!?;…")
_MASKS = "*#"
# "держите клиентов за дураков", "take me for an idiot": the insult is about the customer.
_TAKEN_FOR = {"за", "for"}


def mask(text: str) -> str:
    """Keep each word's first letter and replace its other letters with asterisks."""

    def one(m: re.Match[str]) -> str:
        word = m.group(0)
        return word[0] + "*" * (len(word) - 1)

    return re.sub(r"[^\W_][\w*@$#]*", one, text)


@dataclass(frozen=True)
class Flag:
    """One match: what kind of abuse, the original span, which rule, how sure."""

    category: str
    rule: str
    evidence: str
    start: int
    end: int
    confidence: float

    @property
    def masked(self) -> str:
        return mask(self.evidence)

    def to_dict(self, *, masked: bool = True) -> dict[str, Any]:
        return {
            "category": self.category,
            "rule": self.rule,
            "evidence": self.masked if masked else self.evidence,
            "start": self.start,
            "end": self.end,
            "confidence": self.confidence,
        }


@dataclass(frozen=True)
class _Rule:
    id: str
    lang: str
    kind: str
    category: str
    confidence: float
    pattern: re.Pattern[str]


@dataclass(frozen=True)
class Lexicon:
    rules: tuple[_Rule, ...]
    pronouns: dict[str, frozenset[str]]
    prepositions: dict[str, frozenset[str]]
    persons: dict[str, re.Pattern[str]]
    self_words: dict[str, frozenset[str]]
    reported: dict[str, re.Pattern[str]]
    masked: dict[str, tuple[str, ...]]
    window: int
    # Every word rule of a script in one pattern: most tokens are rejected by one match.
    any_word: dict[str, re.Pattern[str]]
    # (Cyrillic form, Latin form) of a word → whether a word rule could match it (see
    # _could_flag); filled as words are met, not part of the lexicon's identity
    word_may_hit: dict[tuple[str | None, str | None], bool] = field(
        default_factory=dict, compare=False, hash=False, repr=False
    )
    # Every phrase rule of a language in one pattern (None where a rule's pattern refers to its
    # own groups, which joining would renumber): whether any phrase rule matches, in one pass.
    any_phrase: dict[str, re.Pattern[str] | None] = field(
        default_factory=dict, compare=False, hash=False, repr=False
    )
    # The same answer as any_phrase, mostly from a set lookup of the words (see anchors.py)
    phrase_plans: dict[str, PhrasePlan | None] = field(
        default_factory=dict, compare=False, hash=False, repr=False
    )


def _parse_lexicon(data: dict[str, Any]) -> Lexicon:
    rules = []
    for raw in data["rules"]:
        if raw["category"] not in CATEGORIES:
            raise ValueError(f"lexicon rule {raw['id']}: unknown category {raw['category']}")
        rules.append(
            _Rule(
                id=str(raw["id"]),
                lang=str(raw["lang"]),
                kind=str(raw["kind"]),
                category=str(raw["category"]),
                confidence=float(raw["confidence"]),
                pattern=re.compile(str(raw["pattern"])),
            )
        )
    addressees = data["addressees"]
    phrases = {
        lang: [r.pattern for r in rules if r.kind == "phrase" and _lang_of(r.lang) == lang]
        for lang in ("ru", "en")
    }
    any_phrase = {lang: _joined(patterns) for lang, patterns in phrases.items()}
    return Lexicon(
        rules=tuple(rules),
        pronouns={k: frozenset(v["pronouns"]) for k, v in addressees.items()},
        prepositions={k: frozenset(v["prepositions"]) for k, v in addressees.items()},
        persons={k: re.compile(v["persons"]) for k, v in addressees.items()},
        self_words={k: frozenset(v) for k, v in data["self_words"].items()},
        reported={k: re.compile(v) for k, v in data["reported_speech"].items()},
        masked={k: tuple(v) for k, v in data["masked"].items()},
        window=int(data["window"]),
        any_word={
            script: re.compile(
                "|".join(
                    f"(?:{r.pattern.pattern})"
                    for r in rules
                    if r.kind != "phrase" and (r.lang == "ru") == (script == "ru")
                )
            )
            for script in ("ru", "lat")
        },
        any_phrase=any_phrase,
        phrase_plans={
            lang: None if whole is None else phrase_plan(phrases[lang], whole)
            for lang, whole in any_phrase.items()
        },
    )


_GROUP_REFERENCE = re.compile(r"\\[1-9]|\(\?P[=>]|\(\?\(|\\g<")


def _joined(patterns: list[re.Pattern[str]]) -> re.Pattern[str] | None:
    """One pattern that matches somewhere exactly when one of ``patterns`` does; None when a
    pattern names or numbers its groups (joined, the numbers would change) or has flags."""
    if any(_GROUP_REFERENCE.search(p.pattern) or p.flags & ~re.UNICODE for p in patterns):
        return None
    try:
        return re.compile("|".join(f"(?:{p.pattern})" for p in patterns))
    except re.error:
        return None


@lru_cache(maxsize=4)
def load_lexicon(path: Path = DEFAULT_LEXICON) -> Lexicon:
    """Read and compile a lexicon file (cached per path)."""
    return _parse_lexicon(yaml.safe_load(path.read_text(encoding="utf-8")))


@dataclass
class _Token:
    start: int
    end: int
    cyr: str | None
    lat: str | None
    clause: int
    vocative: bool

    def form(self, lang: str) -> str | None:
        return self.cyr if lang == "ru" else self.lat


@lru_cache(maxsize=200_000)  # a pure function of the word: each distinct word is read once
def _cyr_form(raw: str) -> str:
    s = raw.translate(_LOOK).lower().replace("ё", "е")
    s = "".join(ch for ch in s if ch.isalpha() or ch in _MASKS)
    return re.sub(r"(.)\1+", r"\1", s)


@lru_cache(maxsize=200_000)
def _lat_form(raw: str) -> str:
    s = raw.lower().translate(_LEET)
    s = "".join(ch for ch in s if ch.isalpha() or ch in _MASKS)
    return re.sub(r"(.)\1{2,}", r"\1\1", s)


@lru_cache(maxsize=200_000)
def _word(raw: str, cyrillic: bool) -> tuple[int, int, bool, str | None, str | None] | None:
    """What :func:`_tokens` needs of one written word, worked out once per distinct word:
    (characters stripped before the core, the core's length, a "." among the stripped trailing
    characters, Cyrillic form, Latin form); None when the word leaves no form."""
    lead = len(raw) - len(raw.lstrip(_EDGE))
    core = raw.strip(_EDGE)
    trail = raw[len(raw.rstrip(_EDGE)) :]
    if not core:
        return None
    if _CYR.search(core):
        cyr: str | None = _cyr_form(core)
        lat: str | None = None
    else:
        lat = _lat_form(core)
        cyr = _cyr_form(core) if cyrillic else None
    if not (cyr or lat):
        return None
    return lead, len(core), "." in trail, cyr, lat


def _tokens(text: str) -> list[_Token]:
    cyrillic = len(_CYR.findall(text)) >= len(_LAT.findall(text))
    out: list[_Token] = []
    clause = 0
    new_clause = True
    after_comma = False
    for m in _TOKEN.finditer(text):
        word = _word(m.group(0), cyrillic)
        if word is None:
            continue
        lead, size, dot_after, cyr, lat = word
        start = m.start() + lead
        end = start + size
        # the first character after the word that is not a space or a tab ("" at the end);
        # found in place, not by copying the rest of the text for every word
        after = _FOLLOWING.match(text, m.end())
        following = after.group(1) if after is not None else ""
        ends_clause = dot_after or following in _CLAUSE_END or following == "\n"
        if new_clause:
            clause += 1
        vocative = (new_clause and following in {",", "!"}) or (
            after_comma and (ends_clause or not following)
        )
        out.append(_Token(start, end, cyr, lat, clause, vocative))
        after_comma = following == ","
        new_clause = ends_clause
    return out


def _lang_of(rule_lang: str) -> str:
    return "ru" if rule_lang == "ru" else "en"


def _near(
    tokens: Sequence[_Token], i: int, lex: Lexicon, lang: str, *, before_only: bool = False
) -> tuple[int | None, int | None]:
    """Distance to the nearest addressee and the nearest self-reference in the clause."""
    addressee: int | None = None
    self_ref: int | None = None
    pronouns, preps, persons = lex.pronouns[lang], lex.prepositions[lang], lex.persons[lang]
    selves = lex.self_words[lang]
    lo = max(0, i - lex.window - 1)
    hi = i if before_only else min(len(tokens) - 1, i + 1)
    for j in range(lo, hi + 1):
        if j == i or tokens[j].clause != tokens[i].clause:
            continue
        form = tokens[j].form(lang) or ""
        dist = abs(j - i)
        if j > i and form in lex.self_words[lang]:
            continue
        prev = (tokens[j - 1].form(lang) or "") if j > 0 else ""
        nxt = (tokens[j + 1].form(lang) or "") if j + 1 < len(tokens) else ""
        is_addressee = False
        if (
            form in pronouns and prev not in preps and nxt not in {"know", "see", "mean"}
        ) or persons.fullmatch(form):
            is_addressee = True
        if is_addressee and dist <= lex.window and (addressee is None or dist < addressee):
            addressee = dist
        if form in selves and (self_ref is None or dist < self_ref):
            self_ref = dist
    return addressee, self_ref


def _reported(tokens: Sequence[_Token], i: int, lex: Lexicon, lang: str) -> bool:
    for j in range(max(0, i - lex.window), i):
        if tokens[j].clause != tokens[i].clause:
            continue
        if lex.reported[lang].fullmatch(tokens[j].form(lang) or ""):
            return True
    return False


def _word_hit(rule: _Rule, form: str) -> bool:
    return rule.pattern.fullmatch(form) is not None


def _masked_hit(lex: Lexicon, form: str, lang: str) -> str | None:
    """The canonical word a masked token stands for ("б**ть" → "блять"), if any."""
    if not any(ch in form for ch in _MASKS) or not form[0].isalpha():
        return None
    letters = sum(ch.isalpha() for ch in form)
    if letters < 2:
        return None
    alphabet = "а-я" if lang == "ru" else "a-z"
    parts = re.split(r"([*#]+)", form)
    regex = "".join(f"[{alphabet}]{{1,4}}" if p and p[0] in _MASKS else re.escape(p) for p in parts)
    compiled = re.compile(regex)
    for word in lex.masked.get(lang, ()):
        if compiled.fullmatch(word):
            return word
    return None


def _could_flag(text: str, lex: Lexicon) -> bool:
    """False only when :func:`_detect` finds nothing in ``text``, worked out from the words'
    forms alone (no clauses, no addressees): a text passes when a word's form could match a
    word rule or is masked, when three or more one-letter words follow each other (they are
    glued and checked as one), or when a phrase rule matches the forms as _detect joins them.
    Most texts are clean, and this costs a fraction of _detect."""
    latin = _LAT.search(text)
    # as _tokens decides it; with no Latin letter at all there is nothing to count
    cyrillic = latin is None or len(_CYR.findall(text)) >= len(_LAT.findall(text))
    may_hit = lex.word_may_hit
    forms: list[tuple[str | None, str | None]] = []
    run = 0
    for raw in _TOKEN.findall(text):
        word = _word(raw, cyrillic)
        if word is None:
            continue
        cyr, lat = word[3], word[4]
        hit = may_hit.get((cyr, lat))
        if hit is None:
            unit_forms = (cyr or "") + (lat or "")
            hit = bool(
                "*" in unit_forms
                or "#" in unit_forms
                or (cyr and lex.any_word["ru"].fullmatch(cyr))
                or (lat and lex.any_word["lat"].fullmatch(lat))
            )
            may_hit[(cyr, lat)] = hit
        if hit:
            return True
        run = run + 1 if len(cyr or lat or "") == 1 else 0
        if run >= 3:
            return True
        forms.append((cyr, lat))
    for lang, present in (("ru", _CYR.search(text)), ("en", latin)):
        if present is None:
            continue
        joined = " ".join(
            (cyr or lat or "") if lang == "ru" else (lat or cyr or "") for cyr, lat in forms
        )
        plan = lex.phrase_plans.get(lang)
        if plan is not None:
            if plan.search(joined):
                return True
            continue
        for rule in lex.rules:
            if (
                rule.kind == "phrase"
                and _lang_of(rule.lang) == lang
                and rule.pattern.search(joined) is not None
            ):
                return True
    return False


def detect(text: str | None, lexicon: Lexicon | None = None) -> list[Flag]:
    """Every abusive span of ``text`` the lexicon recognises, in text order."""
    if not text or not text.strip():
        return []
    lex = lexicon or load_lexicon()
    if not _could_flag(text, lex):
        return []
    return _detect(text, lex)


def _detect(text: str, lex: Lexicon) -> list[Flag]:
    """:func:`detect` without the quick check of :func:`_could_flag`."""
    tokens = _tokens(text)
    has_cyrillic = _CYR.search(text) is not None
    flags: list[Flag] = []

    def add(rule_id: str, category: str, conf: float, i: int, j: int) -> None:
        start, end = tokens[i].start, tokens[j].end
        flags.append(Flag(category, rule_id, text[start:end], start, end, round(conf, 3)))

    def silenced(i: int, lang: str) -> bool:
        if _reported(tokens, i, lex, lang):
            return True
        addressee, self_ref = _near(tokens, i, lex, lang)
        return self_ref is not None and (addressee is None or self_ref <= addressee)

    # Single tokens and glued runs of spaced-out letters.
    units: list[tuple[int, int, str | None, str | None]] = [
        (i, i, t.cyr, t.lat) for i, t in enumerate(tokens)
    ]
    i = 0
    while i < len(tokens):
        j = i
        while j < len(tokens) and len(tokens[j].cyr or tokens[j].lat or "") == 1:
            j += 1
        if j - i >= 3:
            cyr = "".join(t.cyr or "" for t in tokens[i:j]) if tokens[i].cyr else None
            lat = "".join(t.lat or "" for t in tokens[i:j]) if tokens[i].lat else None
            units.append((i, j - 1, cyr and re.sub(r"(.)\1+", r"\1", cyr), lat))
        i = max(j, i + 1)

    for first, last, cyr, lat in units:
        unit_forms = (cyr or "") + (lat or "")
        masked_form = "*" in unit_forms or "#" in unit_forms  # _MASKS
        if not masked_form and not (
            (cyr and lex.any_word["ru"].fullmatch(cyr))
            or (lat and lex.any_word["lat"].fullmatch(lat))
        ):
            continue
        for rule in lex.rules:
            if rule.kind == "phrase":
                continue
            lang = _lang_of(rule.lang)
            form = cyr if rule.lang == "ru" else lat
            if rule.lang == "ru-lat-mixed" and not has_cyrillic:
                continue
            if not form or not _word_hit(rule, form):
                continue
            if rule.kind == "directed":
                before = {tokens[k].form(lang) for k in range(max(0, first - 2), first)}
                if _reported(tokens, first, lex, lang) or before & _TAKEN_FOR:
                    continue
                addressee, self_ref = _near(tokens, first, lex, lang)
                aimed = addressee is not None and (self_ref is None or addressee < self_ref)
                if not (aimed or tokens[first].vocative):
                    continue
            elif rule.category == "insult" and silenced(first, lang):
                continue
            add(rule.id, rule.category, rule.confidence, first, last)
        for lang, form in (("ru", cyr), ("en", lat)):
            word = _masked_hit(lex, form, lang) if form else None
            if word is None:
                continue
            for rule in lex.rules:
                if rule.kind == "word" and _lang_of(rule.lang) == lang and _word_hit(rule, word):
                    add(rule.id + ".masked", rule.category, rule.confidence * 0.85, first, last)
                    break

    # Phrases over the normalised token stream.
    has_latin = _LAT.search(text) is not None
    for lang in ("ru", "en"):
        if not (has_cyrillic if lang == "ru" else has_latin):
            continue  # no phrase of that script can match
        forms = [(t.cyr or t.lat or "") if lang == "ru" else (t.lat or t.cyr or "") for t in tokens]
        starts: list[int] = []
        pos = 0
        for f in forms:
            starts.append(pos)
            pos += len(f) + 1
        joined = " ".join(forms)
        for rule in lex.rules:
            if rule.kind != "phrase" or _lang_of(rule.lang) != lang:
                continue
            for m in rule.pattern.finditer(joined):
                a = bisect.bisect_right(starts, m.start()) - 1
                b = bisect.bisect_right(starts, max(m.end() - 1, m.start())) - 1
                add(rule.id, rule.category, rule.confidence, a, b)
    return _dedupe(flags)


def _dedupe(flags: list[Flag]) -> list[Flag]:
    """One flag per span: overlapping flags of one category keep the surest."""
    out: list[Flag] = []
    for flag in sorted(flags, key=lambda f: (-f.confidence, f.start)):
        if any(
            o.category == flag.category and o.start < flag.end and flag.start < o.end for o in out
        ):
            continue
        out.append(flag)
    return sorted(out, key=lambda f: (f.start, f.category))


def is_abusive(flags: Sequence[Flag], threshold: float = 0.6) -> bool:
    """Whether any flag reaches the confidence threshold."""
    return any(f.confidence >= threshold for f in flags)


def model_flags(model: Any, text: str | None, *, threshold: float = 0.8) -> list[Flag]:
    """A flag from a trained model (otklik.conduct.model) when it is at least ``threshold``
    sure the text is abusive: category as predicted, the whole text as evidence."""
    if not text or not text.strip():
        return []
    proba = model.predict_proba([text])[0]
    classes = [str(c) for c in model.classes_]
    best = max(range(len(classes)), key=lambda i: proba[i])
    if classes[best] == NONE or proba[best] < threshold:
        return []
    return [Flag(classes[best], "model", text, 0, len(text), round(float(proba[best]), 3))]
