"""The scorecard page (body in ui/views/scorecard.py)."""

from ui.views import scorecard

scorecard.render()
