"""Survey collection: surveys, signed one-time links, the contact policy and answers.

    >>> from otklik.surveys import Inviter, create_survey
    >>> survey = create_survey(engine, name="checkout-nps", type="nps")
    >>> link = Inviter.from_settings(engine, settings).invite(survey_id=survey.id,
    ...                                                      customer_id="c-42", channel="sms")
    >>> link.url  # https://feedback.example.com/s/<token>

Customers answer on ``/s/<token>`` (served by :mod:`otklik.web`) or in the embeddable widget
(``/widget.js``); each answer becomes one ledger item, and ``response_rate`` in
:mod:`otklik.metrics` counts answered invitations per survey, mechanic and channel.
``docs/surveys.md`` explains it all in English and Russian.
"""

from otklik.surveys.answers import MAX_COMMENT, MAX_OTHER, Answer, normalize_text, parse_answer
from otklik.surveys.collect import (
    ITEM_SOURCE,
    OpenLink,
    Recorded,
    Submission,
    SurveyCache,
    open_link,
    record_answer,
    store_answers,
)
from otklik.surveys.customers import read_customers
from otklik.surveys.invite import CHANNELS, MECHANICS, Inviter, InviteResult, RowResult
from otklik.surveys.links import (
    MIN_SECRET_LENGTH,
    LinkClaims,
    LinkSigner,
    link_url,
    signer_from_settings,
)
from otklik.surveys.policy import (
    DEFAULT_POLICY,
    Policy,
    Rule,
    Violation,
    load_policy,
    read_policy,
    sent_before,
)
from otklik.surveys.surveys import (
    SURVEY_TYPES,
    SurveyDef,
    TypeSpec,
    close_survey,
    create_survey,
    get_survey,
    list_surveys,
    load_reasons,
    update_survey,
)
from otklik.surveys.texts import LANGUAGES, direction, negotiate_language, ui_texts
from otklik.surveys.widget import WIDGET_CSS, WIDGET_JS
from otklik.surveys.writer import AnswerWriter

__all__ = [
    "CHANNELS",
    "DEFAULT_POLICY",
    "ITEM_SOURCE",
    "LANGUAGES",
    "MAX_COMMENT",
    "MAX_OTHER",
    "MECHANICS",
    "MIN_SECRET_LENGTH",
    "SURVEY_TYPES",
    "WIDGET_CSS",
    "WIDGET_JS",
    "Answer",
    "AnswerWriter",
    "InviteResult",
    "Inviter",
    "LinkClaims",
    "LinkSigner",
    "OpenLink",
    "Policy",
    "Recorded",
    "RowResult",
    "Rule",
    "Submission",
    "SurveyCache",
    "SurveyDef",
    "TypeSpec",
    "Violation",
    "close_survey",
    "create_survey",
    "direction",
    "get_survey",
    "link_url",
    "list_surveys",
    "load_policy",
    "load_reasons",
    "negotiate_language",
    "normalize_text",
    "open_link",
    "parse_answer",
    "read_customers",
    "read_policy",
    "record_answer",
    "sent_before",
    "signer_from_settings",
    "store_answers",
    "ui_texts",
    "update_survey",
]
