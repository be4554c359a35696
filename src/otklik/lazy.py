"""Names of a package imported on first use (PEP 562), so that the light parts of a package
start without the heavy libraries its other parts need (scikit-learn, SciPy).

In the package's ``__init__``::

    _LAZY = {"TextClassifier": "otklik.classify.model", ...}  # name -> module that defines it
    __getattr__ = lazy_names(__name__, _LAZY)

with the same names imported under ``if TYPE_CHECKING:`` for type checkers.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["lazy_names"]


def lazy_names(package: str, names: Mapping[str, str]) -> Callable[[str], Any]:
    """The module ``__getattr__`` of ``package``: a name of ``names`` (name → module) is
    imported from its module on first use and kept in the package; any other name raises
    AttributeError, as a missing attribute does."""

    def __getattr__(name: str) -> Any:
        if name in names:
            value = getattr(importlib.import_module(names[name]), name)
            setattr(sys.modules[package], name, value)
            return value
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    return __getattr__
