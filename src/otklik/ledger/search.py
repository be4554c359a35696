"""Full-text search of comments that understands Russian word forms, on SQLite and PostgreSQL.

A query matches an item when every word of the query (stop words aside) occurs in its comment
in some form: words are compared by their Snowball stems after lower-casing and folding ё to е
(«карта» finds «карту», «картой», «карты»; «ёлка» finds «елка»; «заблокировали» finds
«заблокирован», «заблокирована»; Latin words are stemmed as English: «cards» finds «card»).
Different words that share no stem are not matched («карта» does not find «карточка» or
«картофель»; «блокировка» does not find «заблокировали»).

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
:func:`index_new_items`). A query's stems must all be present (FTS5 ``AND``).
:func:`match_count` counts the matches in the index alone.

Other engines fall back to matching each word as a substring (as before this module).
:func:`match_spans` finds the words of a text that a query matched, for highlighting.
"""

from __future__ import annotations

import re
import sqlite3
import unicodedata
from functools import lru_cache
from typing import Any

import snowballstemmer
from sqlalchemy import (
    Boolean,
    ColumnElement,
    Connection,
    Select,
    and_,
    false,
    func,
    literal,
    literal_column,
    select,
    table,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler

from otklik.ledger.models import FeedbackItem
from otklik.ledger.stopwords import ENGLISH_STOP_WORDS, RUSSIAN_STOP_WORDS

__all__ = [
    "MAX_QUERY_WORDS",
    "PENDING_TABLE",
    "PG_DOCUMENT_SQL",
    "PG_VECTOR_COLUMN",
    "SEARCH_TABLE",
    "document_terms",
    "fts_match",
    "index_new_items",
    "match_count",
    "match_spans",
    "query_terms",
    "text_search",
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
    """The distinct stems a query asks for (its first :data:`MAX_QUERY_WORDS` words)."""
    words = _WORD.findall(_fold(q or ""))[:MAX_QUERY_WORDS]
    return list(dict.fromkeys(term for word in words if (term := _term(word)) is not None))


class _TextMatch(ColumnElement[bool]):
    """Items whose comment matches ``q`` (compiled per dialect below)."""

    type = Boolean()
    inherit_cache = False
    # A comparison, not a boolean column: without this SQLAlchemy writes ``… = 1`` after it on
    # SQLite, and the planner can no longer drive the query from the FTS5 table (a full scan:
    # 60 ms at 100k items instead of 0.3 ms; docs/benchmarks.md).
    _is_implicitly_boolean = True

    def __init__(self, q: str, terms: list[str], frequent: bool = False) -> None:
        self.q = q
        self.terms = terms
        self.frequent = frequent


def text_search(q: str | None, *, frequent: bool = False) -> ColumnElement[bool] | None:
    """The WHERE condition for items whose comment has every word of ``q`` in some form;
    None (no condition) when ``q`` is blank. A query with no word to look for (only stop
    words or punctuation: «и», «%») matches nothing, as PostgreSQL's empty query does.

    ``frequent`` (SQLite; a page of a query with many matches, see :func:`match_count`):
    let the planner walk an index in the page's order and test each id against the matches,
    instead of reading every match to sort them."""
    if not (q or "").strip():
        return None
    terms = query_terms(q)
    if not terms:
        return false()
    words = _WORD.findall(_fold(q or ""))[:MAX_QUERY_WORDS]
    return _TextMatch(" ".join(words), terms, frequent)


@compiles(_TextMatch, "sqlite")
def _sqlite(element: _TextMatch, compiler: SQLCompiler, **kw: Any) -> str:
    fts = table(SEARCH_TABLE)
    match = _fts_expression(element.terms)
    ids: Select[Any] = select(literal_column("rowid")).select_from(fts)
    ids = ids.where(literal_column(SEARCH_TABLE).op("MATCH")(literal(match)))
    # ``+id`` keeps the primary key from driving the query (SQLite's documented way to
    # disqualify an index), so the ORDER BY's index does.
    key = literal_column("+feedback_items.id") if element.frequent else FeedbackItem.id
    return compiler.process(key.in_(ids.scalar_subquery()), **kw)


@compiles(_TextMatch, "postgresql")
def _postgresql(element: _TextMatch, compiler: SQLCompiler, **kw: Any) -> str:
    document: ColumnElement[Any] = literal_column(f"feedback_items.{PG_VECTOR_COLUMN}")
    query = func.plainto_tsquery(literal_column("'russian'::regconfig"), literal(element.q))
    return compiler.process(document.op("@@")(query), **kw)


@compiles(_TextMatch)
def _other(element: _TextMatch, compiler: SQLCompiler, **kw: Any) -> str:
    def like(word: str) -> ColumnElement[bool]:
        escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        return FeedbackItem.text.ilike(f"%{escaped}%", escape="\\")

    return compiler.process(and_(*(like(word) for word in element.q.split())), **kw)


def index_new_items(conn: Connection, *, pending: bool = True) -> int:
    """SQLite: bring the search table in step with the items, in the caller's transaction;
    returns how many items were (re)indexed. Does nothing (0) on other engines, which index
    with an expression that the database keeps current itself.

    Two kinds of item need indexing: those newer than the last one indexed (items are only
    appended, so ids grow) and those whose comment changed since (a correction or an erasure:
    the trigger of migration 0019_fts drops their stale row at once, so the old words stop
    matching inside the same statement, and queues them in ``feedback_search_pending``).
    Every writer of items calls this after writing; a writer that changes comments calls it
    too, so the new words match as soon as it commits. ``pending=False``: new items only (for
    migration 0010, before the queue exists).
    """
    if conn.dialect.name != "sqlite":
        return 0
    # ORDER BY rowid DESC LIMIT 1 is one step in FTS5; max(rowid) reads the whole index.
    last = conn.exec_driver_sql(
        f"SELECT rowid FROM {SEARCH_TABLE} ORDER BY rowid DESC LIMIT 1"
    ).scalar()
    changed: list[tuple[int, str | None]] = []
    if pending:
        changed = [
            (item_id, text)
            for item_id, text in conn.exec_driver_sql(
                f"SELECT p.item_id, i.text FROM {PENDING_TABLE} AS p "
                "JOIN feedback_items AS i ON i.id = p.item_id ORDER BY p.item_id"
            )
        ]
        conn.exec_driver_sql(f"DELETE FROM {PENDING_TABLE}")
    terms = _Terms()
    if changed:  # the trigger dropped their rows; a row may have come back since
        conn.exec_driver_sql(
            f"DELETE FROM {SEARCH_TABLE} WHERE rowid = ?", [(item_id,) for item_id, _ in changed]
        )
        # one changed since it was written in this transaction is indexed with the new ones
        changed = [(item_id, text) for item_id, text in changed if item_id <= (last or 0)]
    if changed:
        conn.exec_driver_sql(
            f"INSERT INTO {SEARCH_TABLE} (rowid, terms) VALUES (?, ?)",
            [(item_id, terms(text)) for item_id, text in changed],
        )
    if _has_terms_function(conn):
        # Stemmed inside SQLite: the comments are not read into Python (at 200k items that
        # read cost more than the stems).
        added = conn.exec_driver_sql(
            f"INSERT INTO {SEARCH_TABLE} (rowid, terms) "
            f"SELECT id, {TERMS_FUNCTION}(text) FROM feedback_items WHERE id > ? ORDER BY id",
            (last or 0,),
        ).rowcount
        return len(changed) + max(int(added), 0)
    rows = conn.execute(
        select(FeedbackItem.id, FeedbackItem.text)
        .where(FeedbackItem.id > (last or 0))
        .order_by(FeedbackItem.id)
    ).all()
    if rows:
        conn.exec_driver_sql(
            f"INSERT INTO {SEARCH_TABLE} (rowid, terms) VALUES (?, ?)",
            [(item_id, terms(text)) for item_id, text in rows],
        )
    return len(changed) + len(rows)


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


def fts_match(q: str | None) -> str | None:
    """The FTS5 MATCH expression for ``q`` (every stem, quoted), or None when it has none."""
    terms = query_terms(q)
    return _fts_expression(terms) if terms else None


def _fts_expression(terms: list[str]) -> str:
    return " ".join('"' + term.replace('"', '""') + '"' for term in terms)


def match_count(conn: Connection, q: str | None) -> int | None:
    """SQLite: how many items match ``q``, counted in the search index alone (no item is
    read: 1–30 ms at 1M items where counting through the items takes 0.1–1 s); None on
    other engines or for a query with no word to look for."""
    match = fts_match(q)
    if conn.dialect.name != "sqlite" or match is None:
        return None
    count = conn.exec_driver_sql(
        f"SELECT count(*) FROM {SEARCH_TABLE} WHERE {SEARCH_TABLE} MATCH ?", (match,)
    ).scalar()
    return int(count or 0)


def match_spans(text: str, q: str | None) -> list[tuple[int, int]]:
    """(start, end) of each word of ``text`` whose stem the query asked for, left to right
    (for highlighting; the same stems as the search on both engines)."""
    wanted = set(query_terms(q))
    if not wanted or not text:
        return []
    found = []
    for word in _WORD.finditer(text):
        term = _term(_fold(word.group()))
        if term is not None and term in wanted:
            found.append((word.start(), word.end()))
    return found
