"""The translated labels of codes, gathered from each installed app's ``labels.py``.

An app's ``labels.py`` holds ``LABELS = {kind: labels}``, where ``labels`` is
a ``{code: label}`` mapping or a function returning one; a function is asked
at each lookup, for codes registered after start-up (streams, procedures and
steps come from the registry their modules fill). Kinds several apps share
(``action``, ``subject``) are looked up in every app that names them, the
later one in ``INSTALLED_APPS`` winning.
"""

from collections.abc import Callable, Mapping
from functools import cache
from importlib import import_module

from django.apps import apps
from django.utils.module_loading import module_has_submodule

Labels = Mapping | Callable[[], Mapping]


@cache
def _sources() -> dict[str, list[Labels]]:
    sources: dict[str, list[Labels]] = {}
    for config in apps.get_app_configs():
        if module_has_submodule(config.module, "labels"):
            for kind, mapping in import_module(f"{config.name}.labels").LABELS.items():
                sources.setdefault(kind, []).append(mapping)
    return sources


def code_label(kind: str, code):
    """The label of ``code`` among the codes of ``kind`` (``code_label("state", "submitted")``), or None
    (None too for a kind no app names)."""
    for mapping in reversed(_sources().get(kind, [])):
        value = (mapping() if callable(mapping) else mapping).get(code)
        if value is not None:
            return value
    return None


def labels() -> dict[str, dict]:
    """Every app's labels by kind, as they stand now: ``labels()["state"]["submitted"]``."""
    merged: dict[str, dict] = {}
    for kind, mappings in _sources().items():
        for mapping in mappings:
            merged.setdefault(kind, {}).update(mapping() if callable(mapping) else mapping)
    return merged
