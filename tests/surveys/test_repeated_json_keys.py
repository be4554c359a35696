"""A survey answer posted as JSON with a key repeated inside one object is refused (no silent
last-wins) and nothing is stored."""

from __future__ import annotations

from tests.surveys.conftest import Public, answers


def test_a_repeated_key_in_a_json_answer_is_refused(public: Public) -> None:
    link = public.link("nps", channel="app", mechanic="bottom-sheet")
    before = len(answers(public.engine))
    posted = public.client.post(
        f"/s/{link.token}",
        content=b'{"score": 10, "score": 0, "comment": ""}',
        headers={"Content-Type": "application/json", "Accept": "application/json"},
    )
    assert posted.status_code == 400, posted.text
    error = posted.json()["error"]
    assert error["code"] == "repeated_key" and "'score'" in error["message"]
    assert len(answers(public.engine)) == before
