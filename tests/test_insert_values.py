"""``web.rows.insert_values``: the values a prepared INSERT stores are the ORM's (``get_db_prep_save`` of
``pre_save``), field by field, whatever the value: text and its subclasses, lazy text, None, JSON, files, dates,
auto_now_add, a number given as text; and the rows read back as the ORM wrote them."""

from datetime import date

import pytest
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext_lazy

from grants.models import Determination
from letters.models import Letter, LetterKind, LetterStatus
from payments.models import PaymentItem
from tests import factories as f
from web.rows import insert_values, row_insert, rows_insert

pytestmark = pytest.mark.django_db


def _orm_values(instance, fields) -> list:
    """What the ORM's INSERT would store; an auto_now_add field's value is the one ``insert_values`` set."""
    return [
        field.get_db_prep_save(getattr(instance, field.attname) if getattr(field, "auto_now_add", False)
                               else field.pre_save(instance, add=True), connection)
        for field in fields
    ]


def _comparable(values: list) -> list:
    # PostgreSQL's JSON values are adapter objects: compare what they hold
    return [(type(value), getattr(value, "obj", value)) for value in values]


def _letters(officer, case, *, storable: bool = False) -> list[Letter]:
    common = dict(case=case, recipient=case.recipient, created_by=officer, issued_on=date(2025, 4, 1))
    return [
        Letter(**common, kind=LetterKind.REQUEST, subject="件名", content={"body": ["本文"], "n": 1}),
        Letter(**common, kind="reminder", subject=gettext_lazy("Reminder"), content={}, basis={"rule": "x"},
               document_number="関厚発0401第1号", deadline_stated=date(2025, 5, 1), sha256="ab" * 32,
               status=LetterStatus.RENDERED, pdf="letters/2025/04/letter-1.pdf"),
        Letter(**common, kind=LetterKind.DECISION_NOTICE, subject="", content={"a": None} if storable else None,
               basis={} if storable else None,
               rendered_at=timezone.now(), document_number=""),
    ]


def test_the_values_stored_are_the_orm_s_field_by_field():
    officer = f.officer()
    case = f.case(actor=officer)
    determination = Determination.objects.create(
        case=case, kind="decision", amount=7, drafted_by=officer, drafted_at=timezone.now()
    )
    items = [
        PaymentItem(case=case, determination=determination, recipient_id=case.recipient_id, budget_year=2025,
                    basis="tranche", amount=amount, due_on=due_on)
        for amount, due_on in ((1_000, date(2025, 4, 1)), ("250", "2025-05-01"))
    ]
    for instance in [*_letters(officer, case), *items]:
        fields, values = insert_values(instance)
        assert [field.name for field in fields] == [
            field.name for field in instance._meta.concrete_fields if not field.primary_key
        ]
        assert instance.created_at is not None  # auto_now_add ran
        assert _comparable(values) == _comparable(_orm_values(instance, fields)), instance


def test_rows_inserted_one_and_many_read_back_as_given():
    officer = f.officer()
    case = f.case(actor=officer)
    one, *many = _letters(officer, case, storable=True)
    row_insert(one)
    rows_insert(many)
    for letter in (one, *many):
        stored = Letter.objects.get(pk=letter.pk)
        for field in Letter._meta.concrete_fields:
            given = getattr(letter, field.attname)
            assert getattr(stored, field.attname) == (str(given) if field.name in ("subject", "pdf") else given), field
