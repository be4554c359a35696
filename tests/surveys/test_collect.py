"""Answers: checked against the scale, stored once as the right ledger item, on both stores."""

from __future__ import annotations

import asyncio
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine

from otklik.errors import AnswerError, LinkError
from otklik.surveys import (
    AnswerWriter,
    Inviter,
    Recorded,
    Submission,
    SurveyCache,
    create_survey,
    parse_answer,
    record_answer,
)
from tests.surveys.conftest import answers, invitation

KINDS = {
    "nps": ("survey", "nps", "9"),
    "csat": ("survey", "csat5", "4"),
    "ces": ("survey", "ces7", "6"),
    "enps": ("employee", "nps", "3"),
}


def test_each_type_lands_as_its_kind_and_scale(engine: Engine, inviter: Inviter) -> None:
    for number, (kind, (ledger_kind, scale, score)) in enumerate(KINDS.items()):
        survey = create_survey(engine, name=kind, type=kind)
        link = inviter.invite(
            survey_id=survey.id, customer_id=f"c{number}", channel="sms", mechanic="popup"
        )
        recorded = record_answer(
            engine, inviter.signer, link.token, {"score": score, "comment": " Всё хорошо "}
        )
        item = answers(engine)[-1]
        assert item["id"] == recorded.item_id
        assert (item["kind"], item["scale"], item["score"]) == (ledger_kind, scale, float(score))
        attributes = item["attributes"]
        if ledger_kind == "employee":
            # employees' answers are anonymous (docs/ex.md): nothing leads back to the invitation
            assert (item["text"], item["channel"], item["customer_id"]) == (
                "Всё хорошо",
                "sms",
                None,
            )
            assert item["external_id"].startswith("employee-answer-")
            assert str(link.id) not in item["external_id"] and "invitation_id" not in attributes
        else:
            assert (item["text"], item["channel"], item["customer_id"]) == (
                "Всё хорошо",
                "sms",
                f"c{number}",
            )
            assert item["external_id"] == f"invitation-{link.id}"
            assert attributes["invitation_id"] == link.id
        assert item["touchpoint"] == kind and attributes["survey_id"] == survey.id
        assert (attributes["mechanic"], attributes["mode"], attributes["channel"]) == (
            "popup",
            "popup",
            "sms",
        )
        assert attributes["seconds_to_answer"] >= 0
        row = invitation(engine, link.id)
        assert row["item_id"] == recorded.item_id and row["answered_at"] is not None
        assert row["answer_mode"] == "popup" and row["seconds_to_answer"] >= 0


def test_exit_answers_keep_their_reasons(engine: Engine, inviter: Inviter) -> None:
    survey = create_survey(engine, name="leaving", type="exit")
    link = inviter.invite(survey_id=survey.id, customer_id="c-exit", channel="app")
    record_answer(
        engine,
        inviter.signer,
        link.token,
        {"reasons": ["fees", "other", "fees"], "other": "закрыли офис", "mode": "section"},
    )
    [item] = answers(engine)
    assert (item["kind"], item["scale"], item["score"]) == ("exit", None, None)
    assert item["attributes"]["reasons"] == ["fees", "other"]
    assert item["attributes"]["other"] == "закрыли офис" and item["text"] == "закрыли офис"
    assert item["attributes"]["mode"] == "section" and item["attributes"]["mechanic"] == "link"


def test_text_typed_into_other_is_kept_without_the_tick(engine: Engine, inviter: Inviter) -> None:
    survey = create_survey(engine, name="leaving-untick", type="exit")
    typed = {
        "c-untick-1": ({"reasons": ["fees"], "other": "  нет отделения рядом "}, ["fees", "other"]),
        "c-untick-2": ({"other": "переехал за границу"}, ["other"]),
    }
    for customer, (fields, _) in typed.items():
        link = inviter.invite(survey_id=survey.id, customer_id=customer, channel="app")
        record_answer(engine, inviter.signer, link.token, fields)
    stored = {item["customer_id"]: item for item in answers(engine)}
    for customer, (fields, reasons) in typed.items():
        item = stored[customer]
        assert item["attributes"]["reasons"] == reasons
        assert item["attributes"]["other"] == str(fields["other"]).strip()
        assert item["text"] == str(fields["other"]).strip()


def test_time_to_answer_counts_from_the_operation(engine: Engine, inviter: Inviter) -> None:
    survey = create_survey(engine, name="after-op", type="csat")
    operation = datetime.now(UTC).replace(tzinfo=None) - timedelta(minutes=5)
    link = inviter.invite(survey_id=survey.id, customer_id="c-op", operation_at=operation)
    record_answer(engine, inviter.signer, link.token, {"score": "5", "dwell_ms": "3100"})
    [item] = answers(engine)
    assert 299 < item["attributes"]["seconds_to_answer"] < 400
    assert item["attributes"]["dwell_ms"] == 3100


@pytest.mark.parametrize(
    ("kind", "fields", "message"),
    [
        ("nps", {"score": "11"}, "score 11 is outside the nps scale (0–10)"),
        ("nps", {"score": "-1"}, "score -1 is outside the nps scale (0–10)"),
        ("csat", {"score": "0"}, "score 0 is outside the csat5 scale (1–5)"),
        ("ces", {"score": 8}, "score 8 is outside the ces7 scale (1–7)"),
        ("nps", {"score": "7.5"}, "is not a whole number on the nps scale"),
        ("nps", {"score": "ten"}, "is not a whole number"),
        ("nps", {"score": True}, "is not a whole number"),
        ("nps", {"comment": "no score"}, "score is required"),
        ("nps", {"score": ""}, "score is required"),
        ("nps", {"score": "9", "reasons": ["fees"]}, "no reasons to choose"),
        ("nps", {"score": "9", "comment": "x" * 2001}, "longer than 2000"),
        ("nps", {"score": "9", "mode": "modal"}, "unknown mode 'modal'"),
        ("nps", {"score": "9", "channel": "fax"}, "unknown channel 'fax'"),
        ("exit", {"score": "3", "reasons": ["fees"]}, "take reasons, not a score"),
        ("exit", {"reasons": []}, "at least one reason"),
        ("exit", {"reasons": ["aliens"]}, "unknown reason 'aliens'"),
    ],
)
def test_bad_answers_say_what_is_wrong(
    engine: Engine, kind: str, fields: dict[str, Any], message: str
) -> None:
    survey = create_survey(engine, name=f"check-{kind}", type=kind)
    with pytest.raises(AnswerError) as caught:
        parse_answer(survey, fields)
    assert message in str(caught.value)


def test_scores_on_the_edges_and_as_numbers(engine: Engine) -> None:
    nps = create_survey(engine, name="edges", type="nps")
    assert parse_answer(nps, {"score": ["0"]}).score == 0
    assert parse_answer(nps, {"score": 10}).score == 10
    assert parse_answer(nps, {"score": 9.0, "lang": "ar", "dwell_ms": -5}).dwell_ms == 0
    assert parse_answer(nps, {"score": "9", "lang": "de"}).language is None


def test_a_link_answers_once_even_when_raced(engine: Engine, inviter: Inviter) -> None:
    survey = create_survey(engine, name="race", type="nps")
    link = inviter.invite(survey_id=survey.id, customer_id="c-race")
    outcomes: list[object] = []
    barrier = threading.Barrier(6)

    def answer() -> None:
        barrier.wait()
        try:
            outcomes.append(record_answer(engine, inviter.signer, link.token, {"score": "10"}))
        except LinkError as exc:
            outcomes.append(exc.code)

    threads = [threading.Thread(target=answer) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(isinstance(o, Recorded) for o in outcomes) == 1
    assert sorted(o for o in outcomes if isinstance(o, str)) == ["answered"] * 5
    assert len(answers(engine)) == 1


def test_used_expired_unknown_and_forged_links_store_nothing(
    engine: Engine, inviter: Inviter
) -> None:
    survey = create_survey(engine, name="links", type="csat")
    used = inviter.invite(survey_id=survey.id, customer_id="c-used")
    record_answer(engine, inviter.signer, used.token, {"score": "5"})
    past = datetime.now(UTC).replace(tzinfo=None) - timedelta(days=3)
    old = inviter.invite(survey_id=survey.id, customer_id="c-old", expires_days=1, now=past)
    forged = used.token[:-4] + ("AAAA" if not used.token.endswith("AAAA") else "BBBB")
    for token, code in (
        (used.token, "answered"),
        (old.token, "expired"),
        (forged, "forged"),
        ("nope", "unknown"),
    ):
        with pytest.raises(LinkError) as caught:
            record_answer(engine, inviter.signer, token, {"score": "5"})
        assert caught.value.code == code
    assert len(answers(engine)) == 1


def test_the_writer_batches_and_still_answers_each(engine: Engine, inviter: Inviter) -> None:
    survey = create_survey(engine, name="batched", type="nps")
    links = [inviter.invite(survey_id=survey.id, customer_id=f"w{i}") for i in range(20)]
    cache = SurveyCache(engine)
    writer = AnswerWriter(engine, inviter.signer, batch_max=8)

    async def fire() -> list[object]:
        tasks = []
        for link in [*links, links[0], links[5]]:
            claims = inviter.signer.verify(link.token)
            answer = parse_answer(cache.get(claims.survey_id), {"score": "8"})
            tasks.append(writer.record(Submission(claims, cache.get(survey.id), answer)))
        return await asyncio.gather(*tasks, return_exceptions=True)

    try:
        outcomes = asyncio.run(fire())
    finally:
        writer.close()
    recorded = [o for o in outcomes if isinstance(o, Recorded)]
    refused = [o for o in outcomes if isinstance(o, LinkError)]
    assert len(recorded) == 20 and [e.code for e in refused] == ["answered", "answered"]
    assert sorted(r.invitation_id for r in recorded) == sorted(link.id for link in links)
    assert len(answers(engine)) == 20
