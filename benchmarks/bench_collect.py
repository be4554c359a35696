"""Survey answers per second through the real server, and proof that none is lost or doubled.

Creates a fresh SQLite store (or uses --db), one NPS survey and --answers invitations (through
the library, contact policy and all), starts ``otklik``'s web app under uvicorn in a separate
process, and fires the answers at ``POST /s/<token>`` from this process over loopback: JSON as
the widget sends it (or ``--form`` as the link page does), on --connections keep-alive
connections. --duplicates of the answers are sent a second time, at the same moment on another
connection, and must be refused (409). Firing stops after --answers answers or --seconds
seconds, whichever comes first.

Then it checks the store: every answer the server accepted (201) is in the ledger exactly once
and its invitation is marked answered; nothing else is. Prints answers/s, p50/p99 latency,
the status counts and the machine's load, and exits non-zero if anything was lost or doubled.

    python benchmarks/bench_collect.py [--answers 20000] [--seconds 60] [--connections 32]
                                       [--duplicates 0.02] [--form] [--db sqlite:///PATH]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import text

from otklik.config import Settings
from otklik.ledger import make_engine, upgrade
from otklik.surveys import Inviter, create_survey

SECRET = "benchmark-secret-key-0123456789-abcdefghijklmnop"
SERVER = """
import sys, uvicorn
from otklik.config import load_settings
from otklik.web import create_app
app = create_app(load_settings())
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning",
            access_log=False)
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _prepare(url: str, count: int) -> list[tuple[int, str]]:
    engine = make_engine(url)
    upgrade(engine)
    survey = create_survey(engine, name=f"bench-{time.time_ns()}", type="nps")
    settings = Settings(database_url=url, secret_key=SECRET)
    inviter = Inviter.from_settings(engine, settings)
    started = time.perf_counter()
    results = inviter.invite_many(
        survey_id=survey.id,
        rows=[
            (
                i,
                {
                    "customer_id": f"bench-{survey.id}-{i}",
                    "channel": "app",
                    "mechanic": random.choice(("bottom-sheet", "popup", "success-screen")),
                },
            )
            for i in range(count)
        ],
    )
    took = time.perf_counter() - started
    print(f"{count:,} invitations created in {took:.1f} s ({count / took:,.0f}/s)", flush=True)
    engine.dispose()
    return [(r.invitation.id, r.invitation.token) for r in results if r.invitation]


def _start_server(url: str, port: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "OTKLIK_DATABASE_URL": url,
        "OTKLIK_SECRET_KEY": SECRET,
        # One client address sends everything here: lift the per-address cap (the limiter
        # still runs on every request, so its cost is measured).
        "OTKLIK_SURVEY_IP_PER_MINUTE": "100000000",
        "OTKLIK_METRICS_CHECK_EVERY_S": "3600",
    }
    process = subprocess.Popen([sys.executable, "-c", SERVER, str(port)], env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return process
        except OSError:
            if process.poll() is not None:
                raise SystemExit("the server did not start") from None
            time.sleep(0.1)
    process.kill()
    raise SystemExit("the server did not start within 60 s")


def _request(port: int, token: str, score: int, form: bool) -> bytes:
    fields = {
        "score": score,
        "comment": "benchmark answer",
        "mode": "bottom-sheet",
        "dwell_ms": 4200,
    }
    if form:
        body = urlencode(fields).encode()
        kind = "application/x-www-form-urlencoded"
    else:
        body = json.dumps(fields).encode()
        kind = "application/json"
    head = (
        f"POST /s/{token} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: {kind}\r\n"
        f"Accept: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


async def _send(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, payload: bytes) -> int:
    writer.write(payload)
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    length = next(
        (
            int(line.split(":", 1)[1])
            for line in lines
            if line.lower().startswith("content-length:")
        ),
        0,
    )
    await reader.readexactly(length)
    return status


async def _fire(
    port: int, jobs: list[tuple[int, str, int]], connections: int, seconds: float, form: bool
) -> tuple[list[tuple[int, int, float]], float]:
    queue: asyncio.Queue[tuple[int, str, int]] = asyncio.Queue()
    for job in jobs:
        queue.put_nowait(job)
    results: list[tuple[int, int, float]] = []
    deadline = time.perf_counter() + seconds

    async def worker() -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while time.perf_counter() < deadline:
                try:
                    invitation, token, score = queue.get_nowait()
                except asyncio.QueueEmpty:
                    return
                started = time.perf_counter()
                status = await _send(reader, writer, _request(port, token, score, form))
                results.append((invitation, status, time.perf_counter() - started))
        finally:
            writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(connections)))
    return results, time.perf_counter() - started


def _verify(url: str, ids: set[int], accepted: list[int]) -> dict[str, Any]:
    engine = make_engine(url)
    with engine.connect() as conn:
        items = Counter(
            int(external_id.removeprefix("invitation-"))
            for (external_id,) in conn.execute(
                text("SELECT external_id FROM feedback_items WHERE source = 'surveys'")
            )
        )
        answered = {
            row.id
            for row in conn.execute(
                text(
                    "SELECT id FROM invitations WHERE answered_at IS NOT NULL "
                    "AND item_id IS NOT NULL"
                )
            )
        }
    engine.dispose()
    mine = {k: v for k, v in items.items() if k in ids}
    accepted_set = set(accepted)
    return {
        "accepted": len(accepted),
        "accepted_twice": len(accepted) - len(accepted_set),
        "in_ledger": sum(mine.values()),
        "missing": len(accepted_set - set(mine)),
        "doubled": sum(1 for v in mine.values() if v > 1),
        "unexpected": len(set(mine) - accepted_set),
        "not_marked": len(accepted_set - answered),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--answers", type=int, default=20_000)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--duplicates", type=float, default=0.02)
    parser.add_argument("--form", action="store_true", help="post forms, not JSON")
    parser.add_argument("--db", help="store URL (default: a fresh SQLite file)")
    args = parser.parse_args()
    scratch = tempfile.TemporaryDirectory(prefix="otklik-bench-")
    url = args.db or f"sqlite:///{Path(scratch.name) / 'bench.db'}"
    links = _prepare(url, args.answers)
    rng = random.Random(7)
    jobs: list[tuple[int, str, int]] = []
    for invitation, token in links:
        job = (invitation, token, rng.randrange(11))
        # Some answers twice, right behind each other: another connection sends the copy.
        jobs.extend([job, job] if rng.random() < args.duplicates else [job])
    port = _free_port()
    server = _start_server(url, port)
    load_before = os.getloadavg()
    try:
        results, took = asyncio.run(_fire(port, jobs, args.connections, args.seconds, args.form))
    finally:
        load_after = os.getloadavg()
        server.terminate()
        server.wait(timeout=30)
    statuses = Counter(status for _, status, _ in results)
    accepted = [invitation for invitation, status, _ in results if status == 201]
    latencies = sorted(seconds for _, _, seconds in results)
    check = _verify(url, {invitation for invitation, _ in links}, accepted)
    ok = (
        check["missing"] == check["doubled"] == check["unexpected"] == 0
        and check["accepted_twice"] == 0
        and check["not_marked"] == 0
    )
    report = {
        "requests": len(results),
        "seconds": round(took, 2),
        "answers_per_s": round(len(accepted) / took, 1),
        "requests_per_s": round(len(results) / took, 1),
        "p50_ms": round(1000 * statistics.median(latencies), 2),
        "p99_ms": round(1000 * latencies[int(0.99 * (len(latencies) - 1))], 2),
        "statuses": dict(sorted(statuses.items())),
        "check": check,
        "exactly_once": ok,
        "body": "form" if args.form else "json",
        "connections": args.connections,
        "cpus": os.cpu_count(),
        "load_before": [round(x, 2) for x in load_before],
        "load_after": [round(x, 2) for x in load_after],
    }
    print(json.dumps(report, indent=2))
    print(
        f"{report['answers_per_s']:,} answers/s, p50 {report['p50_ms']} ms, "
        f"p99 {report['p99_ms']} ms; {check['accepted']:,} accepted, "
        f"{check['in_ledger']:,} in the ledger: "
        f"{'exactly once' if ok else 'LOST OR DOUBLED'}"
    )
    scratch.cleanup()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
