"""A run reads each distinct text once and stores exactly what reading every item on its own
stores (issue 16 goal 3).

``classify_items`` shares the rules' reading of a text, the shipped model's answer and the
conduct check between the items with that text; ``per_item=True`` is the plain path, every item
read on its own. Both run here over the hand-written comment sets (ru, en, id, es, ar) and the
conduct corpus, each text imported several times with different scores, as survey and as exit
answers, plus items with no text; every stored field and every conduct flag must be the same.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select

from otklik.classify import classify_items, default_rules
from otklik.classify.rules import RuleSet
from otklik.ingest import import_file
from otklik.ledger import Classification, ConductFlag, FeedbackItem
from tests.conftest import DATA

SETS = (
    "comments_ru.csv",
    "comments_type_ru_unseen.csv",
    "comments_en.csv",
    "comments_type_en_unseen.csv",
    "comments_type_id.csv",
    "comments_type_es.csv",
    "comments_type_ar.csv",
    "conduct_corpus.csv",
)


def _texts() -> list[str]:
    texts: list[str] = []
    for name in SETS:
        with (DATA / name).open(encoding="utf-8") as handle:
            texts += [row["text"] for row in csv.DictReader(handle)]
    return texts


def _write(path: Path, texts: list[str], scores: list[int | None]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "date", "score", "comment"])
        for number, (text, score) in enumerate(zip(texts, scores, strict=True)):
            writer.writerow(
                [f"{path.stem}-{number}", "2025-03-01 10:00", "" if score is None else score, text]
            )


def _stored(engine: Engine) -> tuple[dict[int, tuple[Any, ...]], list[tuple[Any, ...]]]:
    with engine.connect() as conn:
        columns = (
            Classification.type,
            Classification.sentiment,
            Classification.topics,
            Classification.tags,
            Classification.language,
            Classification.owner_team,
            Classification.method,
            Classification.confidence,
            Classification.scores,
            Classification.model_version,
        )
        labels = {
            row[0]: tuple(row[1:])
            for row in conn.execute(
                select(Classification.item_id, *columns).where(Classification.origin == "machine")
            ).all()
        }
        flags = [
            tuple(row)
            for row in conn.execute(
                select(
                    ConductFlag.item_id,
                    ConductFlag.category,
                    ConductFlag.rule,
                    ConductFlag.evidence,
                    ConductFlag.start,
                    ConductFlag.end,
                    ConductFlag.confidence,
                ).order_by(ConductFlag.item_id, ConductFlag.start, ConductFlag.rule)
            ).all()
        ]
    return labels, flags


def test_a_run_stores_what_reading_each_item_alone_stores(engine: Engine, tmp_path: Path) -> None:
    texts = _texts()
    assert len(texts) > 1000
    # every text three times: NPS detractor, passive and promoter scores (three score bands),
    # then once more without a score; as survey answers and as exit answers (churn reasons)
    survey = tmp_path / "survey.csv"
    scores: list[int | None] = [3, 8, 10, None]
    _write(survey, texts * 4 + ["", "  "], [*(s for s in scores for _ in texts), 5, 9])
    exits = tmp_path / "exit.csv"
    _write(exits, texts, [None] * len(texts))
    import_file(engine, survey, kind="survey", source="t")
    import_file(engine, exits, kind="exit", source="t")
    with engine.connect() as conn:
        count = len(conn.execute(select(FeedbackItem.id)).all())
    assert count == 5 * len(texts) + 2

    plain_report = classify_items(engine, reclassify=True, per_item=True, batch_size=700)
    plain, plain_flags = _stored(engine)
    fast_report = classify_items(engine, reclassify=True, batch_size=700)
    fast, fast_flags = _stored(engine)
    # the texts read by two worker processes a few batches ahead (otklik.classify.parallel)
    forked_report = classify_items(engine, reclassify=True, batch_size=700, processes=2)
    forked, forked_flags = _stored(engine)

    assert len(plain) == count and fast.keys() == plain.keys() == forked.keys()
    for item_id, stored in plain.items():
        assert fast[item_id] == stored, item_id
        assert forked[item_id] == stored, item_id
    assert fast_flags == plain_flags == forked_flags
    assert len(plain_flags) > 50  # the conduct corpus is flagged: the comparison covers flags
    for report in (fast_report, forked_report):
        assert report.by_method == plain_report.by_method
        assert report.by_part == plain_report.by_part
        assert report.classified == plain_report.classified == count
    # the shipped model answered for some items, the exit answers got churn reasons
    assert any("shipped" in method for method in plain_report.by_method)
    assert any(stored[3].get("churn_reasons") for stored in plain.values())


def test_analyse_many_answers_as_analyse_does() -> None:
    texts = _texts()
    rules = default_rules()
    items: list[tuple[str | None, str | None, float | None, str | None, str | None]] = []
    for number, text in enumerate(texts):
        for score, scale in ((None, None), (2, "nps"), (7, "nps"), (10, "nps"), (5, "csat5")):
            items.append((text, None, score, scale, "exit" if number % 2 else "survey"))
        items.append((text, "ru" if number % 3 else "en", None, None, None))
    items += [(None, None, None, None, None), ("", "ru", 4, "nps", None)]
    items.append(("   ", None, 1, "csat5", None))
    cache: dict[tuple[object, ...], object] = {}
    fresh = RuleSet(rules.taxonomy)  # empty caches: nothing read before changes an answer
    for half in (items[: len(items) // 2], items[len(items) // 2 :]):
        fast = fresh.analyse_many(half, cache)
        for item, found in zip(half, fast, strict=True):
            said, language, given, scale, kind = item
            expected = rules.analyse(said, language=language, score=given, scale=scale, kind=kind)
            assert found == expected, item


def test_shipped_models_count_char_ngrams_as_the_vectorizer_does() -> None:
    """The shipped model's character n-grams counted per distinct word (and cached) give the
    char vectorizer's own matrix, and the same scores to the last bit."""
    import numpy as np
    from scipy.sparse import hstack

    from otklik.classify.pretrained import shipped_languages, shipped_model

    texts = [*_texts(), "", "   ", "a  b\tc\n d", "Ёлки 123 ё-моё!!", "ﬁ ＡＢＣ", "x"]
    pairs = [(t, lang) for t in ("sentiment", "type") for lang in shipped_languages(t)]
    assert {lang for _t, lang in pairs} >= {"ru", "en", "id", "es", "ar"}
    for target, language in pairs:
        model = shipped_model(target, language)
        assert model is not None
        union = model._vectorizers()
        plain = union.transformer_list[1][1].transform(texts)
        for _ in range(2):  # cold, then with every word cached
            fast = model._char_features(texts)
            assert type(fast) is type(plain) and fast.dtype == plain.dtype
            assert np.array_equal(fast.indptr, plain.indptr)
            assert np.array_equal(fast.indices, plain.indices)
            assert np.array_equal(fast.data, plain.data)
        word = union.transformer_list[0][1].transform(texts)
        expected = np.asarray(hstack([word, plain]).tocsr() @ model.coef.T.astype(np.float64))
        assert np.array_equal(model.decision_function(texts), expected + model.intercept)


def test_the_word_matrix_grows_and_starts_again_as_the_vectorizer_counts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Words new to a model add rows to its words × n-grams matrix batch after batch (and, past
    the cache's size, the matrix starts again); every batch's rows stay the vectorizer's own."""
    import numpy as np

    from otklik.classify import pretrained

    texts = [*_texts(), "", "Ёлки 123 ё-моё!!"]
    for size in (pretrained._WORD_CACHE_SIZE, 7):
        monkeypatch.setattr(pretrained, "_WORD_CACHE_SIZE", size)
        model = pretrained.ShippedModel.load(pretrained._data_dir() / "type-ru.npz")
        plain = model._vectorizers().transformer_list[1][1]
        for start in range(0, len(texts), 13):  # batches, each with words never met before
            batch = texts[start : start + 13] + texts[: start // 2]
            fast = model._char_features(batch)
            expected = plain.transform(batch)
            assert np.array_equal(fast.indptr, expected.indptr)
            assert np.array_equal(fast.indices, expected.indices)
            assert np.array_equal(fast.data, expected.data)
        assert len(model._word_rows) == model._word_matrix.shape[0]
        if size == 7:  # started again at least once: fewer rows than distinct words met
            assert len(model._word_rows) < len({w for t in texts for w in t.lower().split()})


def test_how_many_processes_a_run_uses(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    from otklik.classify import parallel

    assert parallel.processes_for(3, 10) == 3  # asked for: used whatever the size
    assert parallel.processes_for(1, 10**6) == 1
    assert parallel.processes_for(0, parallel.AUTO_MIN_ITEMS - 1) == 1  # auto, small run
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: {0, 1, 2, 3, 4, 5}, raising=False)
    assert parallel.processes_for(0, parallel.AUTO_MIN_ITEMS) == parallel.MAX_AUTO_PROCESSES == 4
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: {0, 1}, raising=False)
    assert parallel.processes_for(0, 10**6) == 2
    with pytest.raises(ValueError, match="0 \\(auto\\) or more"):
        parallel.processes_for(-1, 10)
    monkeypatch.setattr(parallel.multiprocessing, "get_all_start_methods", lambda: ["spawn"])
    assert parallel.processes_for(4, 10**6) == 1  # no fork (Windows, macOS): one process


def test_a_dead_worker_leaves_the_rest_of_the_run_to_this_process(
    engine: Engine, tmp_path: Path
) -> None:
    """A worker killed mid-run (out of memory, a signal): no batch is lost, and the batches
    the workers did not answer are left to this process (which reads what its caches lack, as
    a run without workers does)."""
    import os
    import signal

    from otklik.classify.parallel import ParallelReader, RunCaches
    from otklik.classify.store import iter_items

    texts = _texts()[:600]
    survey = tmp_path / "survey.csv"
    _write(survey, texts, [n % 11 for n in range(len(texts))])
    import_file(engine, survey, kind="survey", source="t")
    batches = list(iter_items(engine, reclassify=True, batch_size=50))
    assert len(batches) == 12
    reader = ParallelReader(default_rules(), 2, sentiment=True, type=True, conduct=True)
    caches = RunCaches()
    try:
        ahead = reader.ahead(iter(batches), caches)
        got = [next(ahead)]  # answered by the workers
        assert caches.analyses and not reader.broken
        for pool in reader._pools:
            for pid in list(pool._processes):  # type: ignore[attr-defined]
                os.kill(pid, signal.SIGKILL)
        got += list(ahead)
    finally:
        reader.close()
    assert reader.broken
    assert [[item.id for item in batch] for batch in got] == [
        [item.id for item in batch] for batch in batches
    ]


_GATE: Any = None  # set before the worker is forked: the worker inherits it


def _wait_at_gate() -> None:
    assert _GATE is not None
    _GATE.wait(120)


def test_this_process_reads_the_chunks_no_worker_has_started(
    engine: Engine, tmp_path: Path
) -> None:
    """While the worker is busy (held at a gate here), every chunk it has not started is
    claimed and read by this process instead of waited for, and the answers are the plain
    ones (without the take-back the run would wait for the held worker until it timed out)."""
    import multiprocessing

    from otklik.classify.parallel import ParallelReader, RunCaches
    from otklik.classify.rules import analysis_key
    from otklik.classify.store import iter_items

    global _GATE
    _GATE = multiprocessing.get_context("fork").Event()
    texts = _texts()[:400]
    survey = tmp_path / "survey.csv"
    _write(survey, texts, [n % 11 for n in range(len(texts))])
    import_file(engine, survey, kind="survey", source="t")
    batches = list(iter_items(engine, reclassify=True, batch_size=50))
    rules = default_rules()
    reader = ParallelReader(rules, 1, sentiment=True, type=True, conduct=True)
    caches = RunCaches()
    try:
        held = reader._pools[0].submit(_wait_at_gate)  # forks the worker and holds it
        got = list(reader.ahead(iter(batches), caches))
        taken = reader.taken
        _GATE.set()
        held.result(timeout=120)
    finally:
        _GATE.set()
        reader.close()
    assert not reader.broken
    assert [[i.id for i in b] for b in got] == [[i.id for i in b] for b in batches]
    # every batch but the texts read before the worker started went in chunks, all taken back
    assert taken >= len(batches) - 1
    plain = RuleSet(rules.taxonomy)
    for batch in batches:
        for item in batch:
            row = (item.text, item.language, item.score, item.scale, item.kind)
            expected = plain.analyse(
                item.text,
                language=item.language,
                score=item.score,
                scale=item.scale,
                kind=item.kind,
            )
            assert repr(caches.analyses[analysis_key(row)]) == repr(expected)
            if item.text and item.text.strip():
                assert item.text in caches.flags


def test_a_claimant_killed_holds_nothing_back() -> None:
    """Each chunk goes to exactly one claimant, across fork; a claimant killed (SIGKILL) right
    after its claim leaves that chunk its own and every other chunk free, and no claim waits.
    (A lock in shared memory once guarded the claims: a worker killed inside it left it held,
    and the next claim waited for ever — a run hung with its workers dead.)"""
    import multiprocessing
    import os
    import signal
    import time

    from otklik.classify.parallel import _Claims

    claims = _Claims()
    numbers = [claims.new() for _ in range(6)]
    assert numbers == list(range(6))
    context = multiprocessing.get_context("fork")
    won = context.Array("b", 6)

    def take(first: int, last: int, stop: bool) -> None:
        for number in range(first, last):
            won[number] = 1 if claims.claim(number) else 0
        if stop:  # wait to be killed
            time.sleep(120)

    child = context.Process(target=take, args=(0, 3, True))
    child.start()
    deadline = time.monotonic() + 60
    while not all(won[:3]) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert list(won[:3]) == [1, 1, 1]
    os.kill(child.pid or 0, signal.SIGKILL)
    child.join(30)
    started = time.monotonic()
    assert [claims.claim(number) for number in range(6)] == [False] * 3 + [True] * 3
    assert time.monotonic() - started < 5
    second = context.Process(target=take, args=(3, 6, False))
    second.start()
    second.join(30)
    assert second.exitcode == 0
    assert list(won[3:]) == [0, 0, 0]  # this process had them
    folder = claims._folder
    claims.close()
    assert not os.path.exists(folder)
