"""The dashboard page (body in ui/views/dashboard.py)."""

from ui.views import dashboard

dashboard.render()
