"""One contact policy for every message a customer receives, fatigue measured, drafts checked.

    >>> from otklik.contact import check_contact, policy_in_force
    >>> decision = check_contact(engine, policy_in_force(settings), customer_id="c-42",
    ...                          type_="marketing", channel="sms", record=True)
    >>> decision.to_dict()  # {"allowed": False, "reason": "quiet_hours: …", "next_allowed_at": …}

Messages of every type (survey invitation, service, marketing, incident update, reply) are
recorded or imported with their outcome (:mod:`~otklik.contact.store`); one policy of caps,
quiet hours, priorities, suppression and opt-outs decides each new one, atomically per
customer (:mod:`~otklik.contact.check`); :func:`fatigue` measures response and opt-out rates
by contact frequency; :mod:`~otklik.contact.drafting` checks and drafts the texts.
``docs/contact-policy.md`` explains it all in Russian and English.
"""

from otklik.contact.check import (
    ContactError,
    Request,
    check_contact,
    check_in,
    customer_facts,
    lock_customer,
    now_utc,
)
from otklik.contact.checks import Finding, TextCheck, check_text, find_promises, sms_segments
from otklik.contact.draft import draft_message
from otklik.contact.editor import (
    KIND,
    POLICY,
    TEMPLATES,
    Document,
    policy_file,
    policy_in_force,
    policy_source,
    revert_document,
    save_document,
    save_policy,
    templates_in_force,
)
from otklik.contact.fatigue import (
    BINS,
    FatigueRow,
    Trend,
    fatigue,
    frequency_bin,
    latest_sent_at,
    trends,
)
from otklik.contact.incidents import (
    OpenIncidentSegments,
    default_incident_source,
    no_open_incidents,
)
from otklik.contact.policy import (
    CHANNELS,
    DEFAULT_POLICY,
    OUTCOMES,
    TYPES,
    ContactPolicy,
    Decision,
    Facts,
    Message,
    decide,
    load_contact_policy,
    parse_contact_policy,
    read_contact_policy,
)
from otklik.contact.store import (
    ImportResult,
    RowError,
    import_communications,
    opt_out,
    record_communication,
)
from otklik.contact.templates import (
    LANGUAGES,
    MessageTemplate,
    Rendered,
    Templates,
    parse_templates,
    preview,
    render,
)

__all__ = [
    "BINS",
    "CHANNELS",
    "DEFAULT_POLICY",
    "KIND",
    "LANGUAGES",
    "OUTCOMES",
    "POLICY",
    "TEMPLATES",
    "TYPES",
    "ContactError",
    "ContactPolicy",
    "Decision",
    "Document",
    "Facts",
    "FatigueRow",
    "Finding",
    "ImportResult",
    "Message",
    "MessageTemplate",
    "OpenIncidentSegments",
    "Rendered",
    "Request",
    "RowError",
    "Templates",
    "TextCheck",
    "Trend",
    "check_contact",
    "check_in",
    "check_text",
    "customer_facts",
    "decide",
    "default_incident_source",
    "draft_message",
    "fatigue",
    "find_promises",
    "frequency_bin",
    "import_communications",
    "latest_sent_at",
    "load_contact_policy",
    "lock_customer",
    "no_open_incidents",
    "now_utc",
    "opt_out",
    "parse_contact_policy",
    "parse_templates",
    "policy_file",
    "policy_in_force",
    "policy_source",
    "preview",
    "read_contact_policy",
    "record_communication",
    "render",
    "revert_document",
    "save_document",
    "save_policy",
    "sms_segments",
    "templates_in_force",
    "trends",
]
