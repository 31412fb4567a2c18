"""Read a page the way a person does: a table as rows of header → cell text, a select's chosen option."""

from html.parser import HTMLParser


class _Tables(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tables: list[dict] = []  # {"headers": [...], "rows": [{"class": ..., "cells": [...]}]}
        self._cell: list[str] | None = None
        self._row: dict | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table":
            self.tables.append({"headers": [], "rows": []})
        elif tag == "tr" and self.tables:
            self._row = {"class": attrs.get("class") or "", "cells": [], "header": False}
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []
            self._row["header"] = self._row["header"] or tag == "th"
        elif tag == "br" and self._cell is not None:
            self._cell.append(" ")

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row["cells"].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            table = self.tables[-1]
            if self._row["header"] and not table["headers"]:
                table["headers"] = self._row["cells"]
            else:
                table["rows"].append(self._row)
            self._row = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def table_rows(body: str, index: int = 0) -> list[dict]:
    """The rows of the page's ``index``-th table, each a dict of header → cell text, plus ``_class``.

    A row with fewer cells than headers (a divider spanning the table) has only ``_class`` and ``_text``.
    """
    parser = _Tables()
    parser.feed(body)
    table = parser.tables[index]
    rows = []
    for row in table["rows"]:
        if len(row["cells"]) == len(table["headers"]):
            rows.append(dict(zip(table["headers"], row["cells"])) | {"_class": row["class"]})
        else:
            rows.append({"_class": row["class"], "_text": " ".join(row["cells"])})
    return rows


def table_headers(body: str, index: int = 0) -> list[str]:
    parser = _Tables()
    parser.feed(body)
    return parser.tables[index]["headers"]


class _Select(HTMLParser):
    def __init__(self, name: str):
        super().__init__()
        self.name, self.inside, self.options = name, False, []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "select":
            self.inside = attrs.get("name") == self.name
        elif tag == "option" and self.inside:
            self.options.append({"value": attrs.get("value"), "selected": "selected" in attrs, "text": ""})

    def handle_endtag(self, tag):
        if tag == "select":
            self.inside = False

    def handle_data(self, data):
        if self.inside and self.options:
            self.options[-1]["text"] += data.strip()


def select_options(body: str, name: str) -> list[dict]:
    """The options of the select called ``name``: value, text and whether it is selected."""
    parser = _Select(name)
    parser.feed(body)
    return parser.options
