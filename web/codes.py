"""The translated labels of codes, gathered from each installed app's ``labels.py``.

An app's ``labels.py`` holds ``LABELS = {kind: {code: label}}``; kinds several
apps share (``action``, ``subject``) are merged, in ``INSTALLED_APPS`` order.
"""

from functools import cache
from importlib import import_module

from django.apps import apps
from django.utils.module_loading import module_has_submodule


@cache
def labels() -> dict[str, dict]:
    """Every app's labels by kind: ``labels()["state"]["submitted"]``."""
    merged: dict[str, dict] = {}
    for config in apps.get_app_configs():
        if module_has_submodule(config.module, "labels"):
            for kind, mapping in import_module(f"{config.name}.labels").LABELS.items():
                merged.setdefault(kind, {}).update(mapping)
    return merged
