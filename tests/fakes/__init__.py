"""Reusable fakes for tests (a local OpenAI-compatible server)."""
