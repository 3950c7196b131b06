"""Sanctions and export-control list parsers: files in, `ListEntry` records out.

Pure code: no Kafka, no clock. `load_directory` is what the service calls on start.
"""

from __future__ import annotations

from screening.lists.loader import detect_format, load_directory, load_paths, parse_file
from screening.lists.parsed import ListLoad, ParseIssue

__all__ = ["ListLoad", "ParseIssue", "detect_format", "load_directory", "load_paths", "parse_file"]
