"""The recovery command fills in missing payment notices and refuses runs that were not executed."""

import pytest
from django.core.management import CommandError, call_command

from letters.models import Letter
from tests.letters.test_payment_notices import approved_run, executed_run, people  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db


def test_unknown_run_is_refused_with_a_message():
    with pytest.raises(CommandError, match="payment_run_not_found|not found|No such"):
        call_command("issue_payment_notices", "999999")


def test_repeating_issues_nothing_new(executed_run):
    call_command("issue_payment_notices", str(executed_run.pk))
    count = Letter.objects.filter(kind="payment_notice").count()
    assert count >= 1
    call_command("issue_payment_notices", str(executed_run.pk))
    assert Letter.objects.filter(kind="payment_notice").count() == count
