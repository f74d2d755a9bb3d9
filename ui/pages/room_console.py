"""The lead's console of a crisis room (body in ui/views/room_console.py)."""

from ui.views import room_console

room_console.render()
