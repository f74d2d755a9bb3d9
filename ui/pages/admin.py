"""The admin page (body in ui/views/admin.py)."""

from ui.views import admin

admin.render()
