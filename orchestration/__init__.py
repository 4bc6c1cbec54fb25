"""Dagster wiring: assets, checks, jobs and schedules. No business logic lives here."""
