"""Adapters: turn real CRM exports (CSV / XLSX, Chinese or English headers, UTF-8 / GB18030,
Salesforce Data Loader folders) into the canonical files of ``ingestion/contract.py``.

Entry point: :func:`normalize_inbox`. Configuration: ``ingestion/header_mapping.yml``.
"""

from ingestion.adapters.config import AdapterError, load_mapping
from ingestion.adapters.inbox import AdaptedFile, adapt_file, normalize_inbox

__all__ = ["AdaptedFile", "AdapterError", "adapt_file", "load_mapping", "normalize_inbox"]
