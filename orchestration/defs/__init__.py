"""Dagster definitions, one concern per module; `orchestration.definitions` gathers them."""
