"""StormDesk's application layer: drills, reviews and accounts as services the UI renders.

It owns every drill's lifecycle (start, clock ticks, actions, saving, recovery, ending, scoring,
coaching) and composes the engine, the scorer and the store; it never imports streamlit.
"""
