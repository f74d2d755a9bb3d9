"""The scenario editor page (body in ui/views/editor.py)."""

from ui.views import editor

editor.render()
