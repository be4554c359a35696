"""``classify --method llm`` and the assists on a real store (SQLite and PostgreSQL), with the
requests captured at the fake server: labels stored with method, model and prompt version;
failures recorded with reasons; human labels win; the cache spares a second run; cost
counted; no personal data in any request."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, select

from otklik.classify import HumanLabel, current_labels, write_human_labels
from otklik.errors import NotFoundError
from otklik.ingest import MappingFile, import_file
from otklik.ledger import Classification, FeedbackItem
from otklik.llm import (
    LlmClient,
    StoreCache,
    classify_with_llm,
    draft_reply,
    make_http_client,
    recent_runs,
    run_failures,
    suggest_offer,
    summarize_topic,
)
from tests.conftest import DATA
from tests.llm.conftest import RECORDED, settings_for
from tests.llm.fake_openai import COMPLETION_TOKENS, PROMPT_TOKENS, FakeOpenAI, Step

COST_PER_REQUEST = PROMPT_TOKENS * 0.5 / 1000 + COMPLETION_TOKENS * 1.5 / 1000
PERSONAL = (
    "+7 912 345-67-89",
    "912 345",
    "Иван",
    "Петров",
    "John Smith",
    "Baker Street",
    "john.smith@example.com",
    "4276 3800 1234 5679",
    "Ольга",
    "Кузнецова",
    "Ленина",
    "кв. 12",
)


def load_items(engine: Engine) -> dict[str, int]:
    import_file(
        engine,
        DATA / "llm_items.csv",
        kind="contact",
        source="llm",
        mapping=MappingFile(scale="nps"),
    )
    with engine.connect() as conn:
        return dict(conn.execute(select(FeedbackItem.external_id, FeedbackItem.id)).all())


@pytest.fixture
def store_client(engine: Engine, fake_llm: FakeOpenAI) -> Iterator[LlmClient]:
    settings = settings_for(fake_llm)
    with make_http_client(settings) as http:
        yield LlmClient(settings, http=http, cache=StoreCache(engine), sleep=lambda s: None)


def test_classify_with_llm_stores_labels_failures_and_cost(
    engine: Engine, fake_llm: FakeOpenAI, store_client: LlmClient
) -> None:
    ids = load_items(engine)
    report = classify_with_llm(engine, store_client, batch_size=4)
    assert report.process.classify.classified == 9
    labels = current_labels(engine)
    for key in ("m1", "m2", "m3", "m4", "m5", "m6", "m7"):
        assert labels[ids[key]]["method"] == "llm", key
        assert labels[ids[key]]["model_version"].startswith("llm:fake-model|classify.")
    expected = RECORDED["classify"]
    assert labels[ids["m1"]]["type"] == "question"
    assert labels[ids["m1"]]["topics"] == expected["Сколько идёт перевод"]["topics"]
    assert labels[ids["m3"]]["type"] == "complaint"  # a bare fact, still a complaint
    assert labels[ids["m3"]]["owner_team"] == "logistics"  # the topic's owner
    assert labels[ids["m2"]]["type"] == "praise"
    # m8's answer names a topic the taxonomy lacks: 3 tries, then a failure; rules label it.
    assert labels[ids["m8"]]["method"] != "llm"
    assert labels[ids["m9"]]["method"] != "llm"  # no text: nothing sent
    with engine.connect() as conn:
        row = conn.execute(
            select(Classification.scores).where(
                Classification.item_id == ids["m1"], Classification.origin == "machine"
            )
        ).scalar_one()
    assert row["llm"]["model"] == "fake-model"
    assert row["llm"]["prompt_version"].startswith("classify.ru.v1-")
    assert row["type"]["method"] == "llm"
    # 7 answers at once + 3 tries for m8 = 10 requests; cost by hand
    assert len(fake_llm.requests) == 10
    run = recent_runs(engine)[0]
    assert (run["task"], run["asked"], run["requests"], run["failed"]) == ("classify", 8, 10, 1)
    assert run["cost"] == pytest.approx(10 * COST_PER_REQUEST)
    assert run["prompt_tokens"] == 10 * PROMPT_TOKENS
    assert {v.split("-")[0] for v in run["prompt_versions"].split(",")} == {
        "classify.en.v1",
        "classify.ru.v1",
    }
    failures = run_failures(engine, run["id"])
    assert failures == [
        (
            ids["m8"],
            "malformed answer: topic 'app.payments_crash' is not in the taxonomy (after 3 tries)",
        )
    ]
    sent = "\n".join(fake_llm.sent_texts())
    for secret in PERSONAL:
        assert secret not in sent, secret
    assert "[PHONE]" in sent and "[NAME]" in sent and "[CARD]" in sent and "[ADDRESS]" in sent


def test_a_human_label_wins_and_a_second_run_comes_from_the_cache(
    engine: Engine, fake_llm: FakeOpenAI, store_client: LlmClient
) -> None:
    ids = load_items(engine)
    classify_with_llm(engine, store_client)
    write_human_labels(engine, [HumanLabel(ids["m2"], type="other", labelled_by="qa")])
    sent_before = len(fake_llm.requests)
    fake_llm.then(*(Step(status=500, body="{}") for _ in range(20)))  # any new request fails
    again = classify_with_llm(engine, store_client, reclassify=True)
    assert len(fake_llm.requests) - sent_before == 3  # only m8 (never cached) is asked again
    assert again.usage["cached"] == 7
    labels = current_labels(engine)
    assert labels[ids["m2"]]["type"] == "other" and labels[ids["m2"]]["method"] == "human"
    assert labels[ids["m1"]]["method"] == "llm"


def test_summary_reply_and_offer(
    engine: Engine, fake_llm: FakeOpenAI, store_client: LlmClient
) -> None:
    ids = load_items(engine)
    classify_with_llm(engine, store_client)
    summary = summarize_topic(engine, store_client, topic="delivery", language="en")
    assert summary.failure is None and summary.read == 2
    assert summary.answer.problems[0].quotes == RECORDED["summarize"]["problems"][0]["quotes"]  # type: ignore[union-attr]
    comments = fake_llm.requests[-1]["messages"][1]["content"]
    assert "посылка вскрыта" in comments and "Иван" not in comments

    fake_llm.then(
        *(
            Step(
                content='{"problems": [{"title": "x", "count": 1, "quotes": '
                '["the courier shouted at me"]}]}'
            )
            for _ in range(3)
        )
    )
    invented = summarize_topic(engine, store_client, topic="delivery", language="ru")
    assert invented.answer is None
    assert invented.failure is not None and "is not in the comments" in invented.failure
    assert invented.usage["requests"] == 3 and invented.usage["failed"] == 1
    assert invented.usage["cost"] == pytest.approx(3 * COST_PER_REQUEST)
    assert run_failures(engine, invented.run_id or 0)[0][0] is None

    reply = draft_reply(engine, store_client, item_id=ids["m6"])
    assert reply.answer is not None and reply.answer.address_form == "Kak"  # type: ignore[attr-defined]
    system = fake_llm.requests[-1]["messages"][0]["content"]
    assert "Kak" in system and "Bapak" in system and "(id)" in system

    offer = suggest_offer(engine, store_client, item_id=ids["m5"])
    assert offer.read == 2  # c1's two earlier contacts, m1 and m3
    history = fake_llm.requests[-1]["messages"][1]["content"]
    assert "Сколько идёт перевод" in history and "посылка вскрыта" in history
    for secret in PERSONAL:
        assert secret not in "\n".join(fake_llm.sent_texts()), secret
    with pytest.raises(NotFoundError):
        summarize_topic(engine, store_client, topic="insurance")
