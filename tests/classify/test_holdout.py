"""The honest holdout of ``otklik model train``: copies never straddle train and holdout.

A constructed label set where retweets and copied texts make a random 20 % split look better
than it is; every expected value is computed here from how the set was built.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

import numpy as np

from otklik.classify.train import holdout_split, near_duplicate_groups, random_split_leak

LETTERS = "бвгдзклмнпрстфх"


def _word(n: int) -> str:
    """A made-up word per number: texts of different groups share no word."""
    return "".join(LETTERS[int(d)] for d in f"{n:03d}") + "а"


def _dataset() -> tuple[list[str], list[str], list[datetime], list[int]]:
    """20 groups: groups 0–9 an original and three copies, 10–19 one text each (50 texts)."""
    start = datetime(2025, 1, 1)
    texts, labels, times, group_of = [], [], [], []
    for g in range(20):
        base = " ".join(_word(g * 10 + k) for k in range(6))
        label = "positive" if g % 2 else "negative"
        copies = [base]
        if g < 10:
            copies += [
                f"RT @user{g}: {base} http://t.co/{g}",
                f"{base}!!! {g + 7}",
                f"{base} {_word(900 + g)}",  # a copy with a word added: found by shingles
            ]
        for c, text in enumerate(copies):
            texts.append(text)
            labels.append(label)
            times.append(start + timedelta(days=g, hours=c))
            group_of.append(g)
    return texts, labels, times, group_of


def test_groups_are_the_constructed_ones() -> None:
    texts, _, _, group_of = _dataset()
    found = near_duplicate_groups(texts)
    expected: dict[int, list[int]] = {}
    for i, g in enumerate(group_of):
        expected.setdefault(g, []).append(i)
    assert found == list(expected.values())


def test_shingles_join_an_edited_copy_but_not_a_set_phrase() -> None:
    texts = [
        "Карта не работает уже третий день, помогите разобраться",
        "карта не работает уже третий день помогите разобраться пожалуйста!!",
        "Карта не работает",
        "Карта не работает в метро, а в магазине работает",
    ]
    # 6 of the 7 three-word shingles are shared (Jaccard 6/7); the short text has none
    assert near_duplicate_groups(texts) == [[0, 1], [2], [3]]


def test_random_split_leaks_copies_and_the_honest_split_does_not() -> None:
    texts, labels, times, group_of = _dataset()
    n = len(texts)
    train, holdout, facts = holdout_split(texts, labels, times)

    # the latest 20 % (10 texts) are the ten one-text groups 10–19, written last
    assert facts["holdout"] == "latest"
    assert holdout == list(range(40, 50))
    assert not {group_of[i] for i in train} & {group_of[i] for i in holdout}
    # 30 of the 50 texts repeat an earlier one (3 copies in each of 10 groups)
    assert facts["duplicate_share"] == 30 / 50 and "warning" in facts
    assert f"{facts['random_split_leak']:.0%} copies" in facts["warning"]

    # a random 20 % split (seed 0), computed here from the construction
    held = set(np.random.default_rng(0).permutation(n)[:10].tolist())
    leaked = [i for i in held if any(group_of[j] == group_of[i] for j in range(n) if j not in held)]
    assert facts["random_split_leak"] == len(leaked) / 10
    assert random_split_leak(near_duplicate_groups(texts), n) == len(leaked) / 10
    assert leaked  # this seed puts copies of training texts into the holdout

    def memorise(train_ids: list[int], test_ids: list[int]) -> float:
        """Accuracy of a model that only remembers texts: a copy's label, else the majority."""
        seen = {group_of[i]: labels[i] for i in train_ids}
        majority = Counter(labels[i] for i in train_ids).most_common(1)[0][0]
        right = [seen.get(group_of[i], majority) == labels[i] for i in test_ids]
        return sum(right) / len(test_ids)

    random_train = [i for i in range(n) if i not in held]
    random_accuracy = memorise(random_train, sorted(held))
    honest_accuracy = memorise(train, holdout)
    # honest: no copy to remember, so the majority label (negative and positive tie in
    # training at 20 texts each, Counter keeps the first seen: negative) is right for the five
    # negative groups of 10–19
    assert honest_accuracy == 5 / 10
    # random: every leaked text is right, the rest only when it has the majority label
    majority = Counter(labels[i] for i in random_train).most_common(1)[0][0]
    rest = [i for i in held if i not in leaked]
    assert random_accuracy == (len(leaked) + sum(labels[i] == majority for i in rest)) / 10
    assert random_accuracy > honest_accuracy
