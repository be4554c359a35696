"""The drivers settings file (YAML, validated like every other config): the priority formula's
knobs, the churn window, the bootstrap and the smallest sample a topic needs.

    version: 1
    window_days: 90        # churn within this many days of a mention counts as lost revenue
    replicates: 1000       # bootstrap replicates (seeded: the same data gives the same intervals)
    seed: 20251130
    min_n: 30              # a topic with fewer scored items gets no impact
    priority:              # |impact|^impact_power × share^share_power × revenue factor
      impact_power: 1
      share_power: 1
      revenue_weight: 1    # revenue factor = 1 + revenue_weight × at-risk / largest at-risk
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from otklik.yamlconf import ConfigIssue, check_config, issues_error, parse_yaml, read_yaml

__all__ = ["DriversConfig", "PriorityConfig", "load_drivers_config", "parse_drivers_config"]


class PriorityConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    impact_power: float = Field(default=1.0, ge=0, le=3)
    share_power: float = Field(default=1.0, ge=0, le=3)
    revenue_weight: float = Field(default=1.0, ge=0, le=100)

    def score(self, impact: float, share: float, risk: float, top_risk: float) -> float:
        """The priority of a problem: ``impact`` in metric units, ``share`` in percent."""
        factor = 1 + self.revenue_weight * (risk / top_risk if top_risk > 0 else 0.0)
        return abs(impact) ** self.impact_power * (share / 100) ** self.share_power * factor


class DriversConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: int = Field(default=1, ge=1, le=1)
    window_days: int = Field(default=90, ge=1, le=730)
    replicates: int = Field(default=1000, ge=100, le=20_000)
    seed: int = 20251130
    min_n: int = Field(default=30, ge=1, le=1_000_000)
    priority: PriorityConfig = Field(default_factory=PriorityConfig)


def _checked(issues: list[ConfigIssue], config: DriversConfig | None) -> DriversConfig:
    if config is None:
        raise issues_error(issues)
    return config


def load_drivers_config(path: Path | None = None) -> DriversConfig:
    """The file at ``path`` (None: the defaults); every problem is one ConfigError line."""
    if path is None:
        return DriversConfig()
    config, issues = check_config(read_yaml(path, what="drivers file"), DriversConfig)
    return _checked(issues, config)


def parse_drivers_config(source: str, label: str = "drivers.yaml") -> DriversConfig:
    config, issues = check_config(parse_yaml(source, label), DriversConfig)
    return _checked(issues, config)
