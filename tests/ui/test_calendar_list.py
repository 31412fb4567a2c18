"""The calendar's list view: each column holds what its heading says, and the list
starts in the current fiscal year and opens where today falls."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from tests.factories import Stream
from grants.models import Case, CaseState, Recipient, RecipientKind
from tests import factories as f
from tests.letters.factories import shipped_schedules
from tests.ui.html import table_headers, table_rows
from workflows.services import case_transition

pytestmark = pytest.mark.django_db

DATE, ITEM, STATE = "期限・日程", "交付先・予定", "案件の状態"


def requested(officer, *, year: int, deadline: date, recipient=None) -> Case:
    case = f.case(actor=officer, year=year, recipient=recipient)
    return case_transition(
        case_id=case.pk, name="request", actor=officer, expected_version=1, data={
            "deadline": deadline.isoformat(),
            # a deadline that has come was set by a request entered as of four weeks before it
            **({"occurred_on": (deadline - timedelta(days=28)).isoformat()} if deadline <= timezone.localdate() else {}),
        },
    )


def test_schedule_steps_show_their_date_text_under_the_date_and_only_cases_have_a_state(client, today):
    today(date(2025, 6, 2))
    shipped_schedules()
    f.define(2025, "community_support_grant", "initial_grant")  # the application alone, no pre-consultation
    officer = f.officer()
    requested(officer, year=2025, deadline=date(2025, 6, 20))
    client.force_login(f.supervisor())
    body = client.get("/calendar/?view=list&fiscal_year=2025").content.decode()
    assert table_headers(body) == [DATE, ITEM, "手続", STATE, "担当者"]
    rows = table_rows(body)
    steps = [row for row in rows if "row--step" in row["_class"]]
    cases = [row for row in rows if "row--step" not in row["_class"] and STATE in row]
    assert steps and cases
    assert all(row[STATE] == "" for row in steps), [row[STATE] for row in steps if row[STATE]]
    facilities = next(row for row in steps if row[ITEM].startswith("(施設分) 国庫補助協議依頼発出"))
    assert facilities[DATE] == "令和7年6月19日（木） 予定表の記載：令和7年6月19日"
    assert [row[STATE] for row in cases] == ["依頼済"]
    assert "令和7年6月20日" in cases[0][DATE] and cases[0][ITEM] == "川越市"


def test_every_window_on_the_page_names_its_era_year_whichever_way_the_source_worded_it(client, today):
    """FY2025's schedule writes 11月頃 for one stream and 令和7年11月頃 for another: the page words both one way."""
    today(date(2025, 6, 2))
    shipped_schedules()
    client.force_login(f.supervisor())
    body = client.get("/calendar/?view=list&fiscal_year=2025&page=2").content.decode()
    body += client.get("/calendar/?view=list&fiscal_year=2025&page=1").content.decode()
    dates = [row[DATE] for row in table_rows(body) if "row--step" in row["_class"]]
    around = [text for text in dates if "頃" in text]
    assert around.count("令和7年11月頃") == 2, around
    assert all(text.startswith("令和") for text in around), around


def test_the_list_starts_on_the_first_day_of_the_current_fiscal_year(client, today):
    today(date(2026, 11, 22))
    officer = f.officer()
    requested(officer, year=2025, deadline=date(2025, 5, 15))
    requested(officer, year=2026, deadline=date(2026, 12, 10), recipient=f.municipality("122076", "松戸市", "12"))
    client.force_login(f.supervisor())
    body = client.get("/calendar/?view=list").content.decode()
    assert "令和8年4月1日 – 令和10年3月31日" in body
    assert "松戸市" in body and "川越市" not in body
    earlier = client.get("/calendar/?view=list&fiscal_year=2025").content.decode()
    assert "令和6年4月1日 – 令和9年3月31日" in earlier and "川越市" in earlier


def test_the_list_opens_on_the_page_where_today_falls_and_marks_it(client, today):
    today(date(2026, 11, 22))
    officer = f.officer()
    f.fiscal_year(2026)
    f.prefecture("11")
    recipients = Recipient.objects.bulk_create(
        Recipient(
            code=f.municipality_code(n), name_ja=f"市{n}", name_en=f"city {n}", kind=RecipientKind.MUNICIPALITY,
            municipality_type="city", prefecture_code="11", addressee_ja=f"市{n}長　殿",
        )
        for n in range(60)
    )
    past = date(2026, 5, 1)
    Case.objects.bulk_create(
        Case(
            fiscal_year_id=2026, stream=Stream.COMMUNITY_SUPPORT_GRANT, procedure="initial_grant", recipient=recipient,
            state=CaseState.UNDER_REVIEW, officer=officer,
            deadline_stated=past + timedelta(days=n % 20), deadline_effective=past + timedelta(days=n % 20),
        )
        for n, recipient in enumerate(recipients)
    )
    requested(officer, year=2026, deadline=date(2026, 12, 10), recipient=f.municipality("122076", "松戸市", "12"))
    client.force_login(f.supervisor())
    response = client.get("/calendar/?view=list")
    assert response.context["page_obj"].number == 2
    rows = table_rows(response.content.decode())
    marker = next(index for index, row in enumerate(rows) if "row--today" in row["_class"])
    assert rows[marker]["_text"] == "今日：令和8年11月22日（日）"
    assert rows[marker + 1][ITEM] == "松戸市"
    first = client.get("/calendar/?view=list&page=1")
    assert first.context["page_obj"].number == 1 and "松戸市" not in first.content.decode()
