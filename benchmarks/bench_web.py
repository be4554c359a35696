"""The overview's server time on a large demo store (not a timed test).

Builds (once) a demo store of N items, signs in as an admin and as a team member, lets the
metrics worker build its rollups, then requests the overview repeatedly and reads the app's
own ``Server-Timing`` header (time inside the app: session, queries, metrics, rendering; no
network). Prints p50, p95 and max for each role, the first (cold) request, and how long the
rollup cube took to build.

With ``--pages`` it times instead the first request of every page after a fresh start (a new
app, whose background precomputation — loading the stored rollups — is waited for and timed),
next to the same page's warm p50 in the same run (the baseline); ``--no-wait`` sends the first
requests without waiting for the background work. ``--after-write SECONDS`` (repeatable)
then writes one contact through the API (``POST /api/v1/items`` as the admin, as an integration
would: the page cache is dropped) and times each page's first request that many seconds after
the write (0: at once), and whether the page said its figures were being refreshed (the
"figures as of" line).

    python benchmarks/bench_web.py [--rows 1000000] [--db sqlite:///benchmarks/out/demo-1m.db]
                                   [--requests 100] [--pages [--no-wait] [--skip PATH] [--team]
                                   [--after-write SECONDS]]
"""

from __future__ import annotations

import argparse
import contextlib
import re
import statistics
import time
from collections.abc import Sequence
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import text

from otklik.auth import add_user
from otklik.config import Settings
from otklik.demo import generate, load_demo
from otklik.errors import ConfigError
from otklik.ledger import make_engine
from otklik.web import create_app

PASSWORD = "benchmark password"


def _ensure_store(url: str, rows: int) -> None:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            count = conn.execute(text("SELECT count(*) FROM feedback_items")).scalar_one()
    except Exception:
        count = 0
    if count < rows:
        print(f"loading a demo of {rows:,} items into {url} (once) …", flush=True)
        load_demo(engine, generate(rows, 42))
    with engine.begin() as conn:
        conn.execute(
            text(
                "UPDATE feedback_items SET owner_team = 'digital' "
                "WHERE owner_team IS NULL AND channel IN ('app', 'web')"
            )
        )
    for email, role, team in (
        ("bench-admin@example.org", "admin", None),
        ("bench-team@example.org", "team", "digital"),
    ):
        with contextlib.suppress(ConfigError):  # already there
            add_user(engine, email=email, role=role, password=PASSWORD, team=team)
    engine.dispose()


def _server_ms(response: object) -> float:
    header = response.headers["server-timing"]  # type: ignore[attr-defined]
    found = re.search(r"dur=([\d.]+)", header)
    assert found is not None
    return float(found.group(1))


def _login(client: TestClient, email: str) -> None:
    page = client.get("/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token is not None
    response = client.post(
        "/login",
        data={"email": email, "password": PASSWORD, "csrf_token": token.group(1)},
        follow_redirects=False,
    )
    assert response.status_code == 303


def _measure(client: TestClient, path: str, count: int) -> list[float]:
    times = []
    for _ in range(count):
        response = client.get(path)
        assert response.status_code == 200, response.text[:500]
        times.append(_server_ms(response))
    return times


def _report(label: str, times: list[float]) -> str:
    ordered = sorted(times)
    p95 = ordered[max(0, round(0.95 * len(ordered)) - 1)]
    return (
        f"{label:<28} n={len(times):<4} p50={statistics.median(times):7.1f} ms  "
        f"p95={p95:7.1f} ms  max={max(times):7.1f} ms"
    )


PAGES = (
    "/",
    "/inbox",
    "/explore?metric=nps&by=month&segment=channel",
    "/priorities",
    "/scorecards",
    "/topics",
    "/incidents",
    "/experiments",
    "/ex",
    "/conduct",
    "/contact",
    "/imports",
    "/status",
    "/settings",
    "/admin",
    "/llm",
    "/model",
)


def _pages(
    settings: Settings,
    requests: int,
    wait: bool,
    skip: list[str],
    email: str = "bench-admin@example.org",
    after_write: Sequence[float] = (),
) -> None:
    """First request of every page after a fresh start, and the same page's warm p50
    (printed as it goes)."""
    started = time.perf_counter()
    app = create_app(settings)
    with TestClient(app, base_url="https://testserver") as client:
        print(f"app started in {time.perf_counter() - started:.2f} s", flush=True)
        if wait:
            warm = time.perf_counter()
            prewarm = getattr(app.state, "prewarm", None)
            if prewarm is not None:
                prewarm.join()  # otklik.web.prewarm: rollups, overview, pillars, filters
            else:
                app.state.web.metrics.warm().result()
            took = time.perf_counter() - warm
            print(f"background precomputation done {took:.2f} s later", flush=True)
        _login(client, email)
        print(f"signed in as {email}", flush=True)
        print(f"{'page':<48} {'first ms':>9} {'warm p50 ms':>12} {'ratio':>6}", flush=True)
        slowest = 0.0
        for path in PAGES:
            if path in skip:
                continue
            response = client.get(path)
            if response.status_code != 200:
                print(f"{path:<48} status {response.status_code} (skipped)", flush=True)
                continue
            cold = _server_ms(response)
            slowest = max(slowest, cold)
            p50 = statistics.median(_measure(client, path, requests))
            print(f"{path:<48} {cold:9.1f} {p50:12.1f} {cold / p50:6.1f}", flush=True)
        print(f"slowest first request: {slowest:.1f} ms")
        for delay in after_write:
            _after_write(client, delay, skip)


_REFRESHING = re.compile(r'class="(?:[^"]* )?refreshing')


def _after_write(client: TestClient, delay: float, skip: list[str]) -> None:
    """One contact posted through the API (by the admin), then each page's first request
    ``delay`` seconds later as the signed-in user (server time, and whether it showed the
    "figures as of …, refreshing" line)."""
    writer = TestClient(client.app, base_url="https://testserver")  # the same app, as admin
    _login(writer, "bench-admin@example.org")
    page = writer.get("/settings").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token is not None
    moment = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime())
    response = writer.post(
        "/api/v1/items",
        json={
            "kind": "contact",
            "source": "bench-after-write",
            "items": [{"id": f"w{time.time_ns()}", "occurred_at": moment, "customer_id": "c1"}],
        },
        headers={"x-csrf-token": token.group(1)},
    )
    assert response.status_code == 200, response.text[:500]
    written = time.perf_counter()
    print(f"one contact written through the API; pages {delay:g} s after it:", flush=True)
    print(f"{'page':<48} {'first ms':>9} {'refreshing line':>16}", flush=True)
    slowest = 0.0
    for path in PAGES:
        if path in skip:
            continue
        wait = written + delay - time.perf_counter()
        if wait > 0:
            time.sleep(wait)
        response = client.get(path)
        if response.status_code != 200:
            print(f"{path:<48} status {response.status_code} (skipped)", flush=True)
            continue
        ms = _server_ms(response)
        slowest = max(slowest, ms)
        marked = "yes" if _REFRESHING.search(response.text) else "no"
        print(f"{path:<48} {ms:9.1f} {marked:>16}", flush=True)
    print(f"slowest first request after the write: {slowest:.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--db", default="sqlite:///benchmarks/out/demo-1m.db")
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--pages", action="store_true", help="first request of every page")
    parser.add_argument("--no-wait", action="store_true", help="with --pages: do not wait")
    parser.add_argument("--skip", action="append", default=[], help="with --pages: not PATH")
    parser.add_argument(
        "--team", action="store_true", help="with --pages: as the team user ('digital' zone)"
    )
    parser.add_argument(
        "--after-write",
        type=float,
        action="append",
        default=[],
        metavar="SECONDS",
        help="with --pages: write one contact, then each page's first request SECONDS later "
        "(repeat for several writes)",
    )
    args = parser.parse_args()
    if args.db.startswith("sqlite:///"):
        Path(args.db.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    _ensure_store(args.db, args.rows)
    settings = Settings(database_url=args.db, secret_key="x" * 48, metrics_check_every_s=5.0)
    print(f"load average before: {Path('/proc/loadavg').read_text().strip()}", flush=True)
    if args.pages:
        email = "bench-team@example.org" if args.team else "bench-admin@example.org"
        _pages(settings, args.requests, not args.no_wait, args.skip, email, args.after_write)
        print(f"load average after: {Path('/proc/loadavg').read_text().strip()}")
        return
    app = create_app(settings)
    lines = []
    with TestClient(app, base_url="https://testserver") as client:
        started = time.perf_counter()
        app.state.web.metrics.warm().result()
        lines.append(f"rollup cube built in {time.perf_counter() - started:.1f} s")
        for email, label in (
            ("bench-admin@example.org", "overview, admin"),
            ("bench-team@example.org", "overview, team 'digital'"),
        ):
            client.cookies.clear()
            _login(client, email)
            first = _measure(client, "/", 1)
            lines.append(f"{label:<28} first request {first[0]:.1f} ms")
            lines.append(_report(label, _measure(client, "/", args.requests)))
        client.cookies.clear()
        _login(client, "bench-admin@example.org")
        lines.append(
            _report(
                "explore nps×channel, admin",
                _measure(
                    client,
                    "/explore?metric=nps&by=month&segment=channel",
                    max(10, args.requests // 5),
                ),
            )
        )
    print("\n".join(lines))


if __name__ == "__main__":
    main()
