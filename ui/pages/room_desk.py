"""A trainee's seat in a crisis room (body in ui/views/room_desk.py)."""

from ui.views import room_desk

room_desk.render()
