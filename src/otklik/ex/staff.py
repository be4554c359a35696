"""The staff list: read from an HR export (CSV, XLSX, JSON), one row per employee.

Columns are recognised by name in Russian or English (``employee_id``/``табельный номер``,
``started_at``/``дата приема``, ``left_at``/``дата увольнения``, ``role``/``должность``,
``department``/``отдел``, ``team``/``команда``, ``leave_reason``/``причина увольнения``).
A re-import updates employees by id; a row that cannot be read is reported with its line
and reason and skipped (nothing else is lost).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, insert, select, update

from otklik.errors import InputFileError
from otklik.ingest import DateParser, open_table, parse_text
from otklik.ledger import StaffMember, in_write_transaction

__all__ = ["STAFF_COLUMNS", "StaffReport", "import_staff", "write_staff"]

# field -> header spellings (lower case, spaces and underscores equal)
STAFF_COLUMNS: Mapping[str, tuple[str, ...]] = {
    "employee_id": ("employee_id", "id", "employee", "табельный номер", "таб номер", "сотрудник"),
    "started_at": (
        "started_at",
        "start",
        "hired",
        "hired_at",
        "start date",
        "дата приема",
        "дата приёма",
        "принят",
    ),
    "left_at": (
        "left_at",
        "left",
        "leave date",
        "end date",
        "terminated",
        "дата увольнения",
        "уволен",
    ),
    "role": ("role", "position", "job", "должность", "роль"),
    "department": ("department", "dept", "division", "отдел", "подразделение", "департамент"),
    "team": ("team", "group", "команда", "группа"),
    "leave_reason": ("leave_reason", "reason", "exit reason", "причина увольнения", "причина"),
}


@dataclass
class StaffReport:
    """What an import of the staff list did."""

    file: str
    read: int = 0
    imported: int = 0
    updated: int = 0
    problems: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "read": self.read,
            "imported": self.imported,
            "updated": self.updated,
            "skipped": len(self.problems),
            "problems": self.problems,
        }


def _key(header: str) -> str:
    return " ".join(header.strip().lower().replace("_", " ").replace("ё", "е").split())


def _columns(headers: list[str], label: str) -> dict[str, int]:
    wanted = {
        _key(spelling): name for name, spellings in STAFF_COLUMNS.items() for spelling in spellings
    }
    found: dict[str, int] = {}
    for index, header in enumerate(headers):
        name = wanted.get(_key(header))
        if name is not None and name not in found:
            found[name] = index
    for required in ("employee_id", "started_at"):
        if required not in found:
            raise InputFileError(
                f"{label}: no {required} column among the headers ({', '.join(headers)}); "
                f"name one {STAFF_COLUMNS[required][0]!r} or {STAFF_COLUMNS[required][-1]!r}"
            )
    return found


def _rows(path: Path) -> tuple[list[dict[str, Any]], list[dict[str, Any]], int]:
    table = open_table(path)
    columns = _columns(table.headers, path.name)
    dates = DateParser(day_first=True)
    good: list[dict[str, Any]] = []
    bad: list[dict[str, Any]] = []
    read = 0
    for line, values in table.rows():
        read += 1

        def cell(name: str, values: list[Any] = values) -> Any:
            index = columns.get(name)
            return values[index] if index is not None and index < len(values) else None

        try:
            record: dict[str, Any] = {
                "employee_id": parse_text(cell("employee_id")),
                "started_at": dates(cell("started_at")),
                "left_at": dates(cell("left_at")),
            }
        except ValueError as exc:
            bad.append({"line": line, "reason": str(exc)})
            continue
        for name in ("role", "department", "team", "leave_reason"):
            text = parse_text(cell(name))
            record[name] = text[:200] if text else None
        if not record["employee_id"]:
            bad.append({"line": line, "reason": "employee_id is missing"})
        elif record["started_at"] is None:
            bad.append({"line": line, "reason": "started_at is missing"})
        elif record["left_at"] is not None and record["left_at"] < record["started_at"]:
            bad.append({"line": line, "reason": "left_at is before started_at"})
        else:
            record["employee_id"] = str(record["employee_id"])[:200]
            good.append(record)
    return good, bad, read


def write_staff(
    engine: Engine, staff: Iterable[Mapping[str, Any]], *, source: str
) -> tuple[int, int]:
    """Insert new employees and update known ones (by ``employee_id``); (inserted, updated)."""
    rows = {str(row["employee_id"]): dict(row) for row in staff}

    def work(conn: Any) -> tuple[int, int]:
        known = {
            employee_id: staff_id
            for employee_id, staff_id in conn.execute(
                select(StaffMember.employee_id, StaffMember.id)
            ).all()
        }
        new = [{**row, "source": source} for key, row in rows.items() if key not in known]
        if new:
            conn.execute(insert(StaffMember), new)
        updated = 0
        for key, row in rows.items():
            if key in known:
                conn.execute(
                    update(StaffMember)
                    .where(StaffMember.id == known[key])
                    .values(**row, source=source)
                )
                updated += 1
        return len(new), updated

    result: tuple[int, int] = in_write_transaction(engine, work)
    return result


def import_staff(engine: Engine, path: Path, *, source: str | None = None) -> StaffReport:
    """Import the staff list in ``path`` (see the module's docstring for the columns)."""
    good, bad, read = _rows(path)
    report = StaffReport(file=str(path), read=read, problems=bad)
    report.imported, report.updated = write_staff(engine, good, source=source or path.name)
    return report
