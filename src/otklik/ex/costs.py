"""What replacing an employee costs, per role: a small YAML file (``OTKLIK_EX_COSTS``).

currency: RUB
default: 120000          # any role not listed (optional)
roles:
  operator: 150000
  developer: 600000
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from otklik.errors import ConfigError
from otklik.yamlconf import parse_yaml

__all__ = ["ReplacementCosts", "load_costs", "parse_costs"]


@dataclass(frozen=True)
class ReplacementCosts:
    """Cost of replacing one employee by role (``default`` for roles not listed)."""

    roles: Mapping[str, float] = field(default_factory=dict)
    default: float | None = None
    currency: str = ""

    @property
    def configured(self) -> bool:
        return bool(self.roles) or self.default is not None

    def of(self, role: str | None) -> float | None:
        if role is not None and role in self.roles:
            return self.roles[role]
        return self.default


def _amount(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise ConfigError(f"{where}: a cost must be a number ≥ 0, got {value!r}")
    return float(value)


def parse_costs(text: str, *, label: str = "replacement costs") -> ReplacementCosts:
    data = parse_yaml(text, label).data
    if data is None:
        return ReplacementCosts()
    if not isinstance(data, dict):
        raise ConfigError(f"{label}: expected a mapping with roles, default and currency")
    unknown = sorted(set(data) - {"roles", "default", "currency"})
    if unknown:
        raise ConfigError(f"{label}: unknown key {unknown[0]!r} (use roles, default, currency)")
    roles = data.get("roles") or {}
    if not isinstance(roles, dict):
        raise ConfigError(f"{label}: roles must map a role to its cost")
    default = data.get("default")
    return ReplacementCosts(
        roles={str(k): _amount(v, f"{label}: roles.{k}") for k, v in roles.items()},
        default=None if default is None else _amount(default, f"{label}: default"),
        currency=str(data.get("currency") or ""),
    )


def load_costs(path: Path | None) -> ReplacementCosts:
    """The costs in ``path`` (None: none configured, every cost is unknown)."""
    if path is None:
        return ReplacementCosts()
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the replacement costs ({exc.strerror})") from None
    return parse_costs(text, label=str(path))
