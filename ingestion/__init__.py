"""Plain-Python readers and loaders for CRM, contract and order exports (no Dagster imports)."""
