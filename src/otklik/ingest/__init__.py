"""Ingest: reading exports of every channel into the ledger, with nothing silently lost."""

from otklik.ingest.limits import ImportLimits
from otklik.ingest.mapping import (
    CUSTOMER_FIELDS,
    ITEM_FIELDS,
    MappingFile,
    load_mapping,
    read_mapping,
)
from otklik.ingest.normalize import DateParser, parse_text
from otklik.ingest.pipeline import IMPORT_KINDS, import_file, import_table
from otklik.ingest.preview import ImportPreview, preview_table
from otklik.ingest.readers import Table, open_table
from otklik.ingest.records import RecordError, RecordsReport, import_records
from otklik.ingest.report import ImportReport

__all__ = [
    "CUSTOMER_FIELDS",
    "IMPORT_KINDS",
    "ITEM_FIELDS",
    "DateParser",
    "ImportLimits",
    "ImportPreview",
    "ImportReport",
    "MappingFile",
    "RecordError",
    "RecordsReport",
    "Table",
    "import_file",
    "import_records",
    "import_table",
    "load_mapping",
    "open_table",
    "parse_text",
    "preview_table",
    "read_mapping",
]
