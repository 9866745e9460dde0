"""Django's admin autodiscovery imports this module: the dashboard registers here."""

from atrack.dashboard import events, projects, sessions

__all__ = ["events", "projects", "sessions"]
