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

from otklik.contact.check import ContactError, Request, check_contact, check_in, now_utc
from otklik.contact.editor import (
    KIND,
    policy_file,
    policy_in_force,
    policy_source,
    revert_policy,
    save_policy,
)
from otklik.contact.fatigue import BINS, FatigueRow, fatigue, frequency_bin
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

__all__ = [
    "BINS",
    "CHANNELS",
    "DEFAULT_POLICY",
    "KIND",
    "OUTCOMES",
    "TYPES",
    "ContactError",
    "ContactPolicy",
    "Decision",
    "Facts",
    "FatigueRow",
    "ImportResult",
    "Message",
    "OpenIncidentSegments",
    "Request",
    "RowError",
    "check_contact",
    "check_in",
    "decide",
    "default_incident_source",
    "fatigue",
    "frequency_bin",
    "import_communications",
    "load_contact_policy",
    "no_open_incidents",
    "now_utc",
    "opt_out",
    "parse_contact_policy",
    "policy_file",
    "policy_in_force",
    "policy_source",
    "read_contact_policy",
    "record_communication",
    "revert_policy",
    "save_policy",
]
