"""Data access for the dashboard: the published snapshot and the queries that read it.

``data.snapshot`` finds the serving snapshot; ``data.queries`` is the only module that opens it.
"""
