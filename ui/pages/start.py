"""The start page (body in ui/views/start.py)."""

from ui.views import start

start.render()
