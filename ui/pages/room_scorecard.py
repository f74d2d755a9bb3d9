"""The team scorecard of a crisis room (body in ui/views/room_scorecard.py)."""

from ui.views import room_scorecard

room_scorecard.render()
