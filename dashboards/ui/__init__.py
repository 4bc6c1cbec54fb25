"""Shared Streamlit building blocks for the dashboard pages (no DuckDB access here)."""
