"""Fact sets: each authority's facts for a year, read from YAML, JSON, CSV or Excel files,
merged, and bound to a rulebook's catalogue before anything reaches the engine.

The package by concern (each module imports only those above it):

- `factset`: the model (AuthorityFacts, Region, BoundRegion, what readers produce);
- `reference`: region membership by year, region codes, council names;
- `tabular`: the CSV tokenizer, wide and long tables, Excel;
- `ascofrows`: the ASCOF CSV's rows, checked, read column by column or row by row;
- `ascof`: NHS England's official ASCOF CSV;
- `documents`: YAML and JSON fact sets;
- `comparators`: comparator-group files;
- `merge`: one authority-year from several places, and the year before as `previous`;
- `binding`: fact ids to catalogue ids, values checked;
- `loading`: `load_facts`, from paths to a region.
"""

from __future__ import annotations

from .ascof import read_ascof_csv
from .binding import MAX_UNKNOWN_LISTED, bind
from .checks import MAX_TEXT, _Invalid, check_value
from .comparators import apply_comparators, read_comparator_groups
from .documents import read_documents, record
from .factset import (
    COUNCIL_TYPES,
    AuthorityFacts,
    BoundRegion,
    Count,
    FactSetSpec,
    PublishedFigures,
    Record,
    Region,
    RegionSpec,
    TypeFigures,
    council_type_of,
    latest_named,
    name_key,
)
from .loading import FACT_SUFFIXES, load_facts, reader_for
from .merge import assemble
from .reference import match_region, region_members, region_of
from .tabular import csv_rows, parse_cell, read_long_csv, read_wide_csv, read_xlsx

_record = record  # the name the rule-test runner imports

__all__ = [
    "COUNCIL_TYPES",
    "FACT_SUFFIXES",
    "MAX_TEXT",
    "MAX_UNKNOWN_LISTED",
    "AuthorityFacts",
    "BoundRegion",
    "Count",
    "FactSetSpec",
    "PublishedFigures",
    "Record",
    "Region",
    "RegionSpec",
    "TypeFigures",
    "_Invalid",
    "_record",
    "apply_comparators",
    "assemble",
    "bind",
    "check_value",
    "council_type_of",
    "csv_rows",
    "latest_named",
    "load_facts",
    "match_region",
    "name_key",
    "parse_cell",
    "read_ascof_csv",
    "read_comparator_groups",
    "read_documents",
    "read_long_csv",
    "read_wide_csv",
    "read_xlsx",
    "reader_for",
    "record",
    "region_members",
    "region_of",
]
