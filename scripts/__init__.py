"""Developer scripts run from the repository root (see CONTRIBUTING.md)."""
