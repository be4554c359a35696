"""Full-text search of comments that understands Russian word forms, on SQLite and PostgreSQL.

A query matches an item when every word of the query (stop words aside) occurs in its comment
in some form: words are compared by their Snowball stems after lower-casing and folding ё to е
(«карта» finds «карту», «картой», «карты»; «ёлка» finds «елка»; «заблокировали» finds
«заблокирован», «заблокирована»; Latin words are stemmed as English: «cards» finds «card»).
Different words that share no stem are not matched («карта» does not find «карточка» or
«картофель»; «блокировка» does not find «заблокировали»), except forms of one dictionary
word: a Russian query word also asks for the stems of every form of its word in pymorphy3's
dictionary (:func:`word_forms`), so «люди» finds «человек», «шёл» finds «идти» and «дети»
finds «ребёнок» (the index keeps plain stems; the query is widened, on both engines).

PostgreSQL: ``to_tsvector('russian', …)`` over the comment with ё folded and Cyrillic
lower-cased by ``translate`` (so the result does not depend on the database's locale), stored
in the generated column ``search_vector`` with a GIN index (migration 0019_fts; the database
keeps it current on every insert, update and delete), and ``plainto_tsquery('russian', …)``:
Snowball's Russian stemmer for Cyrillic words, its English one for Latin words, PostgreSQL's
stop words.

SQLite: an FTS5 table ``feedback_search`` holds each item's stems (the same Snowball stemmers
from ``snowballstemmer`` and the same stop words), keyed by the item's id; every writer of items
calls :func:`index_new_items` in its transaction; triggers drop an item's row when the item is
deleted or its comment changes (then queued and indexed again by the next
:func:`index_new_items`). A query's stems must all be present (FTS5 ``AND``). The table's
second column holds each item's zone, channel and day (:class:`Facets`, migration
0021_search), so those filters are answered in the index too; :func:`match_count` counts
the matches in the index alone.

Other engines fall back to matching each word as a substring (as before this module).
:func:`match_spans` finds the words of a text that a query matched, for highlighting.
"""

from __future__ import annotations

import json
import re
import sqlite3
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Any

import snowballstemmer
from sqlalchemy import (
    BindParameter,
    Boolean,
    ColumnElement,
    Connection,
    Select,
    String,
    and_,
    bindparam,
    false,
    func,
    literal,
    literal_column,
    select,
    table,
    union_all,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.selectable import CompoundSelect
from sqlalchemy.sql.visitors import InternalTraversal

from otklik.ledger.models import FeedbackItem
from otklik.ledger.stopwords import ENGLISH_STOP_WORDS, RUSSIAN_STOP_WORDS

__all__ = [
    "FACET_FIELDS",
    "MAX_QUERY_WORDS",
    "PENDING_TABLE",
    "PG_DOCUMENT_SQL",
    "PG_VECTOR_COLUMN",
    "SEARCH_TABLE",
    "Facets",
    "document_terms",
    "facets_sql",
    "fts_match",
    "id_listed",
    "index_and",
    "index_new_items",
    "match_count",
    "match_ids",
    "match_spans",
    "only_stop_words",
    "optimize_index",
    "pg_query",
    "query_groups",
    "query_notice",
    "query_terms",
    "sqlite_ids",
    "text_search",
    "write_owner_facets",
]

SEARCH_TABLE = "feedback_search"
PENDING_TABLE = "feedback_search_pending"
"""SQLite: items whose comment changed since they were indexed (filled by a trigger)."""
MAX_QUERY_WORDS = 10

_UPPER = "АБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯё"
_LOWER = _UPPER.lower().replace("ё", "е")
_PG_DOCUMENT = (
    "to_tsvector('russian'::regconfig, translate(coalesce({column}, ''), "
    f"'{_UPPER}', '{_LOWER}'))"
)
PG_DOCUMENT_SQL = _PG_DOCUMENT.format(column="text")
"""The document's expression: the stored generated column of migration 0019_fts."""
PG_VECTOR_COLUMN = "search_vector"
"""PostgreSQL: the stored ``tsvector`` of each comment (GIN-indexed; not in the models)."""

_WORD = re.compile(r"[^\W_]+")
_ASCII_LETTERS = re.compile(r"[A-Za-z]+")
_HAS_DIGIT = re.compile(r"\d")


@lru_cache(maxsize=1)
def _stemmers() -> tuple[Any, Any]:
    return snowballstemmer.stemmer("russian"), snowballstemmer.stemmer("english")


def _fold(text: str) -> str:
    return unicodedata.normalize("NFC", text).lower().replace("ё", "е")


@lru_cache(maxsize=100_000)
def _term(word: str) -> str | None:
    """The indexed form of one folded word, or None for a stop word (PostgreSQL's rules:
    ASCII words take the English stemmer, other letters the Russian one, words with digits
    stay as they are)."""
    russian, english = _stemmers()
    if _HAS_DIGIT.search(word):
        return word
    if _ASCII_LETTERS.fullmatch(word):
        return None if word in ENGLISH_STOP_WORDS else str(english.stemWord(word))
    return None if word in RUSSIAN_STOP_WORDS else str(russian.stemWord(word))


def document_terms(text: str | None) -> list[str]:
    """The stems of ``text`` in order (stop words left out): what SQLite indexes."""
    if not text:
        return []
    return [term for word in _WORD.findall(_fold(text)) if (term := _term(word)) is not None]


def query_terms(q: str | None) -> list[str]:
    """The distinct stems a query asks for (its first :data:`MAX_QUERY_WORDS` words), one per
    word as written (the other forms of each word: :func:`query_groups`)."""
    words = _WORD.findall(_fold(q or ""))[:MAX_QUERY_WORDS]
    return list(dict.fromkeys(term for word in words if (term := _term(word)) is not None))


def only_stop_words(q: str | None) -> bool:
    """True when ``q`` has words but every one is a stop word («и не по», "the of"): such a
    query asks for nothing, and the caller says so instead of showing an empty result."""
    words = _WORD.findall(_fold(q or ""))[:MAX_QUERY_WORDS]
    return bool(words) and all(_term(word) is None for word in words)


def query_notice(q: str | None) -> str | None:
    """Why a non-blank query asks for nothing, or None when it asks for a word (or is blank):
    ``"no_words"`` when it has no searchable word at all (punctuation, symbols, dashes:
    ``!!!``, ``???``, ``—``), ``"stop_words"`` when every word is a stop word (see
    :func:`only_stop_words`). Such a query finds nothing on every engine; the caller says why
    (the API's ``notice``, a line on the items page) instead of showing a bare empty result."""
    if q is None or not q.strip():
        return None
    words = _WORD.findall(_fold(q))[:MAX_QUERY_WORDS]
    if not words:
        return "no_words"
    return "stop_words" if all(_term(word) is None for word in words) else None


@lru_cache(maxsize=1)
def _morph() -> Any:
    import pymorphy3

    return pymorphy3.MorphAnalyzer()


_CYRILLIC = re.compile(r"[а-я]+")
MAX_FORMS = 24
"""At most this many stems stand for one query word (its own first)."""


@lru_cache(maxsize=20_000)
def word_forms(word: str) -> tuple[tuple[str, str], ...]:
    """(stem, a folded form with that stem) for every form of every dictionary word that
    ``word`` (folded, one word) can be a form of, ``word``'s own stem first; stop words left
    out. Snowball stems regular endings away («карту», «картой» → «карт») but cannot join
    forms of another root: pymorphy3's dictionary (OpenCorpora) does («люди» is a form of
    «человек», «шёл» and «шла» of «идти», «дети» of «ребёнок»), so a query word asks for
    the stems of all of its dictionary word's forms, and the index keeps plain stems. Words
    the dictionary does not know, and non-Cyrillic words, stand for their own stem alone."""
    own = _term(word)
    if own is None:
        return ()
    found = {own: word}
    if not _CYRILLIC.fullmatch(word):
        return tuple(found.items())
    lemmas: set[tuple[str, str]] = set()
    for parse in _morph().parse(word):
        if not parse.is_known or (parse.normal_form, parse.tag.POS) in lemmas:
            continue
        lemmas.add((parse.normal_form, parse.tag.POS))
        for form in parse.lexeme:
            folded = _fold(str(form.word))
            if not _WORD.fullmatch(folded):
                continue
            term = _term(folded)
            if term is not None and term not in found and len(found) < MAX_FORMS:
                found[term] = folded
    return tuple(found.items())


def query_groups(q: str | None) -> list[tuple[tuple[str, str], ...]]:
    """Per query word (its first :data:`MAX_QUERY_WORDS`, stop words and repeats left out):
    the (stem, form) pairs of :func:`word_forms`. An item matches when every group has one of
    its stems in the item's comment."""
    words = _WORD.findall(_fold(q or ""))[:MAX_QUERY_WORDS]
    groups: dict[frozenset[str], tuple[tuple[str, str], ...]] = {}
    for word in words:
        forms = word_forms(word)
        if forms:
            groups.setdefault(frozenset(stem for stem, _ in forms), forms)
    return list(groups.values())


FACET_FIELDS = ("owner_team", "channel")
"""Filters that SQLite's search index answers itself (with the date range)."""


def facets_sql(alias: str) -> str:
    """SQLite: the ``facets`` column of an item's row in the search index, from the item's
    row ``alias``: its zone, its channel, and the year, month and day (UTC) it occurred,
    one token each (values as hex, so any value is one token of the index's tokenizer)."""
    when = f"{alias}.occurred_at"
    year = f"substr({when}, 1, 4)"
    month = f"{year} || substr({when}, 6, 2)"
    day = f"{month} || substr({when}, 9, 2)"
    tokens = [
        f"CASE WHEN {alias}.{field} IS NULL THEN '{prefix}n' "
        f"ELSE '{prefix}v' || hex({alias}.{field}) END"
        for field, prefix in _PREFIX.items()
    ]
    tokens += [f"'y' || {year}", f"'m' || {month}", f"'d' || {day}"]
    return " || ' ' || ".join(f"({token})" for token in tokens)


_PREFIX = {"owner_team": "o", "channel": "c"}


def _value_token(prefix: str, value: str | None) -> str:
    return f"{prefix}n" if value is None else f"{prefix}v{value.encode('utf-8').hex()}"


_DAY = timedelta(days=1)


def _next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def _day_tokens(first: date, last: date) -> list[str]:
    """Tokens covering the whole days [first, last): years, months and days, fewest first."""
    tokens = []
    at = first
    while at < last:
        if at.month == 1 and at.day == 1 and date(at.year + 1, 1, 1) <= last:
            tokens.append(f"y{at.year:04d}")
            at = date(at.year + 1, 1, 1)
        elif at.day == 1 and _next_month(at) <= last:
            tokens.append(f"m{at.year:04d}{at.month:02d}")
            at = _next_month(at)
        else:
            tokens.append(f"d{at.year:04d}{at.month:02d}{at.day:02d}")
            at += _DAY
    return tokens


@dataclass(frozen=True)
class Facets:
    """Conditions on an item's zone, channel and time that SQLite's search index answers
    with the words (columns ``facets`` of migration 0021_search): each allowed value a
    token (None: a missing value), a range [start, end) of naive UTC times as year, month
    and day tokens plus, for a day cut by an end, that day's token and a comparison of the
    times of its matches. Empty: no condition."""

    values: tuple[tuple[str, tuple[str | None, ...]], ...] = ()
    start: datetime | None = None
    end: datetime | None = None

    @classmethod
    def of(
        cls,
        filters: Mapping[str, Sequence[str | None]] | None,
        start: datetime | None,
        end: datetime | None,
    ) -> Facets:
        """The conditions of ``filters`` (field → allowed values; none allowed: a missing
        value, as :func:`otklik.ledger.browse.item_condition` reads it) and [start, end)
        that the index answers: zone, channel, and the range when it has both ends."""
        values = tuple(
            (field, tuple(allowed) or (None,))
            for field, allowed in (filters or {}).items()
            if field in FACET_FIELDS
        )
        if start is None or end is None:
            return cls(values)
        return cls(values, start, end)

    def covers(
        self,
        filters: Mapping[str, Sequence[str | None]] | None,
        start: datetime | None,
        end: datetime | None,
    ) -> bool:
        """Whether these facets are every condition of ``filters``, ``start`` and ``end``."""
        dates = (start is None and end is None) or (self.start is not None)
        return dates and all(field in FACET_FIELDS for field in filters or {})

    def expressions(self) -> tuple[str | None, list[tuple[str, datetime, datetime]]]:
        """(FTS5 expression of the whole days and values, "" for none, None when no whole
        day is in the range), and (expression, start, end) for each day cut by an end."""
        values = [
            "facets : (" + " OR ".join(_value_token(_PREFIX[field], v) for v in allowed) + ")"
            for field, allowed in self.values
        ]
        if self.start is None or self.end is None:
            return " AND ".join(values), []
        if self.start >= self.end:
            return None, []
        first = self.start.date() + (_DAY if self.start.time() != time() else timedelta())
        last = self.end.date()
        edges: list[tuple[str, datetime, datetime]] = []
        if first > last:  # within one day
            edges.append((self.start.date().strftime("d%Y%m%d"), self.start, self.end))
        else:
            if self.start.time() != time():
                edges.append((self.start.date().strftime("d%Y%m%d"), self.start, self.end))
            if self.end.time() != time():
                edges.append((last.strftime("d%Y%m%d"), self.start, self.end))
        tokens = _day_tokens(first, last) if first < last else []
        both = " AND ".join(values)
        edge_parts = [
            (f"{both} AND facets : {token}" if both else f"facets : {token}", low, high)
            for token, low, high in edges
        ]
        if not tokens:
            return None, edge_parts
        days = "facets : (" + " OR ".join(tokens) + ")"
        return (f"{both} AND {days}" if both else days), edge_parts


class _TextMatch(ColumnElement[bool]):
    """Items whose comment matches ``q`` (compiled per dialect below).

    Cacheable: every value the SQL carries (FTS5 expressions, the times of a day cut by a
    range's end, the tsquery text, LIKE patterns) is a bound parameter made here, once, and
    the statement's shape (:attr:`shape`) is the rest of its cache key, so SQLAlchemy
    compiles a search statement once per shape instead of on every call (5–20 ms of Python
    per search at 1M items, docs/benchmarks.md) and binds the new values into the cached
    SQL. The compilers below use only these parameters, never a value of their own."""

    type = Boolean()
    inherit_cache = True
    _traverse_internals = [  # noqa: RUF012  # SQLAlchemy's declared type
        ("shape", InternalTraversal.dp_plain_obj),
        ("binds", InternalTraversal.dp_clauseelement_tuple),
    ]
    # A comparison, not a boolean column: without this SQLAlchemy writes ``… = 1`` after it on
    # SQLite, and the planner can no longer drive the query from the FTS5 table (a full scan:
    # 60 ms at 100k items instead of 0.3 ms; docs/benchmarks.md).
    _is_implicitly_boolean = True

    def __init__(
        self,
        q: str,
        groups: list[tuple[tuple[str, str], ...]],
        frequent: bool = False,
        facets: Facets | None = None,
        probe: bool = False,
    ) -> None:
        self.q = q
        self.groups = groups
        self.frequent = frequent
        self.facets = facets or Facets()
        self.probe = probe
        text_part = _fts_expression(groups)
        middle, edges = self.facets.expressions()
        if middle is not None:
            middle = f"{text_part} AND {middle}" if middle else text_part
        values = Facets(self.facets.values).expressions()[0]
        probe_match = text_part + (f" AND {values}" if values else "")
        words = q.split()
        self.shape = (frequent, probe, middle is not None, len(edges), len(words))
        # Read back through the properties below only: SQLAlchemy may copy the element and
        # its ``binds`` (a clone's parameters are new objects), never the other attributes.
        self.binds: tuple[BindParameter[Any], ...] = (
            *([_text_bind(middle)] if middle is not None else []),
            *(
                bind
                for expression, low, high in edges
                for bind in (
                    _text_bind(f"{text_part} AND {expression}"),
                    _time_bind(low),
                    _time_bind(high),
                )
            ),
            _text_bind(probe_match),
            _text_bind(pg_query(groups)),
            *(_text_bind(f"%{_like_escaped(word)}%") for word in words),
        )

    @property
    def middle(self) -> BindParameter[Any] | None:
        """SQLite: the MATCH of the whole days (or of no date range); None: no whole day."""
        return self.binds[0] if self.shape[2] else None

    @property
    def edges(self) -> list[tuple[BindParameter[Any], BindParameter[Any], BindParameter[Any]]]:
        """SQLite: (MATCH, low, high) of each day cut by a range's end."""
        at = 1 if self.shape[2] else 0
        return [
            (self.binds[i], self.binds[i + 1], self.binds[i + 2])
            for i in range(at, at + 3 * self.shape[3], 3)
        ]

    @property
    def probe_match(self) -> BindParameter[Any]:
        """SQLite: the MATCH of one item's look-up (words, zone and channel)."""
        return self.binds[-2 - self.shape[4]]

    @property
    def tsquery(self) -> BindParameter[Any]:
        """PostgreSQL: the ``to_tsquery`` text."""
        return self.binds[-1 - self.shape[4]]

    @property
    def likes(self) -> list[BindParameter[Any]]:
        """Other engines: one ``%word%`` pattern per word."""
        return list(self.binds[len(self.binds) - self.shape[4] :])


def _text_bind(value: str) -> BindParameter[Any]:
    return bindparam(None, value, type_=String(), unique=True)


def _time_bind(value: datetime) -> BindParameter[Any]:
    return bindparam(None, value, type_=FeedbackItem.__table__.c.occurred_at.type, unique=True)


def _like_escaped(word: str) -> str:
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def text_search(
    q: str | None,
    *,
    frequent: bool = False,
    facets: Facets | None = None,
    probe: bool = False,
) -> ColumnElement[bool] | None:
    """The WHERE condition for items whose comment has every word of ``q`` in some form;
    None (no condition) when ``q`` is blank. A query with no word to look for (only stop
    words or punctuation: «и», «%») matches nothing, as PostgreSQL's empty query does
    (:func:`only_stop_words` tells the caller which).

    ``frequent`` (SQLite; a page of a query with many matches, see :func:`match_count`):
    let the planner walk an index in the page's order and test each id against the matches,
    instead of reading every match to sort them. ``facets`` (SQLite): the zone, channel and
    date conditions that the search index answers itself (:class:`Facets`); the caller keeps
    them in its WHERE clause too (they hold on every engine). ``probe`` (SQLite; a word in a
    large share of the items): test each item that the page's index walk reaches against the
    index (one FTS5 look-up by rowid each, ~15 µs) instead of collecting every match first
    (~1 µs a match: 0.5 s for a word in half of 1M comments)."""
    if not (q or "").strip():
        return None
    groups = query_groups(q)
    if not groups:
        return false()
    words = _WORD.findall(_fold(q or ""))[:MAX_QUERY_WORDS]
    return _TextMatch(" ".join(words), groups, frequent, facets, probe)


@compiles(_TextMatch, "sqlite")
def _sqlite(element: _TextMatch, compiler: SQLCompiler, **kw: Any) -> str:
    # ``+id`` keeps the primary key from driving the query (SQLite's documented way to
    # disqualify an index), so the ORDER BY's index does.
    if element.probe:  # the zone and channel in the look-up; the times are in the WHERE
        fts = table(SEARCH_TABLE)
        probe: Select[Any] = (
            select(literal_column("1"))
            .select_from(fts)
            .where(
                literal_column(SEARCH_TABLE).op("MATCH")(element.probe_match),
                literal_column(f"{SEARCH_TABLE}.rowid") == FeedbackItem.id,
            )
        )
        return compiler.process(probe.exists(), **kw)
    key = literal_column("+feedback_items.id") if element.frequent else FeedbackItem.id
    ids = _sqlite_ids(element.middle, element.edges).scalar_subquery()
    return compiler.process(key.in_(ids), **kw)


def sqlite_ids(
    groups: list[tuple[tuple[str, str], ...]], facets: Facets
) -> Select[Any] | CompoundSelect:
    """SQLite: the ids of the items that match ``groups`` and ``facets``, from the search
    index alone for whole days; a day cut by a range's end is matched in the index too and
    only its matches' rows are read, to compare their times."""
    text_part = _fts_expression(groups)
    middle, edges = facets.expressions()
    if middle is not None:
        middle = f"{text_part} AND {middle}" if middle else text_part
    return _sqlite_ids(
        None if middle is None else literal(middle),
        [(literal(f"{text_part} AND {expression}"), low, high) for expression, low, high in edges],
    )


def _sqlite_ids(
    middle: ColumnElement[Any] | None,
    edges: Sequence[tuple[ColumnElement[Any], Any, Any]],
) -> Select[Any] | CompoundSelect:
    """:func:`sqlite_ids` from the MATCH expressions (bound parameters or literals) of the
    whole days (None: no whole day) and of each cut day with its (low, high) times."""
    fts = table(SEARCH_TABLE)

    def ids(match: ColumnElement[Any]) -> Select[Any]:
        query: Select[Any] = select(literal_column("rowid")).select_from(fts)
        return query.where(literal_column(SEARCH_TABLE).op("MATCH")(match))

    parts: list[Select[Any]] = []
    if middle is not None:
        parts.append(ids(middle))
    for match, low, high in edges:
        parts.append(
            select(FeedbackItem.id).where(
                FeedbackItem.id.in_(ids(match).scalar_subquery()),
                FeedbackItem.occurred_at >= low,
                FeedbackItem.occurred_at < high,
            )
        )
    if not parts:  # an empty date range
        parts.append(select(literal_column("rowid")).select_from(fts).where(false()))
    return parts[0] if len(parts) == 1 else union_all(*parts)


@compiles(_TextMatch, "postgresql")
def _postgresql(element: _TextMatch, compiler: SQLCompiler, **kw: Any) -> str:
    document: ColumnElement[Any] = literal_column(f"feedback_items.{PG_VECTOR_COLUMN}")
    query = func.to_tsquery(literal_column("'russian'::regconfig"), element.tsquery)
    return compiler.process(document.op("@@")(query), **kw)


@compiles(_TextMatch)
def _other(element: _TextMatch, compiler: SQLCompiler, **kw: Any) -> str:
    likes = (FeedbackItem.text.ilike(pattern, escape="\\") for pattern in element.likes)
    return compiler.process(and_(*likes), **kw)


def index_new_items(conn: Connection, *, pending: bool = True, facets: bool = True) -> int:
    """SQLite: bring the search table in step with the items, in the caller's transaction;
    returns how many items were (re)indexed. Does nothing (0) on other engines, which index
    with an expression that the database keeps current itself.

    Two kinds of item need indexing: those newer than the last one indexed (items are only
    appended, so ids grow) and those whose comment changed since (a correction or an erasure:
    the trigger of migration 0019_fts drops their stale row at once, so the old words stop
    matching inside the same statement, and queues them in ``feedback_search_pending``).
    Every writer of items calls this after writing; a writer that changes comments calls it
    too, so the new words match as soon as it commits. Each row holds the comment's stems
    and the item's :func:`facets_sql` (a change of zone, channel or time rewrites them at once
    by a trigger of migration 0021_search). ``pending=False``: new items only (for migration
    0010, before the queue exists); ``facets=False``: stems only (migrations before 0021).
    """
    if conn.dialect.name != "sqlite":
        return 0
    # ORDER BY rowid DESC LIMIT 1 is one step in FTS5; max(rowid) reads the whole index.
    last = conn.exec_driver_sql(
        f"SELECT rowid FROM {SEARCH_TABLE} ORDER BY rowid DESC LIMIT 1"
    ).scalar()
    extra = f", {facets_sql('i')}" if facets else ""
    changed: list[Any] = []
    if pending:
        changed = list(
            conn.exec_driver_sql(
                f"SELECT p.item_id, i.text{extra} FROM {PENDING_TABLE} AS p "
                "JOIN feedback_items AS i ON i.id = p.item_id ORDER BY p.item_id"
            ).all()
        )
        conn.exec_driver_sql(f"DELETE FROM {PENDING_TABLE}")
    terms = _Terms()
    columns, marks = ("rowid, terms, facets", "?, ?, ?") if facets else ("rowid, terms", "?, ?")

    def insert(rows: Sequence[Any]) -> None:
        conn.exec_driver_sql(
            f"INSERT INTO {SEARCH_TABLE} ({columns}) VALUES ({marks})",
            [(row[0], terms(row[1]), *row[2:]) for row in rows],
        )

    if changed:  # the trigger dropped their rows; a row may have come back since
        conn.exec_driver_sql(
            f"DELETE FROM {SEARCH_TABLE} WHERE rowid = ?", [(row[0],) for row in changed]
        )
        # one changed since it was written in this transaction is indexed with the new ones
        changed = [row for row in changed if row[0] <= (last or 0)]
    if changed:
        insert(changed)
    if _has_terms_function(conn):
        # Stemmed inside SQLite: the comments are not read into Python (at 200k items that
        # read cost more than the stems).
        added = conn.exec_driver_sql(
            f"INSERT INTO {SEARCH_TABLE} ({columns}) "
            f"SELECT i.id, {TERMS_FUNCTION}(i.text){extra} FROM feedback_items AS i "
            "WHERE i.id > ? ORDER BY i.id",
            (last or 0,),
        ).rowcount
        return len(changed) + max(int(added), 0)
    rows = conn.exec_driver_sql(
        f"SELECT i.id, i.text{extra} FROM feedback_items AS i WHERE i.id > ? ORDER BY i.id",
        (last or 0,),
    ).all()
    if rows:
        insert(rows)
    return len(changed) + len(rows)


def write_owner_facets(conn: Connection, owners: Mapping[int, str | None]) -> int:
    """SQLite: write the search rows of the items ``owners`` maps (item id → the owner team it
    is about to get, None for none) with the facets of that owner, in bulk, in the caller's
    transaction, just before the caller sets the owners with an ``UPDATE``; returns how many
    rows were rewritten. Does nothing (0) on other engines.

    The trigger of migration 0023_facets rewrites an item's facets when its zone changes, one
    row at a time (≈ 100 µs a row at 100k items: FTS5 reads, deletes and inserts the whole
    row inside the trigger); it skips a row whose facets are already those of the new zone.
    Written here first, 5,000 at a time (rows read, deleted and inserted by rowid), the rows
    cost ≈ 30 µs each and the trigger finds nothing to do (docs/benchmarks.md, "Routing and
    the search index"). Whatever the caller then writes, the trigger keeps the index right: a
    row written here for an owner the item does not get is rewritten by it. Items not in the
    index yet (their comment is queued) are left to :func:`index_new_items`.
    """
    if conn.dialect.name != "sqlite" or not owners:
        return 0
    pairs = json.dumps([[item, owner] for item, owner in owners.items()])
    new = (
        "SELECT CAST(json_extract(o.value, '$[0]') AS INTEGER) AS id, "
        "json_extract(o.value, '$[1]') AS owner_team, i.channel AS channel, "
        "i.occurred_at AS occurred_at FROM json_each(?) AS o "
        "CROSS JOIN feedback_items AS i ON i.id = CAST(json_extract(o.value, '$[0]') AS INTEGER)"
    )
    # CROSS JOIN: the listed items first, each looked up by id (the planner would otherwise
    # scan the items, not knowing how short the list is)
    rows = conn.exec_driver_sql(
        f"SELECT n.id, s.terms, {facets_sql('n')} FROM ({new}) AS n "
        f"CROSS JOIN {SEARCH_TABLE} AS s ON s.rowid = n.id "
        f"WHERE s.facets IS NOT {facets_sql('n')} ORDER BY n.id",
        (pairs,),
    ).all()
    if rows:
        conn.exec_driver_sql(
            f"DELETE FROM {SEARCH_TABLE} WHERE rowid = ?", [(row[0],) for row in rows]
        )
        conn.exec_driver_sql(
            f"INSERT INTO {SEARCH_TABLE} (rowid, terms, facets) VALUES (?, ?, ?)",
            [tuple(row) for row in rows],
        )
    return len(rows)


TERMS_FUNCTION = "otklik_terms"
"""SQLite: the SQL function that gives a comment's search terms (:func:`comment_terms`);
:func:`otklik.ledger.make_engine` registers it on every connection."""


def comment_terms(text: str | None) -> str:
    """What the search table holds for a comment: its stems joined by spaces."""
    if text is not None and len(text) <= 200:
        return _short_terms(text)  # exports repeat short comments ("", "Спасибо")
    return " ".join(document_terms(text))


@lru_cache(maxsize=16_384)
def _short_terms(text: str) -> str:
    return " ".join(document_terms(text))


def _has_terms_function(conn: Connection) -> bool:
    """Whether :data:`TERMS_FUNCTION` can be called on this connection (a connection that an
    engine of :func:`otklik.ledger.make_engine` opened always can; another gets it here when
    SQLite allows, which it does not while a statement is running)."""
    dbapi: Any = conn.connection.dbapi_connection
    try:
        dbapi.execute(f"SELECT {TERMS_FUNCTION}(NULL)").fetchall()
        return True
    except sqlite3.OperationalError:
        pass
    try:
        dbapi.create_function(TERMS_FUNCTION, 1, comment_terms, deterministic=True)
    except sqlite3.OperationalError:
        return False
    return True


class _Terms:
    """:func:`comment_terms`, each distinct comment stemmed once per call."""

    def __init__(self) -> None:
        self.known: dict[str | None, str] = {}

    def __call__(self, text: str | None) -> str:
        found = self.known.get(text)
        if found is None:
            found = self.known[text] = comment_terms(text)
        return found


def optimize_index(conn: Connection) -> None:
    """SQLite: merge the search index into one segment (FTS5 ``optimize``; 6 s at 1M items,
    the whole index rewritten, so not after every batch of an import). A look-up by rowid then
    reads one doclist instead of one per segment: 13 µs instead of 0.2–1.6 ms at 1M items in
    12 segments (docs/benchmarks.md). Migration 0021_search runs it; FTS5's own automerge keeps
    the number of segments bounded in between."""
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql(f"INSERT INTO {SEARCH_TABLE} ({SEARCH_TABLE}) VALUES ('optimize')")


def fts_match(q: str | None) -> str | None:
    """The FTS5 MATCH expression for ``q`` (each word's stems, quoted, OR-ed; the words
    AND-ed), or None when it has no word to look for."""
    groups = query_groups(q)
    return _fts_expression(groups) if groups else None


def _fts_expression(groups: list[tuple[tuple[str, str], ...]]) -> str:
    def quoted(term: str) -> str:
        return '"' + term.replace('"', '""') + '"'

    parts = []
    for group in groups:
        stems = [quoted(stem) for stem, _ in group]
        parts.append(stems[0] if len(stems) == 1 else "(" + " OR ".join(stems) + ")")
    return "terms : (" + " AND ".join(parts) + ")"


def pg_query(groups: list[tuple[tuple[str, str], ...]]) -> str:
    """The ``to_tsquery('russian', …)`` text for the groups of :func:`query_groups`: one
    folded form per stem, quoted (words are letters and digits only), PostgreSQL stems them
    as it stemmed the documents."""
    parts = []
    for group in groups:
        forms = ["'" + form + "'" for _, form in group]
        parts.append(forms[0] if len(forms) == 1 else "(" + " | ".join(forms) + ")")
    return " & ".join(parts)


def match_count(
    conn: Connection,
    q: str | None,
    facets: Facets | None = None,
    *,
    cap: int | None = None,
    above: int | None = None,
) -> int | None:
    """SQLite: how many items match ``q`` (and ``facets``), counted in the search index
    alone (no item is read but those of a day cut by a range's end: 1–30 ms at 1M items
    where counting through the items takes 0.1–1 s); with ``cap``, at most ``cap + 1`` (the
    count stops there); with ``above``, only items whose id is greater (FTS5 seeks there:
    a sample of the newest items in ~0.1 ms). None on other engines or for a query with no
    word to look for."""
    groups = query_groups(q)
    if conn.dialect.name != "sqlite" or not groups:
        return None
    inner = sqlite_ids(groups, facets or Facets())
    if above is not None and isinstance(inner, Select):  # rowid: the FTS5 row's or the item's
        inner = inner.where(literal_column("rowid") > above)
    elif above is not None:
        part = inner.subquery()
        inner = select(part.c[0]).where(part.c[0] > above)
    if cap is not None:
        inner = inner.limit(cap + 1)
    count = conn.execute(select(func.count()).select_from(inner.subquery())).scalar()
    return int(count or 0)


def index_and(q: str | None, facets: Facets) -> bool:
    """SQLite: whether the index answers ``q`` with ``facets`` by an AND of doclists (two or
    more words, or words and a zone, channel or date range), which costs as much as the
    longest doclist it reads."""
    return len(query_groups(q)) > 1 or bool(facets.values) or facets.start is not None


def match_ids(
    conn: Connection, q: str | None, facets: Facets | None = None, *, cap: int
) -> tuple[int | None, str | None]:
    """SQLite: how many items match (as :func:`match_count` with ``cap``) and, when no
    more than ``cap``, their ids as a JSON array (for :func:`id_listed`), from one pass over
    the index; (None, None) where :func:`match_count` gives None."""
    groups = query_groups(q)
    if conn.dialect.name != "sqlite" or not groups:
        return None, None
    part = sqlite_ids(groups, facets or Facets()).limit(cap + 1).subquery()
    row = conn.execute(select(func.count(), func.json_group_array(part.c[0]))).one()
    count = int(row[0] or 0)
    return count, (str(row[1]) if count <= cap else None)


def id_listed(ids: str, *, frequent: bool = False) -> ColumnElement[bool]:
    """SQLite: the item's id is in ``ids`` (a JSON array of :func:`match_ids`); ``frequent``:
    as :func:`text_search`'s, the primary key kept from driving the query."""
    key = literal_column("+feedback_items.id") if frequent else FeedbackItem.id
    listed: Select[Any] = select(literal_column("value")).select_from(func.json_each(literal(ids)))
    return key.in_(listed.scalar_subquery())


def match_spans(text: str, q: str | None) -> list[tuple[int, int]]:
    """(start, end) of each word of ``text`` whose stem the query asked for, left to right
    (for highlighting; the same stems as the search on both engines)."""
    wanted = {stem for group in query_groups(q) for stem, _ in group}
    if not wanted or not text:
        return []
    found = []
    for word in _WORD.finditer(text):
        term = _term(_fold(word.group()))
        if term is not None and term in wanted:
            found.append((word.start(), word.end()))
    return found
