"""Config documents edited in the browser: validated like the CLI, versioned, reversible.

    >>> from otklik.configs import ConfigKind, save_config, list_versions, revert_config
    >>> result = save_config(engine, settings, ConfigKind.TEAMS, text, author="lead@bank.ru")
    >>> result.issues          # [] when saved; else ConfigIssues with their lines, nothing written
    >>> list_versions(engine, "teams")[0].version
    >>> revert_config(engine, settings, ConfigKind.TEAMS, 1, author="admin@bank.ru")

The YAML files stay the source the CLI reads; each save writes the file atomically and records
the text in ``config_versions`` (who, when, comment), with the diff against the version before.
Surveys live in the store and are versioned the same way (kind ``survey:<id>``). A team lead
may change only their team's parts (:func:`lead_check`). ``docs/web.md`` explains it all.
"""

from otklik.configs.documents import (
    ConfigKind,
    SaveResult,
    check_team,
    check_topic,
    file_in_force,
    read_source,
    revert_config,
    save_config,
    team_names,
    validate_config,
    writable_file,
)
from otklik.configs.edits import (
    remove_kpi,
    remove_team,
    remove_topic,
    set_kpi,
    set_team,
    set_topic,
)
from otklik.configs.leads import lead_check, lead_refusals
from otklik.configs.surveys import (
    new_survey,
    revert_survey,
    save_survey,
    survey_kind,
    survey_source,
    survey_texts_source,
)
from otklik.configs.versions import (
    Version,
    diff_text,
    get_version,
    latest_version,
    list_versions,
    record_version,
    version_diff,
)

__all__ = [
    "ConfigKind",
    "SaveResult",
    "Version",
    "check_team",
    "check_topic",
    "diff_text",
    "file_in_force",
    "get_version",
    "latest_version",
    "lead_check",
    "lead_refusals",
    "list_versions",
    "new_survey",
    "read_source",
    "record_version",
    "remove_kpi",
    "remove_team",
    "remove_topic",
    "revert_config",
    "revert_survey",
    "save_config",
    "save_survey",
    "set_kpi",
    "set_team",
    "set_topic",
    "survey_kind",
    "survey_source",
    "survey_texts_source",
    "team_names",
    "validate_config",
    "version_diff",
    "writable_file",
]
