"""Every page in both languages: no catalogue key, no stored code, no stray English in Russian.

The walk enumerates the GET routes of every page module (``otklik.web.pages.PAGE_MODULES``), so
a page added later is walked without touching this test; each path parameter is filled from the
seeded store (:data:`FILL`: a new parameter fails loudly until it is added there). Every page is
read as an admin and as a team user, in Russian and in English, plus a few query variants and
error pages. What a person sees is checked: text nodes and the ``title``, ``placeholder`` and
``aria-label`` attributes, outside ``<script>``, ``<style>``, ``<textarea>`` and ``<code>``
(file paths, YAML, topic ids shown as ids), and the importer's English diagnostics, which the
page marks as English (``<samp lang="en">``). Customer data is exempt: every seeded customer text,
agent and desk carries a marker word (``PAYMARK``…), and a text node holding one is skipped.

Russian pages fail on a catalogue key (``nav.items``), on any stored code of the domain shown
as a word (``app``, ``survey``, ``in_progress``, ``detractor``…: built from the domain's own
lists) and on any Latin word outside a short list of names that Russian interfaces keep (NPS,
KPI, CSV…). English pages fail on a catalogue key and on Cyrillic text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from html.parser import HTMLParser
from typing import Any

import pytest
from fastapi.routing import APIRoute
from sqlalchemy import insert

from otklik.auth import Role
from otklik.classify.taxonomy import REQUIRED_SENTIMENTS, REQUIRED_TYPES
from otklik.experiments import build, create_experiment
from otklik.ledger import list_runs
from otklik.ledger.models_classify import CaseEvent, Classification
from otklik.metrics import CATALOGUE
from otklik.routing import CASE_STATUSES
from otklik.routing.ownership import ACTIONABLE_REASONS
from otklik.surveys import MECHANICS, create_survey
from otklik.types import CHANNEL_ALIASES, SCALES, EndedBy, Kind
from otklik.web.i18n import catalogue
from otklik.web.pages import PAGE_MODULES
from otklik.web.rendering import LANG_COOKIE
from tests.web.conftest import MARKERS, XSS, WebEnv, csrf_of, seed_rows

# Codes the domain stores and the web shows: none may reach a Russian page as a bare word.
DOMAIN_CODES: frozenset[str] = frozenset(
    {
        *CHANNEL_ALIASES.values(),
        *(kind.value for kind in Kind),
        *(end.value for end in EndedBy),
        *SCALES,
        *CASE_STATUSES,
        *(role.value for role in Role),
        *REQUIRED_TYPES,
        *REQUIRED_SENTIMENTS,
        *ACTIONABLE_REASONS,
        *MECHANICS,
        *CATALOGUE,  # metric codes (nps, csat, aht…) in lower case
        "opened",
        "assigned",
        "reopened",
        "rules",
        "model",
        "human",
        "running",
        "completed",
        "interrupted",
        "small_sample",
        "met",
        "missed",
        "not_significant",
        "broken",
        "watch",
        "no_data",
    }
)
# Latin words a Russian interface keeps: metric and format names, the product, zone names.
LATIN_OK = re.compile(
    r"^(otklik|NPS|eNPS|CSAT|CSI|CES|KPI|FCR|AHT|PDF|PNG|CSV|XLSX|YAML|TSV|JSON|JSONL|UTF|BOM|RFC"
    r"|Excel|excel|rfc|ru|en|RU|EN|SLA|SD|ID|SMS|SVM|Europe|Moscow|UTC|Wald|Rocks|FCR|CI|p|n|z"
    r"|Q[1-4]|W\d+|CX|t|otklik\w*|kpi|validate|init|docs|md|LLM|API|CLI|AR|F1|macro|Macro|HMAC"
    r"|SMTP|URL|Authorization|Bearer|POST|GET)$"
)
# Not words of the interface: settings (OTKLIK_…), commands (`otklik model train`), file
# paths (docs/llm.md) and the loanword e-mail are cut out of a text before its words are read.
NOT_WORDS = re.compile(
    r"\bOTKLIK_\w+|\botklik(?: [a-z][a-z-]*){1,2}|(?:\b[\w-]+)?/[\w{}./-]+|\be-mail\b", re.I
)
# An example value in a placeholder (checkout-csat, c-42) is an identifier, not a word.
IDENTIFIER = re.compile(r"^[\w.]+(?:[-_][\w.]+)+$|^[\w.]*\d[\w.]*$")
# Dialect names are link texts of the CSV export choice; ids like pay_nps are KPI names.
SKIP_TAGS = frozenset({"script", "style", "textarea", "code", "kbd"})
SHOWN_ATTRS = ("title", "placeholder", "aria-label")
EXEMPT = (*MARKERS.values(), "@example.org", XSS, "excel-ru")
# The company's own data shown as stored: the seed's products, sources, external ids, files,
# and KPI names (a KPI without a title is shown by its name).
CUSTOMER_VALUES = frozenset(
    {str(row[k]) for row in seed_rows() for k in ("external_id", "product") if row.get(k)}
    | {"seed", "walk", "upload:walk.csv", "pay_nps", "cards_nps"}
)


class _Visible(HTMLParser):
    """Text a person sees: text nodes and a few attributes, outside code-like elements and the
    cells that hold customer text (``class="text"``: comments, split by search highlighting)."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._hidden: list[str] = []  # the open elements whose content is not checked

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        # A diagnostic the importer writes in English is marked so: <samp lang="en">.
        if (
            tag in SKIP_TAGS
            or (tag == "samp" and named.get("lang") == "en")
            or (tag == "td" and "text" in (named.get("class") or "").split())
        ):
            self._hidden.append(tag)
        if self._hidden:
            return
        for name, value in attrs:
            if name == "placeholder" and value and IDENTIFIER.match(value):
                continue
            if name in SHOWN_ATTRS and value:
                self.parts.append(value)

    def handle_endtag(self, tag: str) -> None:
        if self._hidden and self._hidden[-1] == tag:
            self._hidden.pop()

    def handle_data(self, data: str) -> None:
        if not self._hidden and data.strip():
            self.parts.append(data.strip())


def visible_texts(html: str) -> list[str]:
    """The page's visible texts, customer data (marked in the seed) left out."""
    parser = _Visible()
    parser.feed(html)
    return [
        part
        for part in parser.parts
        if part not in CUSTOMER_VALUES and not any(mark in part for mark in EXEMPT)
    ]


_PREFIXES = sorted({key.split(".")[0] for key in catalogue("en")}, key=len, reverse=True)
KEY_PATTERN = re.compile(r"\b(?:" + "|".join(map(re.escape, _PREFIXES)) + r")\.[a-z_%]+[a-z_.%]*")
CODE_PATTERN = re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, DOMAIN_CODES)) + r")(?![\w-])")
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z_0-9]*")
CYRILLIC = re.compile(r"[А-Яа-яЁё]")


def problems(html: str, locale: str) -> list[str]:
    """What is wrong with one page in ``locale``: each problem with the text it was found in."""
    found: list[str] = []
    for text in visible_texts(html):
        for key in KEY_PATTERN.findall(text):
            if key in catalogue("en") or key.split(".")[0] in ("code", "error", "export"):
                found.append(f"catalogue key {key!r} in {text!r}")
        if locale == "ru":
            found += [
                f"code {c!r} in {text!r}" for c in CODE_PATTERN.findall(NOT_WORDS.sub(" ", text))
            ]
            found += [
                f"English word {word!r} in {text!r}"
                for word in LATIN_WORD.findall(NOT_WORDS.sub(" ", text))
                if not LATIN_OK.match(word) and word not in DOMAIN_CODES
            ]
        elif CYRILLIC.search(text):
            found.append(f"Cyrillic in the English page: {text!r}")
    return found


FILL: dict[str, Any] = {
    "{item_id}": lambda walk, role: walk.web.item_ids["payments-app-1-0"],
    "{case_id}": lambda walk, role: walk.web.case_ids["payments-app-1-0"],
    "{run_id}": lambda walk, role: walk.run_id,
    "{metric}": lambda walk, role: "nps",
    "{survey_id}": lambda walk, role: walk.survey_id,
    "{kind}": lambda walk, role: "taxonomy",
    "{key}": lambda walk, role: "PAYMARK-experiment",
}
# Query variants that bring more codes and error pages onto the screen.
VARIANTS = (
    "/explore?metric=nps&by=all&segment=channel",
    "/explore?metric=csat&by=month&segment=owner_team",
    "/explore?metric=nps&by=all&segment=kind",
    "/scorecards?by=channel",
    "/inbox?status=open&status=in_progress&status=closed",
    "/items?kind=survey&channel=app",
    "/items/999999999",
    "/explore?metric=no_such_metric",
    "/explore?segment=nonsense",
    "/no/such/page",
    "/admin/teams",
    "/admin/kpis",
    "/admin/teams/history",
    "/topics?split=channel",
    "/topics?split=agent&metric=csat",
    "/items?q=приложение",
)
# The survey preview is the respondent's page in the survey's language, not the interface's.
SKIP_PATHS = frozenset({"/lang/{code}", "/admin/surveys/{survey_id}/preview"})


def page_paths() -> list[str]:
    """Every GET page route of the app (the walk's list grows with the app)."""
    paths = {
        route.path
        for module in PAGE_MODULES
        for route in module.router.routes
        if isinstance(route, APIRoute) and "GET" in route.methods
    }
    return sorted(paths - SKIP_PATHS)


def _urls(walk: Walk, role: str) -> list[str]:
    urls = []
    for path in page_paths():
        url = path
        for name, fill in FILL.items():
            if name in url:
                url = url.replace(name, str(fill(walk, role)))
        assert "{" not in url, f"the walk cannot fill {path}: add its parameter to FILL"
        urls.append(url)
    return [*urls, *VARIANTS]


@dataclass
class Walk:
    web: WebEnv
    run_id: int
    survey_id: int


@pytest.fixture(scope="module")
def walked(web: WebEnv) -> Walk:
    """The seeded store plus an import run, a classification and a closed case to show."""
    client = web.login("admin")
    page = client.get("/imports")
    form = {"csrf_token": csrf_of(page.text), "kind": "survey", "scale": "", "source": "walk"}
    data = (
        "date,score,comment,channel\n2025-03-01,9,PAYMARK хорошо,app\n2025-03-02,11,PAYMARK x,web\n"
    )
    response = client.post(
        "/imports",
        data=form,
        files={"file": ("walk.csv", data.encode(), "text/csv")},
        follow_redirects=False,
    )
    assert response.status_code in (200, 303), response.text[:300]
    run_id = int(list_runs(web.engine, limit=1)[0]["id"])

    with web.engine.begin() as conn:
        conn.execute(
            insert(Classification).values(
                item_id=web.item_ids["payments-app-1-0"],
                origin="machine",
                type="complaint",
                sentiment="negative",
                topics=["app.login"],
                method="rules",
                created_at=datetime(2025, 5, 1),
            )
        )
    case = web.case_ids["payments-web-1-1"]
    with web.engine.begin() as conn:  # otklik writes the reason code as the opening note
        conn.execute(
            insert(CaseEvent).values(
                case_id=web.case_ids["payments-app-1-0"],
                at=datetime(2025, 5, 1),
                actor="otklik",
                action="opened",
                to_status="open",
                note="detractor",
            )
        )
    inbox = client.get("/inbox")
    closed = client.post(
        f"/inbox/{case}/close",
        data={"csrf_token": csrf_of(inbox.text), "note": "PAYMARK позвонили"},
        follow_redirects=False,
    )
    assert closed.status_code == 303, closed.text[:300]
    survey = create_survey(
        web.engine, name="PAYMARK walk", type="nps", questions={"ru": "PAYMARK вопрос"}
    )
    create_experiment(
        web.engine,
        build(
            {
                "key": "PAYMARK-experiment",
                "hypothesis": "PAYMARK гипотеза",
                "variants": [{"name": "PAYMARK-a"}, {"name": "PAYMARK-b"}],
                "metric": "response_rate",
                "guardrails": ["csat"],
            }
        ),
    )
    return Walk(web, run_id, survey.id)


@pytest.mark.parametrize("role", ["admin", "payments"])
@pytest.mark.parametrize("locale", ["ru", "en"])
def test_every_page_is_in_one_language(walked: Walk, role: str, locale: str) -> None:
    client = walked.web.login(role)
    client.cookies.set(LANG_COOKIE, locale)
    report: dict[str, list[str]] = {}
    seen = 0
    for url in _urls(walked, role):
        response = client.get(url, follow_redirects=True)
        if not response.headers.get("content-type", "").startswith("text/html"):
            continue
        seen += 1
        assert f'<html lang="{locale}"' in response.text, url
        found = problems(response.text, locale)
        if found:
            report[url] = found
    assert seen >= len(page_paths()), "the walk read fewer pages than the app has"
    assert not report, "\n".join(f"{url}: {p}" for url, ps in report.items() for p in ps[:8])


@pytest.mark.parametrize("locale", ["ru", "en"])
def test_login_page_is_in_one_language(walked: Walk, locale: str) -> None:
    client = walked.web.client
    client.cookies.clear()
    client.cookies.set(LANG_COOKIE, locale)
    assert not problems(client.get("/login").text, locale)


def test_the_checker_catches_what_it_should() -> None:
    """The checks themselves: a key, a code and English in Russian, Cyrillic in English."""
    assert problems("<p>nav.items</p>", "ru")
    assert problems("<td>in_progress</td>", "ru")
    assert problems("<td>app</td>", "ru")
    assert problems('<input placeholder="Search">', "ru")
    assert problems("<p>Отзывы</p>", "en")
    assert not problems("<p>NPS за март: PAYMARK app in_progress</p>", "ru")
    assert not problems("<p>Отзывы: NPS</p><code>app.login</code>", "ru")
    assert not problems("<p>Items</p>", "en")
    assert not problems("<p>Задайте OTKLIK_LLM_MODEL и запустите otklik model train</p>", "ru")
    assert not problems('<input placeholder="checkout-csat"><kbd>j</kbd>', "ru")
    assert problems('<input placeholder="Search here">', "ru")
    assert problems("<p>Задайте model и train</p>", "ru")
    assert not problems('<table><tr><td class="text">a <mark>b</mark> c</td></tr></table>', "ru")
    assert problems('<table><tr><td class="text">x</td><td>app</td></tr></table>', "ru")


def test_every_domain_code_has_a_message_in_both_languages() -> None:
    from otklik.ingest import IMPORT_KINDS

    lists = {
        "channel": set(CHANNEL_ALIASES.values()),
        "kind": set(IMPORT_KINDS),
        "ended_by": {end.value for end in EndedBy},
        "scale": set(SCALES),
        "status": set(CASE_STATUSES),
        "role": {role.value for role in Role},
        "type": set(REQUIRED_TYPES),
        "sentiment": set(REQUIRED_SENTIMENTS),
        "reason": set(ACTIONABLE_REASONS),
        "mechanic": set(MECHANICS),
        "action": {"opened", "assigned", "closed", "reopened"},
        "method": {"rules", "model", "human"},
        "run_status": {"running", "completed", "interrupted"},
    }
    missing = [
        f"{locale}: code.{kind}.{value}"
        for locale in ("ru", "en")
        for kind, values in lists.items()
        for value in sorted(values)
        if f"code.{kind}.{value}" not in catalogue(locale)
    ]
    assert not missing
    ru = {catalogue("ru")[f"code.channel.{value}"] for value in lists["channel"]}
    assert all(CYRILLIC.search(text) for text in ru)  # Russian names, not the codes again


def test_locale_formats() -> None:
    import datetime as dt

    from otklik.web.i18n import translator

    ru, en = translator("ru"), translator("en")
    assert ru.number(1234.5) == "1\xa0234,5" and en.number(1234.5) == "1,234.5"
    assert ru.date(dt.date(2025, 3, 1)) == "01.03.2025"
    assert ru.date(dt.datetime(2025, 3, 1, 10, 5)) == "01.03.2025 10:05"
    assert en.date(dt.date(2025, 3, 1)) == "Mar 1, 2025"
    assert ru.money(1234.5, "RUB") == "1\xa0234,50\xa0₽" and ru.money(1234.5) == "1\xa0234,50"
    assert ru.code("channel", "app") == "Приложение" and en.code("channel", "app") == "App"
    assert ru.code("channel", "pigeon") == "pigeon"  # unknown: shown as stored
    assert ru.column("occurred_at") == "Дата" and en.column("ci_low") == "95% CI, low"
    assert ru.boolean(True) == "да" and en.boolean(False) == "no"


def test_every_exported_column_has_a_header_in_both_languages() -> None:
    from otklik.web.i18n import translator
    from otklik.web.pages import inbox, items

    for columns in (inbox._EXPORT, items._EXPORT_COLUMNS):
        for locale in ("ru", "en"):
            t = translator(locale)
            assert [c for c in columns if t.column(c) == c and c not in ("id",)] == [], locale


def test_huge_and_odd_numbers_still_format() -> None:
    from otklik.web.i18n import translator

    ru = translator("ru")
    assert ru.number(1e308) == "1e+308"  # a value no figure means: shown, never a crash
    assert ru.number(float("inf")) == "inf"
    assert ru.number(1234.5) == "1\xa0234,5"
