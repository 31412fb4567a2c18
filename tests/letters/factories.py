"""Calendar test data: the shipped schedules, small hand-made schedules, reminder rules, requested cases."""

import io
from datetime import date, timedelta
from pathlib import Path

import factory
import yaml
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from calendars.windows import Precision
from grants.roles import system_user
from letters.models import ReminderRule
from schedules.models import ScheduleStatus, ScheduleStep, ScheduleVersion, StepActor, StepKind
from schedules.services import schedule_import
from tests import factories as f
from workflows.services import case_transition

SCHEDULES_FILE = Path(settings.BASE_DIR) / "schedules" / "data" / "schedules.yaml"
DEFAULT_RULES = [
    ("advance_notice", "提出期限のお知らせ", "Advance notice", -10, "reminder", "（お知らせ）"),
    ("reminder", "再依頼", "Reminder", -3, "reminder", "（再依頼）"),
    ("overdue_demand", "督促", "Overdue demand", 1, "overdue_demand", "（督促）"),
]


def shipped_document() -> dict:
    return yaml.safe_load(SCHEDULES_FILE.read_text(encoding="utf-8"))


def shipped_schedules() -> list[ScheduleVersion]:
    """The FY2023 (plan and as run) and FY2025 schedules the project ships, imported by the system user."""
    return schedule_import(actor=system_user(), document=shipped_document())


def reminder_rules() -> list[ReminderRule]:
    """The default rules (the data migration's; a transactional test's flush removes them)."""
    return [
        ReminderRule.objects.get_or_create(
            code=code,
            defaults=dict(
                label_ja=label_ja, label_en=label_en, offset_business_days=offset,
                letter_kind=kind, subject_suffix_ja=suffix,
            ),
        )[0]
        for code, label_ja, label_en, offset, kind, suffix in DEFAULT_RULES
    ]


class ScheduleVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ScheduleVersion

    key = factory.Sequence(lambda n: f"fy2030-test-{n}")
    fiscal_year = 2030
    status = ScheduleStatus.PLAN


class ScheduleStepFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ScheduleStep

    version = factory.SubFactory(ScheduleVersionFactory)
    stream = "community_support_grant"
    sub_procedure = "initial_grant"
    position = factory.Sequence(int)
    key = factory.Sequence(lambda n: f"step_{n}")
    label_ja = "提出〆切"
    label_en = "Papers due"
    kind = StepKind.DEADLINE
    actor = StepActor.PREFECTURE
    precision = Precision.EXACT
    date_from = date(2030, 7, 10)
    date_to = date(2030, 7, 10)


def act(case, name: str, actor, **data):
    return case_transition(case_id=case.pk, name=name, actor=actor, data=data, expected_version=case.version)


def requested_case(*, officer, deadline: str, recipient=None, **kwargs):
    """A FY2025 community support initial-grant case whose request went out with ``deadline``: a deadline that
    has come already was set by a request entered as of four weeks before it (a deadline follows its request)."""
    case = f.case(actor=officer, recipient=recipient, **kwargs)
    due = date.fromisoformat(deadline)
    past = {"occurred_on": (due - timedelta(days=28)).isoformat()} if due <= timezone.localdate() else {}
    return act(case, "request", officer, deadline=deadline, **past)


def send_reminders(day: date, *args) -> str:
    """``manage.py send_reminders --date DAY [args]``; what it printed."""
    out = io.StringIO()
    call_command("send_reminders", "--date", day.isoformat(), *args, stdout=out)
    return out.getvalue()
