"""The six pillars of CX excellence as a lens: a score per pillar and period (docs/ex.md).

>>> from otklik.pillars import PILLARS
>>> len(PILLARS)
6
"""

from otklik.pillars.scores import PILLARS, PillarPoint, PillarReport, PillarTrend, pillar_scores

__all__ = ["PILLARS", "PillarPoint", "PillarReport", "PillarTrend", "pillar_scores"]
