"""Workflows keep no tables of their own: case state lives on ``grants.Case``
and the decision history in ``grants.HistoryEntry`` (both written by this app's
transition service)."""
