"""Printable reports (PDF scorecards, CSV exports) built from records, not from the UI."""
