"""Saving an edited row together with the history record of what changed (schedules, closure days, reminder rules)."""

from collections.abc import Callable, Sequence

from django.db.models import Model


def field_changes(before: dict | None, after: dict) -> dict:
    """A record's account of an edit: the new values of a created row, or [old, new] of each changed field."""
    if before is None:
        return {"after": after}
    return {"changes": {name: [before[name], after[name]] for name in after if before[name] != after[name]}}


def edit_save(*, row: Model, fields: Sequence[str], record: Callable[[str, dict], None]) -> Model:
    """Validate and save an edited or new row, then ``record("create" | "update", changes)``.

    The stored row is locked while it is compared; a save that changes none
    of ``fields`` writes nothing, record included. Must run in the caller's transaction.
    """
    old = type(row).objects.select_for_update().filter(pk=row.pk).first() if row.pk else None
    before = {name: getattr(old, name) for name in fields} if old else None
    after = {name: getattr(row, name) for name in fields}
    if before == after:
        return row
    row.full_clean()
    row.save()
    record("create" if before is None else "update", field_changes(before, after))
    return row
