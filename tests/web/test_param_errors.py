"""One answer for one kind of bad parameter, on every page and API route that takes it.

Convention (``otklik.web.params``): a ``period``, ``from`` or ``to`` that cannot be read,
``to`` before ``from``, or an ``at`` that is not a moment, is **422** ``invalid_request``
everywhere, the status FastAPI gives any typed parameter it rejects; the JSON message names the
parameter and a page shows one translated line for it. An unknown choice of a case filter
(``status``, ``sla``) is a bad parameter too. A valid range with nothing in it (a
period or ``from`` in the future) is not an error: 200, n = 0.
"""

from __future__ import annotations

import pytest

from tests.web.conftest import WebEnv

# (kind, address without the parameter); "page" answers HTML, "api" JSON
PERIOD_ROUTES = [
    ("page", "/scorecards?"),
    ("page", "/ex?"),
    ("page", "/topics?"),
    ("page", "/priorities?"),
    ("page", "/priorities/report?format=md&"),
    ("api", "/api/v1/kpis/report?"),
    ("api", "/api/v1/ex/report?"),
    ("api", "/api/v1/ex/link?"),
    ("api", "/api/v1/pillars?"),
    ("api", "/api/v1/topics?"),
    ("api", "/api/v1/drivers?"),
    ("api", "/api/v1/backlog?"),
]
RANGE_ROUTES = [
    ("page", "/?"),
    ("page", "/items?"),
    ("page", "/explore?"),
    ("api", "/api/v1/metrics/nps?"),
    ("api", "/api/v1/items?"),
]
MOMENT_ROUTES = [("page", "/status?"), ("page", "/incidents?"), ("api", "/status.json?")]
FILTER_ROUTES = [("page", "/inbox?"), ("api", "/api/v1/cases?")]
LINES = {
    ("at", "ru"): "Момент не распознан",
    ("at", "en"): "The moment is not valid",
    ("period", "ru"): "Период не распознан",
    ("period", "en"): "The period is not valid",
    ("from", "ru"): "Дата «с» не распознана",
    ("from", "en"): "The “from” date is not valid",
    ("to", "ru"): "Дата «по» не распознана",
    ("to", "en"): "The “to” date is not valid",
    ("range", "ru"): "Дата «по» раньше даты «с»",
    ("range", "en"): "The “to” date is before the “from” date",
    ("filter", "ru"): "Неизвестное значение фильтра",
    ("filter", "en"): "Unknown filter value",
}
BAD = [
    (PERIOD_ROUTES, "period=2025-13", "period"),
    (PERIOD_ROUTES, "period=garbage", "period"),
    (PERIOD_ROUTES, "period=2025-02-30", "period"),
    (RANGE_ROUTES, "from=2025-13-01", "from"),
    (RANGE_ROUTES, "to=31.02.2025", "to"),
    (RANGE_ROUTES, "from=2025-03-05&to=2025-03-01", "range"),
    (MOMENT_ROUTES, "at=yesterday", "at"),
    (FILTER_ROUTES, "status=nonsense", "filter"),  # an unknown choice of a case filter
    (FILTER_ROUTES, "sla=late", "filter"),
]
CASES = [
    pytest.param(kind, route + query, what, id=f"{route}{query}")
    for routes, query, what in BAD
    for kind, route in routes
]


@pytest.mark.parametrize("locale", ["ru", "en"])
@pytest.mark.parametrize(("kind", "address", "what"), CASES)
def test_bad_parameter_is_422_everywhere(
    web: WebEnv, kind: str, address: str, what: str, locale: str
) -> None:
    if kind == "api":
        response = web.client.get(
            address, headers={**web.bearer("admin"), "Accept-Language": locale}
        )
        assert response.status_code == 422, (address, response.text[:300])
        error = response.json()["error"]
        assert error["code"] == "invalid_request"
        named = {"range": "from", "filter": "unknown"}.get(what, what)
        assert named in error["message"] and "\n" not in error["message"]
        return
    client = web.login("admin")
    response = client.get(address, headers={"Accept-Language": locale})
    assert response.status_code == 422, (address, response.text[:300])
    assert LINES[(what, locale)] in response.text


EMPTY = [
    *(pytest.param(kind, route + "period=2100-12", id=route) for kind, route in PERIOD_ROUTES),
    *(
        pytest.param(kind, route + query, id=route + query)
        for kind, route in RANGE_ROUTES
        for query in ("from=2100-12-31", "from=2100-12-01&to=2100-12-31")
    ),
]


@pytest.mark.parametrize(("kind", "address"), EMPTY)
def test_valid_empty_range_is_an_empty_answer(web: WebEnv, kind: str, address: str) -> None:
    if kind == "api":
        response = web.client.get(address, headers=web.bearer("admin"))
    else:
        response = web.login("admin").get(address, headers={"Accept-Language": "en"})
    assert response.status_code == 200, (address, response.text[:300])


def test_future_overview_shows_no_answers(web: WebEnv) -> None:
    page = web.login("admin").get("/?from=2100-12-31", headers={"Accept-Language": "en"})
    assert page.status_code == 200
    # nothing after 2100: no figure is drawn from an answer the seed never had
    assert not any(mark in page.text for mark in ("n = 1", "n = 2"))
    rows = web.client.get(
        "/api/v1/metrics/nps?from=2100-12-01&to=2100-12-31", headers=web.bearer("admin")
    ).json()
    assert all(row["n"] == 0 for row in rows)
    listed = web.client.get("/api/v1/items?from=2100-12-31", headers=web.bearer("admin")).json()
    assert listed["items"] == []
