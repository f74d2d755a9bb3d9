"""LLM settings from the environment: defaults, one clear error naming every bad variable, and
the API key never shown."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from llm import LlmSettings, LlmSettingsError, settings_from_env
from llm.settings import DEFAULT_DRILL_BUDGET_S, DEFAULT_TIMEOUT_S

BASE = {"STORMDESK_LLM_BASE_URL": "http://127.0.0.1:8000/v1", "STORMDESK_LLM_MODEL": "qwen"}


def test_settings_nothing_set_is_offline():
    assert settings_from_env({}) is None


def test_settings_defaults_when_only_url_and_model_are_set():
    settings = settings_from_env(BASE)
    assert settings is not None
    assert (settings.timeout_s, settings.max_retries, settings.drill_budget_s) == (
        DEFAULT_TIMEOUT_S, 1, DEFAULT_DRILL_BUDGET_S)
    assert settings.api_key == "not-needed" and settings.label == "llm:qwen"


def test_settings_every_variable_is_read():
    settings = settings_from_env({**BASE, "STORMDESK_LLM_API_KEY": "sk-1",
                                  "STORMDESK_LLM_TIMEOUT": "2.5",
                                  "STORMDESK_LLM_MAX_RETRIES": "0",
                                  "STORMDESK_LLM_DRILL_BUDGET": "12",
                                  "STORMDESK_LLM_BREAKER_FAILURES": "5",
                                  "STORMDESK_LLM_BREAKER_COOLDOWN": "90"})
    assert settings == LlmSettings("http://127.0.0.1:8000/v1", "qwen", "sk-1", 2.5, 0, 12.0,
                                   5, 90.0)


@pytest.mark.parametrize(("variable", "value"), [
    ("STORMDESK_LLM_TIMEOUT", "-1"), ("STORMDESK_LLM_TIMEOUT", "0"),
    ("STORMDESK_LLM_TIMEOUT", "nan"), ("STORMDESK_LLM_TIMEOUT", "inf"),
    ("STORMDESK_LLM_TIMEOUT", "1e999"), ("STORMDESK_LLM_TIMEOUT", "five"),
    ("STORMDESK_LLM_TIMEOUT", "600"), ("STORMDESK_LLM_MAX_RETRIES", "-1"),
    ("STORMDESK_LLM_MAX_RETRIES", "1.5"), ("STORMDESK_LLM_MAX_RETRIES", "99"),
    ("STORMDESK_LLM_DRILL_BUDGET", "NaN"), ("STORMDESK_LLM_DRILL_BUDGET", "-5"),
    ("STORMDESK_LLM_BREAKER_FAILURES", "0"), ("STORMDESK_LLM_BREAKER_COOLDOWN", "inf"),
    ("STORMDESK_LLM_BASE_URL", "localhost:8000"), ("STORMDESK_LLM_BASE_URL", "ftp://x/v1"),
    ("STORMDESK_LLM_BASE_URL", "http://"), ("STORMDESK_LLM_BASE_URL", "http://x:99999/v1"),
    ("STORMDESK_LLM_MODEL", "bad\nmodel"), ("STORMDESK_LLM_MODEL", "m" * 201),
])
def test_settings_bad_value_is_an_error_naming_the_variable(variable, value):
    with pytest.raises(LlmSettingsError) as caught:
        settings_from_env({**BASE, variable: value})
    assert variable in str(caught.value)
    assert len(caught.value.problems) == 1


def test_settings_every_problem_is_listed_at_once():
    with pytest.raises(LlmSettingsError) as caught:
        settings_from_env({**BASE, "STORMDESK_LLM_TIMEOUT": "-1",
                           "STORMDESK_LLM_MAX_RETRIES": "many"})
    assert len(caught.value.problems) == 2


@pytest.mark.parametrize("only", ["STORMDESK_LLM_BASE_URL", "STORMDESK_LLM_MODEL"])
def test_settings_half_configured_is_an_error(only):
    with pytest.raises(LlmSettingsError, match="set both, or neither"):
        settings_from_env({only: BASE[only]})


def test_settings_tuning_variables_are_checked_even_without_an_endpoint():
    with pytest.raises(LlmSettingsError, match="STORMDESK_LLM_TIMEOUT"):
        settings_from_env({"STORMDESK_LLM_TIMEOUT": "nan"})


def test_settings_api_key_never_in_errors_or_repr():
    with pytest.raises(LlmSettingsError) as caught:
        settings_from_env({**BASE, "STORMDESK_LLM_API_KEY": "sk-secret\x07key"})
    assert "sk-secret" not in str(caught.value)
    settings = LlmSettings("http://u:pw@host/v1", "m", api_key="sk-secret")
    assert "sk-secret" not in repr(settings)
    assert settings.endpoint == "http://host/v1"  # credentials in the URL are not shown either


def test_settings_direct_construction_is_validated_too():
    with pytest.raises(LlmSettingsError, match="timeout_s"):
        LlmSettings("http://x/v1", "m", timeout_s=float("nan"))


@given(st.text(max_size=12))
def test_settings_any_timeout_text_is_a_number_in_range_or_an_error(raw):
    try:
        settings = settings_from_env({**BASE, "STORMDESK_LLM_TIMEOUT": raw})
    except LlmSettingsError:
        return
    assert settings is not None and 0.1 <= settings.timeout_s <= 120
