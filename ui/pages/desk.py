"""The desk page (body in ui/views/desk.py)."""

from ui.views import desk

desk.render()
