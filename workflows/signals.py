"""What other apps add to a case's act and to the case page, without ``workflows`` importing them
(dependencies point one way).

``case_transition_recording`` is sent by ``workflows.services.case_transition``
inside the act's transaction, once the case has moved and before the act's
history record is written, with the keyword arguments:

- ``case``: the case, in its new state (not yet saved);
- ``transition``: the step's name;
- ``letter``: the letter the step declares (``grants.catalogue.ActLetter``; ``NONE`` for none);
- ``actor``: who acts;
- ``fields``: the act's cleaned fields;
- ``on``: the day of the act;
- ``determination``: the determination the act created or moved on, or None.
- ``recorded_later``: whether the act took place on a day before the day it is recorded (``occurred_on``);
- ``recorded_on``: the day it is recorded;
- ``bulk``: whether the act is one of a bulk step's (``case_transition_bulk``), whose caller handles what
  covers all of its acts at once (the letters app: one request per prefecture for its municipalities).

A receiver returns None, or an ``ActAddition``: what the act's record says
about it (merged into the record's ``data``) and what to do once the record
exists (``with_record(entry)``, still inside the transaction). The letters app
issues the act's letter this way: the record describes the letter, and the
letter is stored under the record. An addition may hand the service a new ``row`` to
store under the record (a model instance whose foreign key ``record_field``
points at it): the service writes it with the record, in the record's own
statement where the database allows (PostgreSQL), before ``with_record`` runs
(the letters app: the letter). A bulk step writes a chunk of acts at once:
an addition may name ``with_records``, which then stores what the chunk's acts
added in one go, its rows included (the letters app: one INSERT of the letters).

``case_page_sections`` is sent by ``workflows.selectors.case_page_section_list``
when the case page is drawn, with the keyword arguments ``case`` and ``actor``
(whose scope the reads apply). A receiver returns None, or a ``PageSection``:
the template the page includes and its context. The letters app lists the
case's letters this way, and the renewed request (再依頼) of an overdue case.

``document_number_given`` is sent by a step that takes a document number the officer typed (a notice, a
revocation's notice), inside the act's transaction, with the keyword arguments ``number`` and ``on`` (the
letter's day), before the act uses the number. A receiver raises ``InvalidInput`` naming ``document_number``
when the number is taken (the letters app: by another letter of that year; numbers omit the year).

``worklist_columns`` is sent by ``workflows.selectors.worklist_columns_for_actor``
with the keyword arguments ``cases`` (the worklist page's cases) and
``actor``. A receiver returns None, or a ``ListColumn``: its heading, the
template of a cell (given ``value``) and the value of each case by its id
(a case left out gets None). The letters app shows when the last reminder
went out this way.
"""

from collections.abc import Callable
from typing import Any, NamedTuple

from django.dispatch import Signal

case_transition_recording = Signal()


class ActAddition(NamedTuple):
    record: dict
    with_record: Callable[[Any], object]
    #: For a bulk step's acts: called once per chunk instead of ``with_record``, with the ``(addition, record)``
    #: pairs of every act of the chunk whose addition names the same function (None: ``with_record`` each).
    with_records: Callable[[list[tuple["ActAddition", Any]]], object] | None = None
    #: What ``with_records`` needs of this act (the letters app: the letter).
    item: Any = None
    #: A new row stored with the act's record, whose foreign key ``record_field`` is set to the record (a bulk
    #: step's acts: by the service too, unless the addition names ``with_records``, which stores the chunk's rows).
    row: Any = None
    record_field: str = ""
    #: PostgreSQL, a single act: a query ``(sql, params)`` the service runs inside the act's write statement (a
    #: ``WITH``, no round trip of its own), whose first value of its first row (None for none) it hands to
    #: ``with_record`` as ``found=``. Elsewhere it is not run, and ``with_record`` gets no ``found``.
    query: tuple[str, tuple] | None = None


document_number_given = Signal()

case_page_sections = Signal()


class PageSection(NamedTuple):
    template: str
    context: dict


worklist_columns = Signal()


class ListColumn(NamedTuple):
    title: str
    template: str
    values: dict
