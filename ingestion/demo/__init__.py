"""Demo-data generator: a simulated CRM/ERP export with a known truth (``truth.json``).

Run ``python -m ingestion.demo --help``; from code, use :func:`generate`.
"""

from ingestion.demo.generate import generate

__all__ = ["generate"]
