"""Migration 0008 moves the project's own municipality codes to the official ones; cases and the
hash-chained history that point at a recipient follow it, and the chain still verifies."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor

from grants.history import history_append, history_verify
from grants.models import Case, HistoryEntry, Recipient

BEFORE = ("grants", "0008_codes_from_the_registry")
AFTER = ("grants", "0009_official_recipient_codes")


def migrate(*targets) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.migrate(list(targets))
    return MigrationExecutor(connection)


@pytest.mark.usefixtures("live_db")
def test_project_codes_become_official_and_the_history_still_verifies():
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()
    executor = migrate(BEFORE)
    try:
        old = executor.loader.project_state([BEFORE]).apps
        recipient_model, case_model = old.get_model("grants", "Recipient"), old.get_model("grants", "Case")
        recipient_model.objects.create(
            code="12", name_ja="千葉県", name_en="Chiba", kind="prefecture", prefecture_code="12", addressee_ja="千葉県長　殿"
        )
        nagareyama = recipient_model.objects.create(
            code="12-nagareyama", name_ja="流山市", name_en="Nagareyama", kind="municipality", municipality_type="city",
            prefecture_code="12", addressee_ja="流山市長　殿",
        )
        union = recipient_model.objects.create(
            code="12-wau", name_ja="千葉県後期高齢者医療広域連合", name_en="union", kind="wide_area_union",
            prefecture_code="12", addressee_ja="千葉県後期高齢者医療広域連合長　殿",
        )
        year = old.get_model("grants", "FiscalYear").objects.create(year=2025)
        officer = get_user_model().objects.create(username="officer")
        case = case_model.objects.create(
            fiscal_year=year, stream="community_support_grant", procedure="initial_grant", recipient=nagareyama,
            officer_id=officer.pk,
        )
        with transaction.atomic():  # a record whose hashed content quotes the old code
            history_append(actor=officer, action="create", subject_type="case", subject_id=case.pk, case=case,
                           data={"recipient": "12-nagareyama"})
        assert history_verify().ok

        migrate(AFTER)
    finally:
        migrate(*latest)

    moved = Recipient.objects.get(pk=nagareyama.pk)
    assert (moved.code, moved.former_code, moved.name_ja) == ("122203", "12-nagareyama", "流山市")
    assert Recipient.objects.get(pk=union.pk).code == "12-wau"  # unions and prefectures keep their codes
    assert Recipient.objects.get(code="12").former_code == ""
    assert Case.objects.get(pk=case.pk).recipient_id == moved.pk
    record = HistoryEntry.objects.get(case_id=case.pk)
    assert record.recipient_id == moved.pk and record.data == {"recipient": "12-nagareyama"}
    assert history_verify().ok
