"""Tests of the LLM client policy (llm/)."""
