"""The scenario editor page (AppTest): who may open it, each part of the form with its
validation errors in the engine's words, the YAML view, import, save, publish and versions,
preview, Korean, and hostile text shown inert."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from engine.scenario import ScenarioError
from stormdesk.editor_yaml import scenario_from_text
from ui import services

from .conftest import app_as, make_user

PAGE = "ui/pages/editor.py"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "scenarios"


def editor_page(role: str = "manager", team: str | None = "north") -> AppTest:
    user = make_user(role, team, "Lena Lead")  # type: ignore[arg-type]
    at = app_as(user).switch_page(PAGE).run()
    assert not at.exception, at.exception
    return at


def open_copy(at: AppTest, builtin: str = "onboarding-quiet-shift") -> AppTest:
    at.selectbox(key="ed_start_from").set_value(f"copy:{builtin}")
    at.button(key="ed_open").click().run()
    assert not at.exception, at.exception
    return at


def errors(at: AppTest) -> list[str]:
    return [str(e.value) for e in at.error]


def plain(markdown: str) -> str:
    """Markdown made inert, read back as its characters (escapes and spans dropped)."""
    return (markdown.replace(":color[", "").replace("]{}", "").replace("\\", ""))


def engine_problems(text: str) -> list[str]:
    try:
        scenario_from_text(text)
    except ScenarioError as exc:
        return exc.problems
    return []


def yaml_shown(at: AppTest) -> str:
    """The file the draft saves (the YAML view draws exactly this: checked once below)."""
    return services.app().editor.yaml(at.session_state["ed_data"]).rstrip("\n")


def show(at: AppTest, view: str) -> AppTest:
    at.radio(key="ed_view").set_value(view).run()
    assert not at.exception, at.exception
    return at


def test_editor_trainee_has_no_editor_page() -> None:
    at = app_as(make_user())
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page(PAGE)


def test_editor_copy_opens_valid_and_yaml_view_is_the_file_saved() -> None:
    at = show(open_copy(editor_page()), "yaml")
    assert any("valid" in str(s.value) for s in at.success)
    shown = str(at.code[0].value)  # st.code drops the file's last newline
    assert shown + "\n" == services.app().editor.copy_builtin("onboarding-quiet-shift")
    assert engine_problems(shown) == []


BUILTINS = sorted(services.app().builtins().scenarios)


@pytest.mark.parametrize("builtin", BUILTINS)
def test_editor_form_round_trips_every_builtin_byte_for_byte(builtin: str) -> None:
    """Opened in the form and left alone, a copy writes exactly the file the editor copied."""
    at = open_copy(editor_page(), builtin)
    assert yaml_shown(at) + "\n" == services.app().editor.copy_builtin(builtin)
    assert not errors(at)


@pytest.mark.parametrize(("key", "value", "field", "message"), [
    ("edf_id", "Bad Id", "id", "must be lowercase letters"),
    ("edf_title", "", "title", "is required"),
    ("edf_start_clock", "9am", "start_clock", "must be a 24-hour clock time"),
    ("edf_brand.handle", "@kettle crumb", "brand.handle", "must be 1-30 letters"),
    ("edf_brand.dm_link", "ftp://x", "brand.dm_link", "must be an http:// or https:// link"),
    ("edf_briefing", "x" * 5001, "briefing", "must be at most 5,000 characters"),
    ("edf_phases[0].name", "", "phases[0].name", "is required"),
])
def test_editor_text_field_errors_in_the_engines_words(key: str, value: str, field: str,
                                                       message: str) -> None:
    at = open_copy(editor_page())
    widget = at.text_area(key=key) if key == "edf_briefing" else at.text_input(key=key)
    widget.set_value(value).run()
    assert not at.exception, at.exception
    shown = yaml_shown(at)
    expected = [p.split(f": {field}: ", 1)[1] for p in engine_problems(shown)
                if f": {field}: " in p]
    assert expected and message in expected[0]
    assert any(expected[0] in plain(e) for e in errors(at)), errors(at)
    assert show(at, "save").button(key="ed_save_draft").disabled  # nothing invalid is saved


@pytest.mark.parametrize(("key", "value", "message"), [
    ("edf_duration_minutes", 0.0, "must be > 0"),
    ("edf_duration_minutes", 20000.0, "must be <= 10,080"),
    ("edf_phases[0].rate_per_minute", 5000.0, "must be <= 2,000 (got 5,000)"),
    ("edf_phases[0].end_minute", 500.0, "must be <= duration_minutes"),
    ("edf_sla_minutes.urgent", 0.0, "must be > 0"),
    ("edf_phases[0].ramp_minutes", 5.0, "only"),
])
def test_editor_number_field_errors_in_the_engines_words(key: str, value: float,
                                                         message: str) -> None:
    at = open_copy(editor_page(), "telecom-outage")
    at.number_input(key=key).set_value(value).run()
    assert not at.exception, at.exception
    problems = engine_problems(yaml_shown(at))
    assert problems and any(message in p for p in problems), problems
    assert any(message in plain(e) for e in errors(at)), errors(at)
    assert show(at, "save").button(key="ed_save_draft").disabled


def test_editor_brand_lists_one_per_line_and_banned_phrase_limit() -> None:
    at = open_copy(editor_page())
    at.text_area(key="edf_brand.banned_phrases").set_value("calm down\n" + "y" * 201).run()
    assert any("[1]: must be at most 200 characters" in plain(e) for e in errors(at))
    at.text_area(key="edf_brand.banned_phrases").set_value("calm down\nper our policy").run()
    assert "- calm down\n  - per our policy" in yaml_shown(at)
    at.text_area(key="edf_brand.products").set_value("  \n").run()
    assert any("must have at least 1 item" in plain(e) for e in errors(at))


def test_editor_choices_and_flags_write_the_file() -> None:
    at = open_copy(editor_page())
    at.selectbox(key="edf_brand.voice").set_value("formal")
    at.selectbox(key="edf_brand.emoji").set_value("none")
    at.toggle(key="edf_brand.sign_with_initials").set_value(False)
    at.selectbox(key="edf_language").set_value("ko")
    at.selectbox(key="edf_phases[0].ramp").set_value("linear").run()
    shown = yaml_shown(at)
    assert "voice: formal" in shown and "emoji: none" in shown and "language: ko" in shown
    assert "sign_with_initials: false" in shown
    assert any("rate_end_per_minute" in plain(e) or "linear" in plain(e)
               for e in errors(at)), errors(at)


def test_editor_weights_all_zero_refused() -> None:
    at = open_copy(editor_page())
    for name in ("speed", "empathy", "tone", "privacy"):
        at.number_input(key=f"edf_scoring_weights.{name}").set_value(0.0)
    at.run()
    problems = engine_problems(yaml_shown(at))
    assert problems and any("scoring_weights" in p for p in problems)
    assert errors(at)


def test_editor_add_and_remove_a_phase() -> None:
    at = open_copy(editor_page())
    before = yaml_shown(at).count("- name:")
    at.button(key="edf_phases_add").click().run()
    assert yaml_shown(at).count("- name:") == before + 1
    # the new phase starts where the last ended: at the drill's end it is an empty window
    assert errors(at)
    at.button(key=f"edf_phases[{before}]rm").click().run()
    assert yaml_shown(at).count("- name:") == before
    assert not errors(at)


def _import(at: AppTest, name: str, data: bytes) -> AppTest:
    """Open a file as the uploader would hand it over (AppTest cannot drive the uploader)."""
    editor = services.app().editor
    checked = editor.import_file(data, name)
    loaded = editor.data(checked.text)
    at.session_state["ed_data"] = loaded
    at.session_state["ed_origin"] = name
    return at.run()


@pytest.mark.parametrize(("fixture", "field"), [
    ("broken_inject_text.yaml", "injects"),
    ("broken_inject_intent.yaml", "injects"),
    ("broken_incident_order.yaml", "incident"),
    ("broken_persona.yaml", "phases"),
    ("broken_window.yaml", "phases"),
    ("broken_only_phase.yaml", "phases"),
    ("broken_unknown_field.yaml", ""),
])
def test_editor_imported_problems_show_under_their_part(fixture: str, field: str) -> None:
    at = _import(editor_page(), fixture, (FIXTURES / fixture).read_bytes())
    assert not at.exception, at.exception
    problems = engine_problems(yaml_shown(at))
    assert problems, yaml_shown(at)
    shown = " ".join(plain(e) for e in errors(at))
    for line in problems:
        assert line.split(": ", 2)[-1].split(": ", 1)[-1][:30] in shown, (line, shown)
    assert show(at, "save").button(key="ed_save_draft").disabled


def test_editor_save_publish_and_versions_then_a_trainee_can_play_it() -> None:
    lead = make_user("manager", "editors-team", "Lena Lead")
    at = open_copy(app_as(lead).switch_page(PAGE).run(), "viral-praise")
    at.text_input(key="edf_id").set_value("praise-for-our-bakery").run()
    show(at, "save")
    at.text_input(key="ed_change_note").set_value("our bakery").run()
    at.button(key="ed_save_draft").click().run()
    assert not at.exception, at.exception
    assert any("Draft saved as version" in str(s.value) for s in at.success)
    at.text_input(key="ed_publish_note").set_value("for the Monday shift")
    at.button(key="ed_publish").click().run()
    assert any("Published praise-for-our-bakery" in plain(str(s.value)) for s in at.success)
    assert not [b for b in at.button if b.key == "ed_publish"]  # nothing left to publish
    show(at, "versions")
    table = next(d.value for d in at.dataframe if "Status" in d.value.columns)
    assert list(table["Status"]) == ["published", "draft"]
    assert list(table["Change note"]) == ["for the Monday shift", "our bakery"]
    trainee = make_user("trainee", "editors-team")
    outsider = make_user("trainee", "another-team")
    app = services.app()
    assert "praise-for-our-bakery" in app.catalogue(trainee.viewer).scenarios
    assert "praise-for-our-bakery" not in app.catalogue(outsider.viewer).scenarios
    audit = app.editor.audit(lead.viewer)
    assert [e.action for e in audit][:2] == ["publish", "save_draft"]


def test_editor_preview_draws_samples_mix_and_reputation() -> None:
    at = show(open_copy(editor_page()), "preview")
    at.number_input(key="ed_seed").set_value(3)
    at.button(key="ed_run_preview").click().run()
    assert not at.exception, at.exception
    labels = [m.label for m in at.metric]
    assert "New mentions" in labels and "Reputation" in labels
    assert len(at.dataframe) >= 3  # persona mix, intent mix, samples per phase


def test_editor_korean_page_has_no_english_labels_of_ours() -> None:
    at = editor_page()
    at.selectbox(key="ui_language").set_value("ko").run()
    at = open_copy(at)
    assert not at.exception, at.exception
    assert at.title[0].value == "시나리오 편집기"
    assert any("유효한 훈련" in str(s.value) for s in at.success)


def test_editor_hostile_text_is_inert_in_errors() -> None:
    at = open_copy(editor_page())
    at.text_input(key="edf_id").set_value("[click](https://evil.example) <b>x</b>").run()
    shown: list[Any] = errors(at)
    assert shown and all("](https" not in e.replace("\\", "") or "\\[" in e for e in shown)
    assert all("<b>" not in e for e in shown)


def test_editor_no_drafting_box_without_an_llm_endpoint(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("STORMDESK_LLM_BASE_URL", raising=False)
    monkeypatch.delenv("STORMDESK_LLM_MODEL", raising=False)
    at = editor_page()
    assert not [b for b in at.button if b.key == "ed_describe_go"]
    assert not [a for a in at.text_area if a.key == "ed_describe"]


def test_editor_draft_from_a_description_opens_a_checked_draft(
        monkeypatch: pytest.MonkeyPatch) -> None:
    import json

    from llm import reset_breakers
    from tests.fakes.openai_server import FakeOpenAI

    outline = {"title": "Payday login outage", "brand_name": "Moa Bank", "handle": "MoaBank",
               "products": ["mobile app"], "duration_minutes": 90, "incident_minute": 5,
               "peak_rate_per_minute": 8, "down": "app login fails",
               "journalist_minute": 40, "briefing": "Login is down on payday."}
    server = FakeOpenAI().start()
    server.answer = lambda request: json.dumps(outline)
    monkeypatch.setenv("STORMDESK_LLM_BASE_URL", server.base_url())
    monkeypatch.setenv("STORMDESK_LLM_MODEL", "fake-model")
    reset_breakers()
    try:
        at = editor_page()
        at.text_area(key="ed_describe").set_value(
            "our app login failed for 2 hours on payday, a journalist called at minute 40")
        at.button(key="ed_describe_go").click().run()
        assert not at.exception, at.exception
        assert at.text_input(key="edf_brand.name").value == "Moa Bank"
        assert any("valid" in str(s.value) for s in at.success)
    finally:
        server.stop()
        reset_breakers()


@pytest.mark.parametrize(("old", "new", "message"), [
    ("duration_minutes: 60", "duration_minutes: sixty", "must be a number (got 'sixty')"),
    ("voice: friendly", "voice: grumpy", "must be 'friendly', 'formal' or 'playful'"),
    ("sign_with_initials: true", "sign_with_initials: maybe", "must be true or false"),
    ("title: 'First shift", "title: 12\nx_title: 'First shift", "is not a known field"),
])
def test_editor_imported_values_the_form_cannot_show_are_kept_and_explained(
        old: str, new: str, message: str) -> None:
    text = services.app().editor.copy_builtin("onboarding-quiet-shift")
    assert old in text
    broken = text.replace(old, new, 1)
    at = _import(editor_page(), "odd.yaml", broken.encode())
    assert not at.exception, at.exception
    assert new.split("\n")[0] in yaml_shown(at)  # not replaced by the widget's stand-in
    assert any(message in plain(e) for e in errors(at)), errors(at)


@pytest.mark.parametrize(("old", "new", "field"), [
    ("  persona: neutral\n  intent: product_question\n",
     "  persona: neutral\n  intnet: product_question\n", "injects[0].intnet"),
    ("  - title: Thank you for the kind words\n",
     "  - title: Thank you for the kind words\n    txt: hi\n", "brand.macros[0].txt"),
])
def test_editor_table_rows_keep_keys_the_table_does_not_show(old: str, new: str,
                                                             field: str) -> None:
    text = services.app().editor.copy_builtin("onboarding-quiet-shift")
    assert old in text
    at = _import(editor_page(), "typo.yaml", text.replace(old, new, 1).encode())
    assert not at.exception, at.exception
    problems = engine_problems(yaml_shown(at))
    assert any(f": {field}: is not a known field" in p for p in problems), problems
    assert any("is not a known field" in plain(e) for e in errors(at)), errors(at)


@pytest.mark.parametrize(("old", "new", "message"), [
    ("brand:\n  name: Kettle & Crumb\n", "brand: Kettle\nx_brand:\n  name: Kettle & Crumb\n",
     "brand: must be a mapping of fields"),
    ("injects:\n", "injects: none\nx_injects:\n", "injects: must be a list"),
    ("    neutral: 0.45\n", "    - neutral\n", "personas: must be a mapping"),
])
def test_editor_parts_of_the_wrong_shape_are_kept_and_explained(old: str, new: str,
                                                                message: str) -> None:
    text = services.app().editor.copy_builtin("onboarding-quiet-shift")
    assert old in text
    broken = text.replace(old, new, 1)
    if "personas" in message:  # a mix written as a list: the whole mix becomes the list
        start = broken.index("    - neutral\n")
        end = broken.index("  intents:", start)
        broken = broken[:start] + "    - neutral\n" + broken[end:]
    at = _import(editor_page(), "shape.yaml", broken.encode())
    assert not at.exception, at.exception
    problems = engine_problems(yaml_shown(at))
    assert any(message in p for p in problems), problems
    assert errors(at)


def test_editor_targets_left_at_defaults_stay_out_of_the_file() -> None:
    editor = services.app().editor
    data = editor.data(editor.blank())
    assert data is not None
    del data["sla_minutes"], data["scoring_weights"]
    at = _import(editor_page(), "short.yaml", editor.yaml(data).encode())
    assert "sla_minutes" not in yaml_shown(at) and "scoring_weights" not in yaml_shown(at)
    assert not errors(at)
