"""Answers the way a hostile or careless client sends them: strict types, the same character
count as the browser's maxlength, nesting refused before parsing, and a closed survey that
stops taking answers at once (its definition is cached; its status never is)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from otklik.errors import LinkError
from otklik.surveys import MAX_COMMENT, LinkSigner, close_survey, create_survey, record_answer
from tests.surveys.conftest import SECRET, Public, answers

JSON = {"Accept": "application/json"}


def _mine(public: Public, link: Any) -> list[dict[str, Any]]:
    return [a for a in answers(public.engine) if a["attributes"]["invitation_id"] == link.id]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"score": [9]}, "score"),
        ({"score": "9"}, "score"),  # JSON carries numbers as numbers
        ({"score": 9.5}, "score"),
        ({"score": True}, "score"),
        ({"score": {"value": 9}}, "score"),
        ({"score": 9, "comment": ["a", "b"]}, "comment"),
        ({"score": 9, "comment": 12}, "comment"),
        ({"score": 9, "dwell_ms": "5"}, "dwell_ms"),
        ({"score": 9, "dwell_ms": float("inf")}, "dwell_ms"),  # JSON's "Infinity"
        ({"score": 9, "mode": ["link"]}, "mode"),
        ({"score": 10**30}, "score"),
    ],
)
def test_json_answers_are_type_strict(public: Public, body: dict[str, Any], field: str) -> None:
    link = public.link("nps")
    raw = json.dumps(body)
    response = public.client.post(
        f"/s/{link.token}", content=raw, headers={**JSON, "Content-Type": "application/json"}
    )
    assert response.status_code in (400, 422), response.text
    assert set(response.json()) == {"error"}
    assert field in response.json()["error"]["message"]
    assert _mine(public, link) == []


@pytest.mark.parametrize("score", [9, 9.0])
def test_json_numbers_are_accepted(public: Public, score: float) -> None:
    link = public.link("nps")
    response = public.client.post(f"/s/{link.token}", json={"score": score}, headers=JSON)
    assert response.status_code == 201
    assert [a["score"] for a in _mine(public, link)] == [9.0]


def test_a_form_gives_each_field_once(public: Public) -> None:
    link = public.link("nps")
    twice = public.client.post(
        f"/s/{link.token}",
        content=b"score=9&score=1",
        headers={**JSON, "Content-Type": "application/x-www-form-urlencoded"},
    )
    assert twice.status_code == 422 and "given 2 times" in twice.json()["error"]["message"]
    for odd in ("٩", "9.0", "+9", " 9 x"):  # an Arabic-Indic nine, not a form's "9"
        refused = public.client.post(f"/s/{link.token}", data={"score": odd}, headers=JSON)
        assert refused.status_code == 422, odd
    ok = public.client.post(f"/s/{link.token}", data={"score": " 9 "}, headers=JSON)
    assert ok.status_code == 201


@pytest.mark.parametrize("depth", [40, 7_000])
def test_deep_json_is_refused_before_parsing(public: Public, depth: int) -> None:
    link = public.link("nps")
    body = '{"score": 9, "comment": ' + "[" * depth + "]" * depth + "}"
    response = public.client.post(
        f"/s/{link.token}", content=body, headers={**JSON, "Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "too_deep"
    assert _mine(public, link) == []


def _comment(letters: int, breaks: int, newline: str, letter: str = "ж") -> str:
    """``letters`` letters and ``breaks`` line breaks spread through them."""
    step = max(1, letters // (breaks + 1))
    parts, used = [], 0
    for _ in range(breaks):
        parts.append(letter * step + newline)
        used += step
    parts.append(letter * (letters - used))
    return "".join(parts)


@pytest.mark.parametrize("newline", ["\r\n", "\n", "\r"])
def test_a_line_break_counts_once_as_in_the_browser(public: Public, newline: str) -> None:
    # 1,900 letters + 100 line breaks = 2,000 characters in the page's maxlength.
    text = _comment(MAX_COMMENT - 100, 100, newline)
    link = public.link("nps")
    stored = public.client.post(f"/s/{link.token}", data={"score": "8", "comment": text})
    assert stored.status_code == 201, stored.text[:300]
    (answer,) = _mine(public, link)
    assert answer["text"] == _comment(MAX_COMMENT - 100, 100, "\n")
    assert len(answer["text"]) == MAX_COMMENT
    over = public.link("nps")
    refused = public.client.post(
        f"/s/{over.token}", data={"score": "8", "comment": text + "ж"}, headers=JSON
    )
    assert refused.status_code == 422 and "(2001;" in refused.json()["error"]["message"]


def test_the_longest_comment_in_three_byte_characters_fits(public: Public) -> None:
    """2,000 CJK characters percent-encoded by a form take 18 KB: under the body limit."""
    link = public.link("exit")
    text = _comment(MAX_COMMENT - 50, 50, "\r\n", "語")
    other = "語" * 500
    response = public.client.post(
        f"/s/{link.token}", data={"reasons": ["rates", "other"], "comment": text, "other": other}
    )
    assert response.status_code == 201, response.text[:300]
    (answer,) = _mine(public, link)
    assert len(answer["text"]) == MAX_COMMENT and answer["attributes"]["other"] == other


def test_closing_a_survey_takes_effect_at_once(public: Public) -> None:
    survey = create_survey(public.engine, name="closing-now", type="nps")
    first = public.inviter.invite(survey_id=survey.id, customer_id="close-1")
    second = public.inviter.invite(survey_id=survey.id, customer_id="close-2")
    # Both links opened and one answered: the survey is in the app's cache, open.
    assert public.client.get(f"/s/{first.token}").status_code == 200
    assert public.client.get(f"/s/{second.token}").status_code == 200
    assert public.client.post(f"/s/{first.token}", data={"score": "9"}).status_code == 201
    close_survey(public.engine, survey.id)
    page = public.client.get(f"/s/{second.token}", headers=JSON)
    assert page.status_code == 410 and page.json()["error"]["message"] == "this survey is closed"
    answer = public.client.post(f"/s/{second.token}", json={"score": 9}, headers=JSON)
    assert answer.status_code == 410
    assert [
        a["customer_id"] for a in answers(public.engine) if a["touchpoint"] == "closing-now"
    ] == ["close-1"]
    with pytest.raises(LinkError, match="closed"):
        record_answer(public.engine, LinkSigner(SECRET), second.token, {"score": "9"})
