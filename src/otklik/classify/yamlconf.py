"""The located YAML reader now lives in :mod:`otklik.yamlconf` (every package's configs use
it, not only the taxonomy's); this name stays for existing imports."""

from otklik.yamlconf import (
    ConfigIssue,
    LocatedYaml,
    YamlSyntaxError,
    check_config,
    did_you_mean,
    issues_error,
    parse_yaml,
    read_yaml,
    unknown_name,
    validate_model,
)

__all__ = [
    "ConfigIssue",
    "LocatedYaml",
    "YamlSyntaxError",
    "check_config",
    "did_you_mean",
    "issues_error",
    "parse_yaml",
    "read_yaml",
    "unknown_name",
    "validate_model",
]
