"""Guardrail states: is a counter-metric holding while its KPI is being chased?

For a KPI's scope and period each guardrail is one of

* ``broken`` — a metric worse than in the previous period by more than its tolerance, and the
  metric's own significance test says the change is not noise (p < alpha); or its 95% interval
  lies wholly beyond its limit; or a check (sample size, survey coverage) below its minimum;
* ``watch`` — beyond tolerance or limit, but the interval or the test cannot rule out noise;
* ``ok`` — within tolerance and limit;
* ``small_sample`` — fewer observations than the KPI's ``min_n``: shown, not judged;
* ``no_data`` — nothing to judge (the store lacks the data, or the scope has none).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from otklik.kpi.definitions import GuardrailDef
from otklik.metrics import MetricRow, get_metric

__all__ = [
    "BROKEN",
    "NO_DATA",
    "OK",
    "SMALL",
    "STATES",
    "WATCH",
    "GuardrailState",
    "judge_check",
    "judge_metric",
    "worst",
]

OK, WATCH, BROKEN, NO_DATA, SMALL = "ok", "watch", "broken", "no_data", "small_sample"
STATES = (OK, WATCH, BROKEN, NO_DATA, SMALL)
_RANK = {NO_DATA: 0, SMALL: 1, OK: 2, WATCH: 3, BROKEN: 4}


@dataclass(frozen=True)
class GuardrailState:
    """One guardrail in one scope and period: its figures and its verdict."""

    guardrail: str
    kind: str
    status: str
    value: float | None = None
    n: int = 0
    baseline: float | None = None
    change: float | None = None
    tolerance: float | None = None
    limit: float | None = None
    minimum: float | None = None
    p_value: float | None = None
    window_days: int | None = None
    unit: str = ""
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "guardrail": self.guardrail,
            "kind": self.kind,
            "status": self.status,
            "value": self.value,
            "n": self.n,
            "baseline": self.baseline,
            "change": self.change,
            "tolerance": self.tolerance,
            "limit": self.limit,
            "min": self.minimum,
            "p_value": self.p_value,
            "window_days": self.window_days,
            "note": self.note,
        }


def worst(states: list[GuardrailState]) -> str:
    """The most serious status among ``states`` (``ok`` for none)."""
    return max((s.status for s in states), key=_RANK.__getitem__, default=OK)


def judge_metric(
    guard: GuardrailDef,
    current: MetricRow | None,
    previous: MetricRow | None,
    p_value: Callable[[], float | None],
    *,
    alpha: float,
    min_n: int = 1,
    unavailable: str | None = None,
) -> GuardrailState:
    """A counter-metric against its tolerance (vs ``previous``) and its limit.

    ``p_value`` runs the metric's own test of the change; it is called only when the change is
    beyond tolerance, because a test per row costs two queries.
    """
    assert guard.metric is not None
    spec = get_metric(guard.metric)

    def state(status: str, **fields: Any) -> GuardrailState:
        return GuardrailState(
            guardrail=spec.name,
            kind="metric",
            status=status,
            tolerance=guard.tolerance,
            limit=guard.limit,
            window_days=guard.window_days,
            unit=spec.unit,
            **fields,
        )

    if unavailable is not None:
        return state(NO_DATA, note=unavailable)
    if current is None or current.value is None:
        return state(NO_DATA, note="no data in this scope and period")
    lower_better = spec.higher_is_better is False
    sign = 1.0 if lower_better else -1.0
    baseline = previous.value if previous is not None else None
    change = None if baseline is None else current.value - baseline
    if current.n < min_n:
        return state(
            SMALL,
            value=current.value,
            n=current.n,
            baseline=baseline,
            change=change,
            note=f"fewer than {min_n} observations: not judged",
        )
    status, p = OK, None
    notes: list[str] = []
    if guard.limit is not None:
        beyond = sign * (current.value - guard.limit) > 0
        bound = current.ci_low if lower_better else current.ci_high
        if beyond and bound is not None and sign * (bound - guard.limit) > 0:
            status = BROKEN
            notes.append("beyond its limit, the whole 95% interval too")
        elif beyond:
            status = WATCH
            notes.append("beyond its limit, but the 95% interval reaches back")
    if guard.tolerance is not None and change is not None and sign * change > guard.tolerance:
        p = p_value()
        if p is not None and p < alpha:
            status = BROKEN
            notes.append(
                f"worse than the previous period by more than its tolerance (p < {alpha:g})"
            )
        else:
            status = status if status == BROKEN else WATCH
            notes.append(
                "worse than the previous period by more than its tolerance, but that could be noise"
            )
    if guard.tolerance is not None and change is None:
        notes.append("no previous period to compare with")
        if guard.limit is None:
            status = NO_DATA
    return state(
        status,
        value=current.value,
        n=current.n,
        baseline=baseline,
        change=change,
        p_value=p,
        note="; ".join(notes),
    )


def judge_check(
    guard: GuardrailDef, kpi_row: MetricRow | None, contacts: int | None = None
) -> GuardrailState:
    """``sample_size`` (the KPI's n) or ``survey_coverage`` (answers per 100 contacts)."""
    assert guard.check is not None and guard.minimum is not None
    n = kpi_row.n if kpi_row is not None else 0
    if n == 0:
        return GuardrailState(
            guardrail=guard.check,
            kind="check",
            status=NO_DATA,
            minimum=guard.minimum,
            note="the KPI has no data to check",
        )
    if guard.check == "sample_size":
        status = OK if n >= guard.minimum else BROKEN
        note = "" if status == OK else f"{n} < {guard.minimum:g}: the KPI's value is mostly noise"
        return GuardrailState(
            guardrail="sample_size",
            kind="check",
            status=status,
            value=float(n),
            n=n,
            minimum=guard.minimum,
            note=note,
        )
    if not contacts:
        return GuardrailState(
            guardrail="survey_coverage",
            kind="check",
            status=NO_DATA,
            n=n,
            minimum=guard.minimum,
            unit="%",
            note="no handled contacts in this scope and period",
        )
    coverage = 100.0 * n / contacts
    status = OK if coverage >= guard.minimum else BROKEN
    note = (
        ""
        if status == OK
        else (f"{n} answers for {contacts} handled contacts: who gets asked may be chosen")
    )
    return GuardrailState(
        guardrail="survey_coverage",
        kind="check",
        status=status,
        value=coverage,
        n=contacts,
        minimum=guard.minimum,
        unit="%",
        note=note,
    )
