"""Text search at volume: otklik's ``search_items`` next to raw SQL baselines (not a timed test).

Builds (once, cached under ``benchmarks/out/``) a store of N items with synthetic comments: a
Zipf-distributed vocabulary of pseudo-Russian words plus planted real words in several forms
(«перевод», «переводы», «переводом»…, «счёт»/«счет», «card», «transfer», «tarjeta», «gagal»,
Arabic «تحويل»), channels, owner teams (zones) and dates over 2025. Then it times each query the
way the items page and ``GET /api/v1/items`` ask it (a page of 50 newest first and the total
matching), with and without filters (a team's zone, a channel, a month), and the same question
asked in raw SQL in the same run:

* SQLite: ``sqlite3`` with ``LIKE '%word%'`` (what a search without an index does) and a raw
  FTS5 ``MATCH`` on otklik's own stems table;
* PostgreSQL: a raw ``search_vector @@ plainto_tsquery('russian', …)`` on the same table;
* both: "before", the query otklik sent before migration 0019_fts (SQLite: ``id IN (…) = 1``
  and a count through the items; PostgreSQL: the expression index of migration 0010).

Prints p50 and p95 (ms) per query and overall. otklik's total is counted up to
``count_cap`` (10,000 on SQLite, 1,000 on PostgreSQL; "more than" above it), as the items
page and the API ask; the baselines count every match.

    python benchmarks/bench_search.py [--rows 1000000] [--engine sqlite|postgresql|both]
        [--repeat 20] [--pg postgresql+psycopg://postgres@127.0.0.1:5432/test]
        [--build-only] [--no-baselines] [--times otklik-times.json]

The stores are built once and reused (``--rebuild`` builds them again); ``--build-only``
stops there. To compare two versions of otklik on the same stores, run this script with
``PYTHONPATH`` pointing at each version's ``src`` in turn, with ``--no-baselines --times``.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import sqlite3
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import Engine, create_engine, text

from otklik.ledger import count_cap, make_engine, search_items, upgrade

OUT = Path(__file__).parent / "out"
ZONES = ["digital", "cards", "loans", "branches", "support", None]
CHANNELS = ["app", "web", "call", "email", "branch", "chat"]
PLANTED = [  # (words, share of comments carrying one of them)
    (["перевод", "переводы", "переводом", "перевода", "переводу"], 0.02),
    (["счёт", "счет", "счета", "счётом"], 0.01),
    (["карта", "карту", "картой", "карты"], 0.05),
    (["card", "cards", "transfer", "transfers"], 0.005),
    (["tarjeta", "transferencia", "gagal", "transfernya"], 0.002),
    (["تحويل", "البطاقة"], 0.001),
    (["+7 912 345-67-89", "ivan.petrov@example.org"], 0.003),
]
QUERIES: list[tuple[str, dict[str, Any]]] = [
    ("перевод", {}),
    ("переводом", {"owner_team": ["digital"]}),
    ("счёт", {}),
    ("счет", {"month": 6}),
    ("карта", {}),
    ("карта", {"owner_team": ["cards"], "channel": ["app"]}),
    ("карта перевод", {}),
    ("карта", {"month": 3}),
    ("transfer", {}),
    ("gagal", {}),
    ("تحويل", {}),
    ("{rare}", {}),
    ("{common}", {}),
    ("{common}", {"owner_team": ["support"]}),
    ("{mid} {common}", {}),
]


def _vocabulary(rng: np.random.Generator, size: int) -> list[str]:
    syllables = [c + v for c in "бвгдзклмнпрстфхцчшщ" for v in "аеиоуыя"]
    endings = ["", "а", "у", "ом", "ы", "е", "ами", "ой", "ение", "ать", "ил", "ость"]
    words: set[str] = set()
    while len(words) < size:
        n = int(rng.integers(2, 4))
        stem = "".join(syllables[int(i)] for i in rng.integers(0, len(syllables), n))
        words.add(stem + endings[int(rng.integers(0, len(endings)))])
    return sorted(words)


def generate(rows: int, seed: int = 16) -> tuple[list[tuple[Any, ...]], list[str]]:
    """Rows for ``feedback_items`` (same seed, same rows) and the vocabulary by rank."""
    rng = np.random.default_rng(seed)
    vocab = _vocabulary(rng, 20_000)
    ranks = np.minimum(rng.zipf(1.2, size=rows * 9), len(vocab)) - 1
    lengths = rng.integers(4, 15, size=rows)
    base = datetime(2025, 1, 1)
    seconds = rng.integers(0, 365 * 86400, size=rows)
    channel = rng.integers(0, len(CHANNELS), size=rows)
    zone = rng.integers(0, len(ZONES), size=rows)
    score = rng.integers(0, 11, size=rows)
    planted = [(words, rng.random(rows) < share) for words, share in PLANTED]
    out: list[tuple[Any, ...]] = []
    at = 0
    for i in range(rows):
        n = int(lengths[i])
        words = [vocab[int(r)] for r in ranks[at : at + n]]
        at = (at + n) % (len(ranks) - 20)
        for forms, hit in planted:
            if hit[i]:
                words.insert(int(n // 2), forms[i % len(forms)])
        comment = " ".join(words).capitalize() + "."
        occurred = base + timedelta(seconds=int(seconds[i]))
        out.append(
            (
                "bench",
                f"b{i}",
                "nps",
                CHANNELS[int(channel[i])],
                occurred.strftime("%Y-%m-%d %H:%M:%S.000000"),
                float(score[i]),
                "nps",
                comment,
                "ru",
                ZONES[int(zone[i])],
            )
        )
    return out, vocab


_COLUMNS = (
    "source, external_id, kind, channel, occurred_at, score, scale, text, language, owner_team"
)


def build_sqlite(path: Path, rows: list[tuple[Any, ...]]) -> None:
    """A migrated store with ``rows`` (secondary indexes rebuilt after the load), then the
    search index filled by otklik's own writer hook (timed)."""
    path.unlink(missing_ok=True)
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    con = sqlite3.connect(path)
    indexes = con.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' "
        "AND tbl_name = 'feedback_items' AND sql IS NOT NULL"
    ).fetchall()
    for name, _ in indexes:
        con.execute(f"DROP INDEX {name}")
    con.executemany(f"INSERT INTO feedback_items ({_COLUMNS}) VALUES ({','.join('?' * 10)})", rows)
    for _, sql in indexes:
        con.execute(sql)
    con.commit()
    con.close()
    engine = make_engine(f"sqlite:///{path}")
    started = time.perf_counter()
    from otklik.ledger import index_new_items
    from otklik.ledger.search import optimize_index

    with engine.begin() as conn:
        indexed = index_new_items(conn)
    print(f"  search index of {indexed:,} items built in {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    with engine.begin() as conn:  # one segment, as migration 0021_search leaves a store
        optimize_index(conn)
    print(f"  search index merged in {time.perf_counter() - started:.1f} s")
    with engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE")
    engine.dispose()


def build_postgresql(url: str, rows: list[tuple[Any, ...]]) -> None:
    engine = make_engine(url)
    upgrade(engine)
    raw = engine.raw_connection()
    raw.driver_connection.autocommit = True  # type: ignore[union-attr]  # VACUUM below
    try:
        cur = raw.cursor()
        with cur.copy(f"COPY feedback_items ({_COLUMNS}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        from otklik.ledger.search import PG_DOCUMENT_SQL

        # migration 0010's index, only so the "before" column can replay its query
        cur.execute(
            "CREATE INDEX ix_feedback_items_text_search ON feedback_items "
            f"USING gin ({PG_DOCUMENT_SQL})"
        )
        cur.execute("VACUUM ANALYZE feedback_items")
        raw.commit()
    finally:
        raw.close()
    engine.dispose()


def timed(fn: Callable[[], Any], repeat: int) -> tuple[list[float], Any]:
    result = fn()  # warm
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - started) * 1000)
    return times, result


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _queries(vocab: list[str]) -> Iterator[tuple[str, dict[str, Any]]]:
    words = {"rare": vocab[5000], "mid": vocab[50], "common": vocab[1]}
    for q, filters in QUERIES:
        yield q.format(**words), filters


def _filters(filters: dict[str, Any]) -> tuple[dict[str, Any], datetime | None, datetime | None]:
    plain = {k: v for k, v in filters.items() if k != "month"}
    if "month" in filters:
        month = filters["month"]
        return plain, datetime(2025, month, 1), datetime(2025, month + 1, 1)
    return plain, None, None


def _where_sql(filters: dict[str, Any], params: dict[str, Any]) -> str:
    plain, start, end = _filters(filters)
    parts = []
    for name, values in plain.items():
        parts.append(f"{name} = :{name}")
        params[name] = values[0]
    if start is not None and end is not None:
        parts.append("occurred_at >= :start AND occurred_at < :end")
        params["start"], params["end"] = start, end
    return "".join(f" AND {part}" for part in parts)


SLOW_BASELINES = frozenset({"raw LIKE", "before"})  # timed fewer times (seconds each at 1M)


def bench_engine(
    label: str,
    engine: Engine,
    vocab: list[str],
    repeat: int,
    baselines: dict[str, Any],
    times_out: dict[str, Any] | None = None,
) -> None:
    print(f"\n{label}: p50 / p95 ms over {repeat} runs each (page of 50 + total)")
    header = f"{'query':32} {'filters':28} {'hits':>8} {'otklik':>15}"
    header += "".join(f" {name:>15}" for name in baselines)
    print(header)
    all_ours: list[float] = []
    all_base: dict[str, list[float]] = {name: [] for name in baselines}
    cap = count_cap(engine)
    for q, filters in _queries(vocab):
        plain, start, end = _filters(filters)

        def ours(q: str = q, plain: dict[str, Any] = plain, s: Any = start, e: Any = end) -> Any:
            # as the items page and the API ask: a total counted up to the cap
            return search_items(engine, q=q, filters=plain, start=s, end=e, limit=50, cap=cap)

        times, (_items, total) = timed(ours, repeat)
        all_ours += times
        if times_out is not None:
            times_out.setdefault(label, []).append(
                {"q": q, "filters": str(filters), "total": total, "ms": times}
            )
        shown = f">{cap}" if total > cap else str(total)
        line = f"{q[:32]:32} {str(filters)[:28]:28} {shown:>8} "
        line += f"{_p(times, 0.5):>6.1f} / {_p(times, 0.95):>6.1f}"
        for name, fn in baselines.items():
            runs = max(3, repeat // 5) if name in SLOW_BASELINES else repeat
            btimes, btotal = timed(functools.partial(fn, q, filters), runs)
            all_base[name] += btimes
            same = btotal == total or (total > cap and btotal > cap)
            flag = "" if same else f" (total {btotal})"
            line += f" {_p(btimes, 0.5):>6.1f} / {_p(btimes, 0.95):>6.1f}{flag}"
        print(line, flush=True)
    line = (
        f"{'all queries':32} {'':28} {'':>8} {_p(all_ours, 0.5):>6.1f} / {_p(all_ours, 0.95):>6.1f}"
    )
    for name in baselines:
        line += f" {_p(all_base[name], 0.5):>6.1f} / {_p(all_base[name], 0.95):>6.1f}"
    print(line)


def sqlite_baselines(path: Path) -> dict[str, Callable[[str, dict[str, Any]], int]]:
    """Raw sqlite3: a LIKE scan, the FTS5 query written by hand, and the query otklik sent
    before this benchmark (migration 0010's: ``id IN (…) = 1``, counted through the items)."""
    from otklik.ledger.search import fts_match

    con = sqlite3.connect(path, check_same_thread=False)

    def run(where: str, params: dict[str, Any]) -> int:
        _fix_dates(params)
        con.execute(
            f"SELECT * FROM feedback_items WHERE {where} "
            "ORDER BY occurred_at DESC, id DESC LIMIT 50",
            params,
        ).fetchall()
        sql = f"SELECT count(*) FROM feedback_items WHERE {where}"
        return int(con.execute(sql, params).fetchone()[0])

    def like(q: str, filters: dict[str, Any]) -> int:
        params: dict[str, Any] = {f"w{i}": f"%{word}%" for i, word in enumerate(q.split())}
        where = " AND ".join(f"text LIKE :w{i}" for i, _ in enumerate(q.split()))
        return run(where + _where_sql(filters, params), params)

    def fts(q: str, filters: dict[str, Any], suffix: str = "") -> int:
        params: dict[str, Any] = {"m": fts_match(q)}
        where = "id IN (SELECT rowid FROM feedback_search WHERE feedback_search MATCH :m)"
        return run(where + suffix + _where_sql(filters, params), params)

    def before(q: str, filters: dict[str, Any]) -> int:
        return fts(q, filters, " = 1")

    return {"raw LIKE": like, "raw FTS5": fts, "before": before}


def _fix_dates(params: dict[str, Any]) -> None:
    for key in ("start", "end"):
        if key in params:
            params[key] = params[key].strftime("%Y-%m-%d %H:%M:%S.000000")


def pg_baselines(url: str) -> dict[str, Callable[[str, dict[str, Any]], int]]:
    """Raw SQL: the tsquery on the stored column written by hand, and the query otklik sent
    before this benchmark (migration 0010's expression, when its index is there)."""
    engine = create_engine(url)
    from otklik.ledger.search import PG_DOCUMENT_SQL

    def run(where: str, params: dict[str, Any]) -> int:
        with engine.connect() as conn:
            conn.execute(
                text(
                    f"SELECT * FROM feedback_items WHERE {where} "
                    "ORDER BY occurred_at DESC, id DESC LIMIT 50"
                ),
                params,
            ).all()
            sql = f"SELECT count(*) FROM feedback_items WHERE {where}"
            return int(conn.execute(text(sql), params).scalar_one())

    def tsquery(q: str, filters: dict[str, Any]) -> int:
        params: dict[str, Any] = {"q": q}
        where = "search_vector @@ plainto_tsquery('russian', :q)"
        return run(where + _where_sql(filters, params), params)

    def before(q: str, filters: dict[str, Any]) -> int:
        params: dict[str, Any] = {"q": q}
        where = f"{PG_DOCUMENT_SQL} @@ plainto_tsquery('russian', :q)"
        return run(where + _where_sql(filters, params), params)

    baselines: dict[str, Callable[[str, dict[str, Any]], int]] = {"raw tsquery": tsquery}
    with engine.connect() as conn:
        old = conn.execute(
            text("SELECT 1 FROM pg_indexes WHERE indexname = 'ix_feedback_items_text_search'")
        ).first()
    if old:
        baselines["before"] = before
    return baselines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--engine", choices=["sqlite", "postgresql", "both"], default="sqlite")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument(
        "--pg",
        default=os.environ.get(
            "OTKLIK_TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
        ),
    )
    parser.add_argument("--rebuild", action="store_true", help="build the stores again")
    parser.add_argument(
        "--build-only", action="store_true", help="build (or reuse) the stores and time nothing"
    )
    parser.add_argument(
        "--no-baselines", action="store_true", help="time otklik's search only (no raw SQL)"
    )
    parser.add_argument("--times", type=Path, help="write otklik's times (ms) per query as JSON")
    args = parser.parse_args()
    print(f"load average at start: {Path('/proc/loadavg').read_text().strip()}")
    times: dict[str, Any] = {}
    started = time.perf_counter()
    vocab = _vocabulary(np.random.default_rng(16), 20_000)  # generate()'s, same seed

    @functools.cache
    def rows() -> list[tuple[Any, ...]]:  # only when a store is built
        made, _ = generate(args.rows)
        print(f"{args.rows:,} comments generated in {time.perf_counter() - started:.1f} s")
        return made

    OUT.mkdir(exist_ok=True)
    if args.engine in ("sqlite", "both"):
        path = OUT / f"search-{args.rows}.db"
        if args.rebuild or not path.exists():
            print(f"building {path} …", flush=True)
            build_sqlite(path, rows())
        engine = make_engine(f"sqlite:///{path}")
        upgrade(engine)  # a store built by an earlier version of this script
        if not args.build_only:
            base = {} if args.no_baselines else sqlite_baselines(path)
            bench_engine("SQLite", engine, vocab, args.repeat, base, times)
        engine.dispose()
    if args.engine in ("postgresql", "both"):
        schema = f"bench_search_{args.rows}"
        admin = create_engine(args.pg, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            exists = conn.execute(
                text("SELECT 1 FROM information_schema.schemata WHERE schema_name = :s"),
                {"s": schema},
            ).first()
            if args.rebuild and exists:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
                exists = None
            if not exists:
                conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        url = f"{args.pg}?options=-csearch_path%3D{schema}"
        if not exists:
            print(f"building PostgreSQL schema {schema} …", flush=True)
            build_postgresql(url, rows())
        engine = make_engine(url)
        upgrade(engine)
        if not args.build_only:
            base = {} if args.no_baselines else pg_baselines(url)
            bench_engine("PostgreSQL", engine, vocab, args.repeat, base, times)
        engine.dispose()
    print(f"load average at end: {Path('/proc/loadavg').read_text().strip()}")
    if args.times is not None:
        args.times.write_text(json.dumps(times, ensure_ascii=False))


if __name__ == "__main__":
    main()
