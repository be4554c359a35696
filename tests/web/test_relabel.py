"""Correcting an item's classification in place: the item page's form and the JSON API.

The correction is a human label: it must win wherever the classification is read (the merged
labels, the ``current_classifications`` view, topic filters), carry who and when, reach
``otklik model train``'s data, stay inside the user's zone and need the CSRF token.
"""

from __future__ import annotations

from sqlalchemy import text

from otklik.classify import MachineLabel, current_labels, write_machine_labels
from otklik.classify.train import human_training_data
from tests.web.conftest import USERS, WebEnv, csrf_of


def _machine(web: WebEnv, external_id: str) -> int:
    item_id = web.item_ids[external_id]
    write_machine_labels(
        web.engine,
        [
            MachineLabel(
                item_id=item_id,
                type="praise",
                sentiment="positive",
                topics=["payments.fees"],
                tags={},
                language="ru",
                owner_team="payments",
                method="rules",
                confidence=0.4,
                scores={},
            )
        ],
    )
    return item_id


def test_team_user_corrects_own_item_and_the_human_label_wins(web: WebEnv) -> None:
    item_id = _machine(web, "payments-app-2-4")
    client = web.login("payments")
    page = client.get(f"/items/{item_id}")
    assert page.status_code == 200
    assert "Исправить классификацию" in page.text or "Correct the classification" in page.text
    response = client.post(
        f"/items/{item_id}/labels",
        data={
            "csrf_token": csrf_of(page.text),
            "type": "complaint",
            "sentiment": "positive",  # unchanged: stays the machine's, not stored as human
            "topics": ["payments.transfers"],
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    label = current_labels(web.engine, [item_id])[item_id]
    assert (label["type"], label["topics"], label["method"]) == (
        "complaint",
        ["payments.transfers"],
        "human",
    )
    # each part says who gave it: the person corrected type and topics, the rules the sentiment
    assert label["methods"] == {"type": "human", "sentiment": "rules", "topics": "human"}
    with web.engine.connect() as conn:
        human = conn.execute(
            text(
                "SELECT type, sentiment, labelled_by, created_at FROM classifications "
                "WHERE item_id = :i AND origin = 'human'"
            ),
            {"i": item_id},
        ).one()
        view = conn.execute(
            text("SELECT type FROM current_classifications WHERE item_id = :i"), {"i": item_id}
        ).scalar_one()
    assert (human.type, human.sentiment, human.labelled_by) == (
        "complaint",
        None,
        USERS["payments"][0],
    )
    assert human.created_at is not None
    assert view == "complaint"
    # a topic filter reads the corrected topic, not the machine's
    found = client.get("/api/v1/items", params={"topic": "payments.transfers", "limit": 1000})
    assert item_id in [item["id"] for item in found.json()["items"]]
    gone = client.get("/api/v1/items", params={"topic": "payments.fees", "limit": 1000})
    assert item_id not in [item["id"] for item in gone.json()["items"]]
    # the page shows the correction, its author and the titles in the user's language
    shown = client.get(f"/items/{item_id}?saved=1", headers={"Accept-Language": "ru"})
    assert USERS["payments"][0] in shown.text
    parts = shown.text.split('id="part-methods"')[1].split("</dd>")[0]
    assert parts.count("человек") == 2 and parts.count("правила") == 1
    # and it is training data for `otklik model train`
    texts, labels = human_training_data(web.engine, "type")
    text_of = next(row["text"] for row in web.rows if row["external_id"] == "payments-app-2-4")
    assert (text_of, "complaint") in list(zip(texts, labels, strict=True))


def test_saving_without_change_confirms_all_three(web: WebEnv) -> None:
    item_id = _machine(web, "payments-app-2-6")
    client = web.login("analyst")
    page = client.get(f"/items/{item_id}")
    client.post(
        f"/items/{item_id}/labels",
        data={
            "csrf_token": csrf_of(page.text),
            "type": "praise",
            "sentiment": "positive",
            "topics": ["payments.fees"],
        },
        follow_redirects=False,
    )
    with web.engine.connect() as conn:
        row = conn.execute(
            text(
                "SELECT type, sentiment FROM classifications WHERE item_id = :i "
                "AND origin = 'human'"
            ),
            {"i": item_id},
        ).one()
    assert tuple(row) == ("praise", "positive")


def test_zone_csrf_and_bad_values(web: WebEnv) -> None:
    cards_item = _machine(web, "cards-app-2-2")
    client = web.login("payments")
    page = client.get(f"/items/{web.item_ids['payments-app-2-8']}")
    token = csrf_of(page.text)
    other = client.post(
        f"/items/{cards_item}/labels",
        data={"csrf_token": token, "type": "complaint"},
        follow_redirects=False,
    )
    assert other.status_code == 404
    api = client.patch(
        f"/api/v1/items/{cards_item}/labels",
        json={"type": "complaint"},
        headers={"X-CSRF-Token": token},
    )
    assert api.status_code == 404
    assert api.json()["error"]["code"] == "not_found"
    own = web.item_ids["payments-app-2-8"]
    no_csrf = client.post(f"/items/{own}/labels", data={"type": "complaint"})
    assert no_csrf.status_code == 403
    no_header = client.patch(f"/api/v1/items/{own}/labels", json={"type": "complaint"})
    assert no_header.status_code == 403
    bad = client.patch(
        f"/api/v1/items/{own}/labels",
        json={"topics": ["no.such.topic"]},
        headers={"X-CSRF-Token": token},
    )
    assert bad.status_code == 400
    assert "no.such.topic" in bad.json()["error"]["message"]
    with web.engine.connect() as conn:
        stored = conn.execute(
            text(
                "SELECT count(*) FROM classifications "
                "WHERE origin = 'human' AND item_id IN (:a, :b)"
            ),
            {"a": cards_item, "b": own},
        ).scalar_one()
    assert stored == 0


def test_api_patch_and_post_with_a_token(web: WebEnv) -> None:
    item_id = _machine(web, "cards-app-3-1")
    headers = web.bearer("cards")
    patched = web.client.patch(
        f"/api/v1/items/{item_id}/labels",
        json={"sentiment": "negative", "topics": []},
        headers=headers,
    )
    assert patched.status_code == 200, patched.text
    body = patched.json()
    assert (body["sentiment"], body["topics"], body["type"], body["method"]) == (
        "negative",
        [],
        "praise",  # not given: the machine's type still shows
        "human",
    )
    assert body["labelled_by"] == USERS["cards"][0]
    assert body["labelled_at"].endswith("+00:00")
    posted = web.client.post(
        f"/api/v1/items/{item_id}/labels", json={"type": "question"}, headers=headers
    )
    assert posted.json()["type"] == "question"
    assert posted.json()["sentiment"] == "negative"  # the earlier correction is kept
    empty = web.client.post(f"/api/v1/items/{item_id}/labels", json={}, headers=headers)
    assert empty.status_code == 400
    extra = web.client.post(
        f"/api/v1/items/{item_id}/labels", json={"colour": "red"}, headers=headers
    )
    assert extra.status_code == 422


def test_a_relabel_to_another_team_takes_the_open_case_along(web: WebEnv) -> None:
    # payments-web-1-1 has an open payments case; its owner is made a routed one (as routing
    # writes it) so that a topic of another team may move it (an import's owner never moves)
    item_id = _machine(web, "payments-web-1-1")
    case_id = web.case_ids["payments-web-1-1"]
    with web.engine.begin() as conn:
        conn.execute(
            text("UPDATE feedback_items SET owner_team_source = 'routing' WHERE id = :i"),
            {"i": item_id},
        )
    client = web.login("payments")
    page = client.get(f"/items/{item_id}")
    response = client.post(
        f"/items/{item_id}/labels",
        data={"csrf_token": csrf_of(page.text), "topics": ["cards.blocked"]},
        follow_redirects=False,
    )
    # the item and its case left the payments zone: the user is told, not shown a 404
    assert response.status_code == 303
    assert response.headers["location"] == "/items?handed_over=cards"
    told = client.get(response.headers["location"], headers={"Accept-Language": "en"})
    assert told.status_code == 200 and 'id="handed-over"' in told.text
    assert "now belong to the team" in told.text
    assert client.get(f"/items/{item_id}").status_code == 404
    with web.engine.connect() as conn:
        team, status = conn.execute(
            text("SELECT team, status FROM cases WHERE id = :c"), {"c": case_id}
        ).one()
        event = conn.execute(
            text("SELECT actor, action, note FROM case_events WHERE case_id = :c ORDER BY id DESC"),
            {"c": case_id},
        ).first()
    assert (team, status) == ("cards", "open")
    assert event is not None
    assert (event.actor, event.action) == (USERS["payments"][0], "relabelled")
    assert event.note.startswith("team payments → cards: a human label")
    # the cards team now sees it, with its case
    cards = web.login("cards").get(f"/items/{item_id}")
    assert cards.status_code == 200
