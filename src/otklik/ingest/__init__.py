"""Ingest: reading exports of every channel into the ledger, with nothing silently lost."""

from otklik.ingest.mapping import CUSTOMER_FIELDS, ITEM_FIELDS, MappingFile, load_mapping
from otklik.ingest.pipeline import IMPORT_KINDS, import_file
from otklik.ingest.readers import Table, open_table
from otklik.ingest.report import ImportReport

__all__ = [
    "CUSTOMER_FIELDS",
    "IMPORT_KINDS",
    "ITEM_FIELDS",
    "ImportReport",
    "MappingFile",
    "Table",
    "import_file",
    "load_mapping",
    "open_table",
]
