"""Dependencies point one way: each app imports only the apps below it, bottom to top

    web < calendars < grants < inquiries < payments < schedules < workflows < letters

(``config`` sits above them all). Python imports count wherever they stand
(module level or inside a function), absolute or relative; a template's
``{% load %}`` counts as an import of the app that provides the library. A
template belongs to the app whose folder under ``templates/`` holds it; the
templates at the top of ``templates/`` (the page frame ``base.html``, the
error pages, pagination) belong to ``web``. What goes upward instead is a
Django signal (``workflows.signals``, ``payments.signals``).
"""

import ast
import re
from pathlib import Path

import pytest
from django.template import engines

ROOT = Path(__file__).resolve().parent.parent
ORDER = ("web", "calendars", "grants", "inquiries", "payments", "schedules", "workflows", "letters")
RANK = {app: rank for rank, app in enumerate(ORDER)}
LOAD = re.compile(r"{%\s*load\s+(.*?)\s*%}")
# Template folders named after no app: Django's sign-in page is part of the frame.
FOLDER_OWNERS = {"registration": "web"}


def python_imports(app: str, root: Path = ROOT) -> list[tuple[str, str]]:
    """(file, imported module) for every import in an app's Python files, relative ones resolved."""
    found = []
    for path in sorted((root / app).rglob("*.py")):
        name = path.relative_to(root).as_posix()
        package = list(path.relative_to(root).parent.parts)  # the package a relative import starts from
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found += [(name, alias.name) for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package[: len(package) - node.level + 1]
                    module = ".".join(base + ([node.module] if node.module else []))
                else:
                    module = node.module
                found.append((name, module))
    return found


def _library_apps() -> dict[str, str]:
    """Each template tag library's name and the app that provides it (Django's own are not ours)."""
    return {name: path.split(".")[0] for name, path in engines["django"].engine.libraries.items()}


def template_loads() -> list[tuple[str, str, str]]:
    """(template, owning app, app of a library it loads) for every project template."""
    providers = _library_apps()
    found = []
    for path in sorted((ROOT / "templates").rglob("*.html")):
        relative = path.relative_to(ROOT / "templates")
        folder = relative.parts[0] if len(relative.parts) > 1 else "web"
        owner = FOLDER_OWNERS.get(folder, folder)
        for match in LOAD.finditer(path.read_text(encoding="utf-8")):
            words = match.group(1).split()
            names = words[words.index("from") + 1 :] if "from" in words else words  # {% load tag from library %}
            found += [(relative.as_posix(), owner, providers.get(name, "?")) for name in names]
    return found


def test_every_app_is_in_the_order():
    apps = {path.parent.name for path in ROOT.glob("*/apps.py")}
    assert apps == set(ORDER)


@pytest.mark.parametrize("app", ORDER)
def test_an_app_imports_only_apps_below_it(app):
    upward = [
        (path, module)
        for path, module in python_imports(app)
        if module.split(".")[0] in RANK and RANK[module.split(".")[0]] > RANK[app]
    ]
    assert upward == []


def test_templates_load_only_libraries_of_their_app_or_below():
    loads = template_loads()
    assert {owner for _template, owner, _provider in loads} <= set(ORDER)
    assert ("base.html", "web", "web") in loads
    upward = [
        (template, provider)
        for template, owner, provider in loads
        if provider == "?" or (provider in RANK and RANK[provider] > RANK[owner])
    ]
    assert upward == []


def test_relative_imports_are_resolved_to_the_app_they_reach(tmp_path):
    (tmp_path / "calendars" / "sub").mkdir(parents=True)
    (tmp_path / "calendars" / "sub" / "mod.py").write_text("from ...letters.models import Letter\nfrom ..eras import era_date\n")
    (tmp_path / "calendars" / "__init__.py").write_text("from .sub import mod\n")
    found = {module for _path, module in python_imports("calendars", root=tmp_path)}
    assert found == {"letters.models", "calendars.eras", "calendars.sub"}


def test_template_libraries_belong_to_their_apps():
    libraries = _library_apps()
    assert libraries["ui"] == "web" and libraries["dates"] == "calendars"
