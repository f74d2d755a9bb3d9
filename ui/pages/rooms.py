"""The Rooms page (body in ui/views/room_lobby.py)."""

from ui.views import room_lobby

room_lobby.render()
