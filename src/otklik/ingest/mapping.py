"""Which source column feeds which ledger field: canonical names, common Russian and English
headers, and a YAML mapping file that overrides both.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, PrivateAttr, field_validator

from otklik.errors import ConfigError
from otklik.ingest.questions import question_field
from otklik.types import SCALES
from otklik.yamlconf import (
    ConfigIssue,
    LocatedYaml,
    check_config,
    did_you_mean,
    issues_error,
    read_yaml,
    unknown_name,
)

__all__ = [
    "CUSTOMER_FIELDS",
    "ITEM_FIELDS",
    "ColumnMap",
    "MappingFile",
    "load_mapping",
    "read_mapping",
    "resolve_columns",
]

ITEM_FIELDS: tuple[str, ...] = (
    "id",
    "occurred_at",
    "channel",
    "customer_id",
    "score",
    "scale",
    "text",
    "language",
    "product",
    "region",
    "team",
    "agent",
    "owner_team",
    "touchpoint",
    "handle_time_s",
    "wait_time_s",
    "transfers",
    "resolved",
    "ended_by",
    "revenue",
)
CUSTOMER_FIELDS: tuple[str, ...] = (
    "customer_id",
    "started_at",
    "churned_at",
    "revenue",
    "product",
    "region",
    "segment",
)

# Headers seen in real exports (normalised by _key), by the field they feed.
_ALIASES: dict[str, tuple[str, ...]] = {
    "id": (
        "№",
        "no",
        "номер",
        "ид",
        "идентификатор",
        "id обращения",
        "номер обращения",
        "id ответа",
        "id отзыва",
        "ticket id",
        "response id",
        "respondent id",
        "review id",
        "record id",
        "call id",
        "contact id",
        "uuid",
    ),
    "occurred_at": (
        "дата",
        "дата и время",
        "время",
        "дата время",
        "дата обращения",
        "дата ответа",
        "дата отзыва",
        "дата опроса",
        "дата звонка",
        "создано",
        "date",
        "datetime",
        "timestamp",
        "отметка времени",
        "время ответа",
        "time",
        "created",
        "created at",
        "submitted at",
        "submitted",
        "response date",
        "review date",
        "call date",
        "start time",
        "date time",
        "start date",  # SurveyMonkey
        "marca temporal",  # Google Forms, Spanish
        "fecha",
        "fecha y hora",
        "tanggal",
        "waktu",
        "stempel waktu",  # Google Forms, Indonesian
        "التاريخ",
        "الطابع الزمني",  # Google Forms, Arabic
    ),
    "channel": ("канал", "канал связи", "источник", "source channel", "medium"),
    "customer_id": (
        "клиент",
        "id клиента",
        "клиент id",
        "номер клиента",
        "код клиента",
        "абонент",
        "покупатель",
        "customer",
        "buyer",
        "client",
        "client id",
        "user",
        "user id",
        "customer number",
        "account",
        "account id",
    ),
    "score": (
        "оценка",
        "балл",
        "баллы",
        "рейтинг",
        "оценка клиента",
        "nps",
        "оценка nps",
        "csat",
        "ces",
        "score",
        "rating",
        "stars",
        "grade",
        "nps score",
        "csat score",
        "puntuación",
        "calificación",
        "nilai",
        "skor",
        "التقييم",
    ),
    "scale": ("шкала", "scale type"),
    "text": (
        "комментарий",
        "коммент",
        "отзыв",
        "текст",
        "текст отзыва",
        "текст обращения",
        "комментарий клиента",
        "ответ",
        "сообщение",
        "comment",
        "comments",
        "feedback",
        "review",
        "review text",
        "verbatim",
        "message",
        "body",
        "text of review",
        "answer",
        "free text",
        "comentario",
        "comentarios",
        "komentar",
        "ulasan",
        "تعليق",
    ),
    "language": ("язык", "lang", "locale"),
    "product": ("продукт", "услуга", "тариф", "товар", "product name", "service", "item"),
    "region": ("регион", "город", "страна", "филиал", "country", "city", "area"),
    "team": (
        "команда",
        "отдел",
        "группа",
        "подразделение",
        "department",
        "group",
        "queue",
        "очередь",
    ),
    "agent": (
        "оператор",
        "сотрудник",
        "агент",
        "специалист",
        "operator",
        "employee",
        "agent name",
        "rep",
        "server",
    ),
    "owner_team": ("ответственный", "зона ответственности", "владелец", "owner", "owner team"),
    "touchpoint": ("точка контакта", "touch point"),
    "handle_time_s": (
        "длительность",
        "длительность разговора",
        "время обработки",
        "время разговора",
        "aht",
        "handle time",
        "handling time",
        "duration",
        "talk time",
        "ser time",
        "service time",
    ),
    "wait_time_s": (
        "время ожидания",
        "ожидание",
        "wait time",
        "waiting time",
        "queue time",
        "q time",
        "hold time",
    ),
    "transfers": ("переводы", "количество переводов", "переводов", "transfer count", "transferred"),
    "resolved": ("решено", "решен", "вопрос решен", "решение", "is resolved", "solved"),
    "ended_by": (
        "завершил",
        "кто завершил",
        "инициатор завершения",
        "ended",
        "hung up by",
        "disconnected by",
    ),
    "revenue": ("выручка", "доход", "сумма", "ltv", "value", "amount", "arpu"),
    "started_at": (
        "дата начала",
        "дата подключения",
        "дата регистрации",
        "клиент с",
        "start date",
        "start",
        "signup date",
        "signed up",
        "joined",
        "since",
    ),
    "churned_at": (
        "дата ухода",
        "дата отключения",
        "дата закрытия",
        "ушел",
        "ушёл",
        "churn date",
        "churned",
        "closed at",
        "cancelled at",
        "end date",
        "end",
    ),
    "segment": ("сегмент", "customer segment", "tier"),
}

_REPEAT = re.compile(r"^(.*) \((\d+)\)$")
_SEPARATORS = re.compile(r"[\s_\-.:]+")


def _key(header: str) -> str:
    return _SEPARATORS.sub(" ", header.replace("ё", "е").replace("Ё", "Е")).strip().lower()


def _alias_index(fields: tuple[str, ...]) -> dict[str, str]:
    index = {_key(name): name for name in fields}
    for name in fields:
        for alias in _ALIASES.get(name, ()):
            index.setdefault(_key(alias), name)
    if "id" not in fields:  # customers: a bare "id" column is the customer's id
        index.setdefault("id", "customer_id")
    return index


class MappingFile(BaseModel):
    """The YAML a user writes when automatic mapping is not enough."""

    model_config = ConfigDict(extra="forbid")

    columns: dict[str, str] = {}
    scale: str | None = None
    date_format: str | None = None
    timezone: str = "UTC"
    decimal: Literal[",", "."] | None = None
    defaults: dict[str, Any] = {}
    _origin: LocatedYaml | None = PrivateAttr(default=None)

    def where(self, key: tuple[str | int, ...]) -> str:
        """``file:line: key:`` of ``key`` when read from a file, else ``mapping file:``."""
        if self._origin is None:
            return "mapping file:"
        return f"{self._origin.file}:{self._origin.line_of(key)}: {'.'.join(map(str, key))}:"

    @field_validator("scale")
    @classmethod
    def _known_scale(cls, value: str | None) -> str | None:
        if value is not None and value not in SCALES:
            raise ValueError(unknown_name("scale", value, SCALES))
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown timezone {value!r} (e.g. Europe/Moscow, UTC)") from None
        return value

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


def _check_mapping(mapping: MappingFile, doc: LocatedYaml) -> list[ConfigIssue]:
    """Every field a mapping names must exist (in items or in the customer list)."""
    fields = dict.fromkeys((*ITEM_FIELDS, *CUSTOMER_FIELDS))
    issues = []
    for section in ("columns", "defaults"):
        for name in getattr(mapping, section):
            if name not in fields:
                issues.append(doc.issue((section, name), unknown_name("field", name, fields)))
    return issues


def read_mapping(path: Path) -> tuple[MappingFile | None, list[ConfigIssue]]:
    """The mapping file at ``path`` and every problem in it (``file:line: key: message``);
    a file that cannot be read or is not YAML raises :class:`ConfigError`."""
    doc = read_yaml(path, what="mapping file")
    mapping, issues = check_config(doc, MappingFile, _check_mapping)
    if mapping is not None:
        mapping._origin = doc
    return mapping, issues


def load_mapping(path: Path | None) -> MappingFile:
    """The mapping file at ``path`` (None: no mapping); any problem raises ConfigError."""
    if path is None:
        return MappingFile()
    mapping, issues = read_mapping(path)
    if mapping is None:
        raise issues_error(issues)
    return mapping


@dataclass
class ColumnMap:
    """Field → header index, plus the headers kept as attributes and how each was chosen."""

    fields: dict[str, int]
    attributes: dict[str, int]
    how: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    # field → positions of further columns with the same name up to case and separators
    # ("Score" beside "score", or "score (2)" for a repeat): kept as attributes, and a row where
    # they disagree with the field's column is quarantined rather than resolved silently.
    # Not for text: several comment columns are several answers, all kept.
    twins: dict[str, list[int]] = field(default_factory=dict)

    def describe(self, headers: list[str]) -> dict[str, str]:
        return {name: headers[index] for name, index in self.fields.items()}


def resolve_columns(
    headers: list[str],
    fields: tuple[str, ...],
    mapping: MappingFile,
    *,
    source: str,
    merged: Collection[str] = (),
) -> ColumnMap:
    """Map headers to fields: the mapping file first, then canonical names, then aliases.

    ``merged``: headers a reader made for the columns a merged header cell covers; they are
    other answers under one question, never repeats of its field.
    """
    unknown = [name for name in mapping.columns if name not in fields]
    if unknown:
        raise ConfigError(
            f"{mapping.where(('columns', unknown[0]))} "
            f"{unknown_name('field', unknown[0], fields)} in this kind of import"
        )
    positions = {header: index for index, header in reversed(list(enumerate(headers)))}
    chosen: dict[str, int] = {}
    how: dict[str, str] = {}
    for name, header in mapping.columns.items():
        if header not in positions:
            raise ConfigError(
                f"{mapping.where(('columns', name))} column {header!r} for field {name} is not "
                f"in {source}{did_you_mean(header, headers)} (its headers: {', '.join(headers)})"
            )
        chosen[name] = positions[header]
        how[name] = "mapping file"
    taken = set(chosen.values())
    index = _alias_index(fields)
    notes: list[str] = []
    twins: dict[str, list[int]] = {}
    for position, header in enumerate(headers):
        if position in taken or not header:
            continue
        recognised = index.get(_key(header))
        if recognised is None:
            continue
        if recognised in chosen:
            notes.append(f"column {header!r} also looks like {recognised}; kept as an attribute")
            if recognised != "text" and _key(headers[chosen[recognised]]) == _key(header):
                twins.setdefault(recognised, []).append(position)
            continue
        chosen[recognised] = position
        how[recognised] = "canonical" if _key(header) == _key(recognised) else "recognised header"
        taken.add(position)
    # Survey tools name columns by their question: "How likely are you to recommend…?"
    for position, header in enumerate(headers):
        if position in taken or not header:
            continue
        asked = question_field(header)
        if asked is None or asked not in fields:
            continue
        if asked in chosen:
            notes.append(f"column {header!r} also looks like {asked}; kept as an attribute")
            continue
        chosen[asked] = position
        how[asked] = "question wording"
        taken.add(position)
    attributes = {
        header or f"column_{position + 1}": position
        for position, header in enumerate(headers)
        if position not in taken
    }
    # A repeated header the reader renamed ("score", "score (2)": readers.unique_headers, or a
    # key repeated in one JSON object) is the same column again: a twin of its field. Text is
    # exempt: several "comment" columns are several open questions, each kept (as attributes).
    by_header = {headers[position]: name for name, position in chosen.items() if name != "text"}
    for header, position in attributes.items():
        repeat = _REPEAT.match(header)
        if repeat and repeat.group(1) in by_header and header not in merged:
            twins.setdefault(by_header[repeat.group(1)], []).append(position)
    return ColumnMap(chosen, attributes, how, notes, twins)
