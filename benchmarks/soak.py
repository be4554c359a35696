"""Soak: an hour of mixed traffic at a bounded rate against `serve --workers 2` and a worker.

Creates a PostgreSQL database of its own (``--database``, dropped at the end unless ``--keep``),
loads the demo company (``--items`` items), adds an admin, an API token and a survey with enough
invitations, then starts, as separate processes on loopback:

* ``otklik serve --workers 2`` on a free port (uvicorn: a supervisor and 2 worker processes);
* ``otklik worker`` (the job queue: every posted item and survey answer is classified, routed).

A small client (a thread pool, keep-alive ``httpx`` clients) sends requests at a fixed
**open-loop** rate (``--rate`` per second, whatever the answers take) in this mix: overview
``/`` 20%, inbox ``/inbox`` 15%, search ``/items?q=`` 15%, metrics API
``/api/v1/metrics/nps`` 20%, ``POST /api/v1/items`` (5 items, queued for the worker) 15%,
survey answers ``POST /s/<token>`` 15%. Every ``--sample-s`` seconds it writes one JSON line
per sample to ``OUT/soak-timeline.jsonl`` (p50/p95 per route, errors, RSS of every server and
worker process from /proc, queue depth) and at the end prints the first ``--edge-min`` minutes
against the last ones and the least-squares slope of RSS and p95 over the run.

    python benchmarks/soak.py [--minutes 60] [--rate 2] [--items 200000] [--out soak-out]
                              [--report soak-out/soak-timeline.jsonl]
                              [--db postgresql+psycopg://postgres@127.0.0.1:5432/postgres]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

SECRET = "soak-secret-key-0123456789-abcdefghijklmnopqrstuv"
PASSWORD = "soak password 2026"
ADMIN = "soak-admin@example.org"
MIX = (
    ("overview", 20),
    ("inbox", 15),
    ("search", 15),
    ("metrics_api", 20),
    ("post_items", 15),
    ("survey_answer", 15),
)
WORDS = ("приложение", "комиссия", "оператор", "карта", "перевод", "app", "fee", "ждал")
COMMENTS = (
    "Приложение вылетает при входе",
    "Долго ждал оператора, 40 минут",
    "Спасибо, всё быстро",
    "Комиссия за перевод слишком высокая",
    "The app keeps logging me out",
    "",
)


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def database_url(admin_url: str, name: str) -> str:
    """``admin_url`` pointed at database ``name`` (same server, user, driver)."""
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def create_database(admin_url: str, name: str) -> str:
    """Drop and create database ``name``; returns its URL."""
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return database_url(admin_url, name)


def drop_database(admin_url: str, name: str) -> None:
    """Drop database ``name`` (connections forced off)."""
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def prepare(url: str, items: int, invitations: int) -> tuple[str, list[str]]:
    """Load the demo, add the admin and a token, a survey and its invitations.

    Returns (API token, invitation tokens).
    """
    from otklik.auth import add_user, create_token
    from otklik.config import Settings
    from otklik.demo import generate, load_demo
    from otklik.ledger import make_engine
    from otklik.surveys import Inviter, create_survey

    engine = make_engine(url)
    started = time.perf_counter()
    load_demo(engine, generate(items, 42))
    print(f"demo of {items:,} items loaded in {time.perf_counter() - started:.0f} s", flush=True)
    add_user(engine, email=ADMIN, role="admin", password=PASSWORD)
    token = create_token(engine, email=ADMIN, name="soak")
    survey = create_survey(engine, name="soak", type="nps")
    inviter = Inviter.from_settings(engine, Settings(database_url=url, secret_key=SECRET))
    results = inviter.invite_many(
        survey_id=survey.id,
        rows=[
            (i, {"customer_id": f"soak-{i}", "channel": "app", "mechanic": "popup"})
            for i in range(invitations)
        ],
    )
    links = [r.invitation.token for r in results if r.invitation]
    print(f"{len(links):,} invitations", flush=True)
    engine.dispose()
    return token, links


def server_env(url: str) -> dict[str, str]:
    """The environment the server and the worker run with."""
    src = str(Path(__file__).resolve().parents[1] / "src")
    return {
        **os.environ,
        "PYTHONPATH": src + os.pathsep + os.environ.get("PYTHONPATH", ""),
        "OTKLIK_DATABASE_URL": url,
        "OTKLIK_SECRET_KEY": SECRET,
        "OTKLIK_COOKIE_SECURE": "false",  # plain http on loopback
        "OTKLIK_SURVEY_IP_PER_MINUTE": "100000000",  # one client address sends everything
    }


def start(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """Start ``python -m otklik.cli ARGS`` with its output in ``log``."""
    handle = log.open("ab")
    return subprocess.Popen(
        [sys.executable, "-m", "otklik.cli", *args], env=env, stdout=handle, stderr=handle
    )


def wait_port(port: int, process: subprocess.Popen[bytes], seconds: float = 180) -> None:
    """Wait until the server answers on ``port``; exits if it dies or takes too long."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit("the server exited; see its log")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/login", timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    sys.exit(f"the server did not answer within {seconds:.0f} s")


def tree(pid: int) -> list[int]:
    """``pid`` and all its descendants, from /proc."""
    children: dict[int, list[int]] = defaultdict(list)
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        children[parent].append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(children.get(current, []))
    return found


def helper(pid: int) -> bool:
    """Whether ``pid`` is multiprocessing's resource tracker (not a web worker)."""
    try:
        return b"resource_tracker" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return True


def web_workers(server: int) -> dict[str, int]:
    """The server's web worker processes now, named serve-w1, serve-w2 … by pid order."""
    children = [p for p in tree(server) if p != server and not helper(p)]
    return {f"serve-w{n + 1}": pid for n, pid in enumerate(sorted(children))}


def rss_mb(pid: int) -> float | None:
    """Resident memory of ``pid`` in MiB (VmRSS), or None when it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def login(client: httpx.Client) -> None:
    """Sign the client in as the admin (session cookie)."""
    page = client.get("/login").text
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    if found is None:
        sys.exit("no csrf token on /login")
    answer = client.post(
        "/login",
        data={"email": ADMIN, "password": PASSWORD, "csrf_token": found.group(1)},
        follow_redirects=False,
    )
    if answer.status_code != 303:
        sys.exit(f"login failed: {answer.status_code}")


class Traffic:
    """Open-loop requests at a fixed rate; results kept per sample window."""

    def __init__(self, port: int, token: str, links: list[str], threads: int) -> None:
        self.base = f"http://127.0.0.1:{port}"
        self.token = token
        self.links = links
        self.lock = threading.Lock()
        self.results: list[tuple[str, int, float]] = []  # route, status, seconds
        self.local = threading.local()
        self.pool = ThreadPoolExecutor(max_workers=threads)
        self.sent = 0
        self.failures: dict[str, int] = defaultdict(int)
        self.done = 0
        self.rng = random.Random(17)
        self.routes = [name for name, weight in MIX for _ in range(weight)]

    def client(self) -> httpx.Client:
        client: httpx.Client | None = getattr(self.local, "client", None)
        if client is None:
            client = httpx.Client(base_url=self.base, timeout=60)
            login(client)
            self.local.client = client
        return client

    def request(self, route: str, serial: int) -> None:
        client = self.client()
        headers = {"Authorization": f"Bearer {self.token}"}
        started = time.perf_counter()
        try:
            if route == "overview":
                status = client.get("/").status_code
            elif route == "inbox":
                status = client.get("/inbox").status_code
            elif route == "search":
                word = WORDS[serial % len(WORDS)]
                status = client.get("/items", params={"q": word}).status_code
            elif route == "metrics_api":
                segment = ("channel", "owner_team", None)[serial % 3]
                params: dict[str, Any] = {"by": "month"}
                if segment:
                    params["segment"] = segment
                status = client.get(
                    "/api/v1/metrics/nps", params=params, headers=headers
                ).status_code
            elif route == "post_items":
                moment = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(seconds=serial)
                body = {
                    "kind": "survey",
                    "source": "soak",
                    "scale": "nps",
                    "items": [
                        {
                            "id": f"soak-{serial}-{k}",
                            "occurred_at": moment.isoformat(),
                            "score": (serial + k) % 11,
                            "text": COMMENTS[(serial + k) % len(COMMENTS)] or None,
                            "channel": "app",
                        }
                        for k in range(5)
                    ],
                }
                status = client.post("/api/v1/items", json=body, headers=headers).status_code
            else:
                with self.lock:
                    link = self.links.pop() if self.links else None
                    if link is None:
                        self.done += 1
                        return
                status = client.post(
                    f"/s/{link}",
                    json={"score": serial % 11, "comment": COMMENTS[serial % len(COMMENTS)]},
                    headers={"Accept": "application/json"},
                ).status_code
        except httpx.HTTPError as exc:  # no HTTP answer: counted by the exception's name
            status = 0
            with self.lock:
                self.failures[type(exc).__name__] += 1
        took = time.perf_counter() - started
        with self.lock:
            self.results.append((route, status, took))
            self.done += 1

    def take(self) -> list[tuple[str, int, float]]:
        with self.lock:
            taken, self.results = self.results, []
        return taken


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile (``share`` in 0..1) of ``values``."""
    ordered = sorted(values)
    return ordered[max(0, round(share * len(ordered)) - 1)]


def queue_depth(engine: Any) -> int:
    """Jobs waiting or running in the procrastinate queue."""
    with engine.connect() as conn:
        return int(
            conn.execute(
                text("SELECT count(*) FROM procrastinate_jobs WHERE status IN ('todo', 'doing')")
            ).scalar_one()
        )


def sample(
    elapsed: float,
    results: list[tuple[str, int, float]],
    pids: dict[str, int],
    depth: int,
    backlog: int,
) -> dict[str, Any]:
    """One timeline row: latency per route (ms), errors, RSS per process (MiB), queue depth."""
    routes: dict[str, list[float]] = defaultdict(list)
    errors = 0
    for route, status, took in results:
        if status >= 400 or status == 0:
            errors += 1
        else:
            routes[route].append(took * 1000)
    memory = {name: rss_mb(pid) for name, pid in pids.items()}
    workers = [value for name, value in memory.items() if name.startswith("serve-w")]
    memory["serve-workers-sum"] = sum(v for v in workers if v is not None)
    return {
        "t_s": round(elapsed, 1),
        "requests": len(results),
        "errors": errors,
        "statuses": sorted({status for _, status, _ in results if status >= 400 or status == 0}),
        "p50_ms": {r: round(statistics.median(v), 1) for r, v in sorted(routes.items())},
        "p95_ms": {r: round(percentile(v, 0.95), 1) for r, v in sorted(routes.items())},
        "rss_mb": {k: round(v, 1) for k, v in memory.items() if v is not None},
        "pids": pids,
        "queue_depth": depth,
        "client_backlog": backlog,  # sent, not yet answered (open loop: grows if saturated)
        "load": os.getloadavg()[0],
    }


def slope(points: list[tuple[float, float]]) -> float:
    """Least-squares slope of (x, y) points, y per unit of x."""
    if len(points) < 2:
        return 0.0
    mean_x = statistics.fmean(x for x, _ in points)
    mean_y = statistics.fmean(y for _, y in points)
    spread = sum((x - mean_x) ** 2 for x, _ in points)
    return sum((x - mean_x) * (y - mean_y) for x, y in points) / spread if spread else 0.0


def summary(rows: list[dict[str, Any]], edge_s: float, all_results: list[Any]) -> str:
    """First vs last ``edge_s`` seconds: per-route p50/p95 and RSS; slopes per hour."""
    end = rows[-1]["t_s"]
    first = [r for r in all_results if r[0] <= edge_s]
    last = [r for r in all_results if r[0] > end - edge_s]
    lines = [f"{'route':<14} {'p50 first':>10} {'p50 last':>10} {'p95 first':>10} {'p95 last':>10}"]
    for route, _ in MIX:
        a = [took * 1000 for t, name, status, took in first if name == route and 0 < status < 400]
        b = [took * 1000 for t, name, status, took in last if name == route and 0 < status < 400]
        if a and b:
            lines.append(
                f"{route:<14} {statistics.median(a):10.1f} {statistics.median(b):10.1f} "
                f"{percentile(a, 0.95):10.1f} {percentile(b, 0.95):10.1f}"
            )
    lines.append(f"{'process':<14} {'RSS first':>10} {'RSS last':>10} {'MiB/hour':>10}")
    names = rows[0]["rss_mb"].keys()
    head = [r for r in rows if r["t_s"] <= edge_s] or rows[:1]
    tail = [r for r in rows if r["t_s"] > end - edge_s] or rows[-1:]
    for name in names:
        a = [r["rss_mb"][name] for r in head if name in r["rss_mb"]]
        b = [r["rss_mb"][name] for r in tail if name in r["rss_mb"]]
        trend = slope([(r["t_s"] / 3600, r["rss_mb"][name]) for r in rows if name in r["rss_mb"]])
        if a and b:
            lines.append(
                f"{name:<14} {statistics.fmean(a):10.1f} {statistics.fmean(b):10.1f} {trend:10.1f}"
            )
    lines.append(f"web workers replaced by uvicorn's supervisor: {rows[-1]['web_worker_restarts']}")
    total = sum(r["requests"] for r in rows)
    errors = sum(r["errors"] for r in rows)
    p95_all = [
        (r["t_s"] / 3600, statistics.fmean(r["p95_ms"].values())) for r in rows if r["p95_ms"]
    ]
    lines.append(
        f"requests {total:,}, errors {errors}, mean-route p95 slope {slope(p95_all):+.1f} ms/hour, "
        f"queue depth max {max(r['queue_depth'] for r in rows)}, "
        f"client backlog max {max(r['client_backlog'] for r in rows)}, "
        f"load avg mean {statistics.fmean(r['load'] for r in rows):.1f}"
    )
    return "\n".join(lines)


def windows(rows: list[dict[str, Any]], minutes: float) -> str:
    """The timeline in windows of ``minutes``: a Markdown table of the medians of the samples'
    p95 per route, errors, RSS (MiB), queue depth and load average."""
    routes = [name for name, _ in MIX]
    head = ["minutes", "requests", "errors", *[f"{r} p95 ms" for r in routes]]
    head += ["web workers RSS", "job worker RSS", "queue max", "load"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---:|" * len(head)]
    span = minutes * 60
    groups: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        groups[int((row["t_s"] - 0.001) // span)].append(row)
    for index, group in sorted(groups.items()):
        cells = [f"{index * minutes:g}–{(index + 1) * minutes:g}"]
        cells.append(f"{sum(r['requests'] for r in group):,}")
        cells.append(str(sum(r["errors"] for r in group)))
        for route in routes:
            values = [r["p95_ms"][route] for r in group if route in r["p95_ms"]]
            cells.append(f"{statistics.median(values):,.0f}" if values else "–")
        web = [r["rss_mb"].get("serve-workers-sum", 0.0) for r in group]
        job = [r["rss_mb"].get("worker", 0.0) for r in group]
        cells.append(f"{statistics.fmean(web):.0f}")
        cells.append(f"{statistics.fmean(job):.0f}")
        cells.append(str(max(r["queue_depth"] for r in group)))
        cells.append(f"{statistics.fmean(r['load'] for r in group):.1f}")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=60)
    parser.add_argument("--rate", type=float, default=2.0, help="requests per second")
    parser.add_argument("--items", type=int, default=200_000)
    parser.add_argument("--sample-s", type=float, default=30.0)
    parser.add_argument("--edge-min", type=float, default=5.0)
    parser.add_argument("--threads", type=int, default=16)
    parser.add_argument(
        "--db",
        default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres",
        help="a server where a database may be created",
    )
    parser.add_argument("--database", default="otklik_soak")
    parser.add_argument("--out", default="soak-out")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument(
        "--report", type=Path, help="only print the windows table of a timeline (JSONL) written"
    )
    parser.add_argument("--window-min", type=float, default=10.0)
    args = parser.parse_args()
    if args.report:
        lines = args.report.read_text(encoding="utf-8").splitlines()
        print(windows([json.loads(line) for line in lines if line], args.window_min))
        return
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    answers = int(args.rate * args.minutes * 60 * 0.15 * 1.3) + 100
    url = create_database(args.db, args.database)
    processes: list[subprocess.Popen[bytes]] = []
    try:
        token, links = prepare(url, args.items, answers)
        env = server_env(url)
        port = free_port()
        server = start(
            ["serve", "--workers", "2", "--port", str(port)], env, out / "soak-server.log"
        )
        worker = start(["worker"], env, out / "soak-worker.log")
        processes = [server, worker]
        wait_port(port, server)
        time.sleep(2)
        pids = {"serve": server.pid, "worker": worker.pid}
        pids.update(web_workers(server.pid))
        seen = set(pids.values())
        print(f"server on :{port}, processes {pids}", flush=True)
        from otklik.ledger import make_engine

        engine = make_engine(url)
        traffic = Traffic(port, token, links, args.threads)
        rows: list[dict[str, Any]] = []
        timed: list[tuple[float, str, int, float]] = []
        timeline = (out / "soak-timeline.jsonl").open("w", encoding="utf-8")
        started = time.monotonic()
        finish = started + args.minutes * 60
        next_sample = started + args.sample_s
        serial = 0
        restarts = 0
        while True:
            now = time.monotonic()
            if now >= next_sample or now >= finish:
                results = traffic.take()
                # uvicorn's supervisor replaces a worker that fails its health check
                pids = {"serve": server.pid, "worker": worker.pid, **web_workers(server.pid)}
                restarts += len(set(pids.values()) - seen)
                seen |= set(pids.values())
                elapsed = now - started
                timed.extend((elapsed, *result) for result in results)
                row = sample(
                    elapsed,
                    results,
                    pids,
                    queue_depth(engine),
                    traffic.sent - traffic.done,
                )
                row["web_worker_restarts"] = restarts
                row["no_answer"] = dict(traffic.failures)  # cumulative, by exception
                rows.append(row)
                timeline.write(json.dumps(row) + "\n")
                timeline.flush()
                print(json.dumps(row), flush=True)
                next_sample += args.sample_s
                if now >= finish:
                    break
            due = started + serial / args.rate
            if due > now:
                time.sleep(min(due - now, max(0.0, next_sample - now)))
                continue
            traffic.pool.submit(traffic.request, traffic.rng.choice(traffic.routes), serial)
            serial += 1
            traffic.sent += 1
        traffic.pool.shutdown(wait=True)
        timeline.close()
        engine.dispose()
        text_summary = summary(rows, args.edge_min * 60, timed)
        header = (
            f"soak: {args.minutes:g} min at {args.rate:g} req/s, {args.items:,} demo items, "
            f"serve --workers 2 + 1 worker, PostgreSQL; {datetime.now(UTC):%Y-%m-%d %H:%M} UTC"
        )
        text_summary += "\n\n" + windows(rows, args.window_min)
        (out / "soak-summary.txt").write_text(header + "\n" + text_summary + "\n")
        print(header)
        print(text_summary)
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(60)
            except subprocess.TimeoutExpired:
                process.kill()
        if not args.keep:
            drop_database(args.db, args.database)


if __name__ == "__main__":
    main()
