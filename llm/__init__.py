"""StormDesk's one policy for calling an OpenAI-compatible LLM: validated settings, a hard
deadline per call (retries included), a budget per drill, a circuit breaker per endpoint, a
cap on answer size, and answers labelled with who produced them.

Every layer that wants an LLM (the scorer's judge, later a customer voice, a bank grower, a
scenario drafting helper) goes through ``LlmClient``; nothing else imports ``openai``.
"""

from __future__ import annotations

from llm.client import FALLBACK, OFFLINE, Answer, LlmClient, fallback_label
from llm.policy import CircuitBreaker, DrillBudget, breaker_for, reset_breakers
from llm.settings import LlmSettings, LlmSettingsError, settings_from_env

__all__ = [
    "FALLBACK", "OFFLINE", "Answer", "CircuitBreaker", "DrillBudget", "LlmClient",
    "LlmSettings", "LlmSettingsError", "breaker_for", "fallback_label", "reset_breakers",
    "settings_from_env",
]
