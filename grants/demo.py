"""Master data and users for a demo install (used by ``manage.py load_demo``)."""

from pathlib import Path

import yaml
from django.contrib.auth import get_user_model
from django.db import transaction

from .catalogue import Stream
from .models import FiscalYear, MunicipalityType, ProcedureYear, Recipient, RecipientKind, Role, Scope
from .roles import role_group

DATA = Path(__file__).resolve().parent / "data" / "recipients.yaml"
PREFECTURE_CODES = ("08", "09", "10", "11", "12", "13", "14", "15", "19", "20")

DEMO_USERS = {
    # username: (role, {stream: prefecture codes} the user is limited to, name)
    "officer1": (Role.OFFICER, {stream: PREFECTURE_CODES for stream in Stream.values}, "担当者 一郎"),
    "officer2": (Role.OFFICER, {Stream.COMMUNITY_SUPPORT_GRANT: ("11", "12")}, "担当者 二郎"),
    "supervisor1": (Role.SUPERVISOR, {}, "係長 花子"),
    "supervisor2": (Role.SUPERVISOR, {}, "課長 太郎"),
    "auditor1": (Role.AUDITOR, {}, "監査 三郎"),
    "admin": (Role.ADMINISTRATOR, {}, "管理者"),
}


@transaction.atomic
def recipients_load() -> int:
    """Create or update the ten prefectures, the named municipalities and one union per prefecture."""
    data = yaml.safe_load(DATA.read_text(encoding="utf-8"))
    rows = []
    for item in data["prefectures"]:
        code = str(item["code"]).zfill(2)
        rows.append((code, item, RecipientKind.PREFECTURE, "", code))
    for item in data["municipalities"]:
        rows.append((item["code"], item, RecipientKind.MUNICIPALITY, item["type"], str(item["prefecture"]).zfill(2)))
    for item in data["wide_area_unions"]:
        rows.append((item["code"], item, RecipientKind.WIDE_AREA_UNION, "", str(item["prefecture"]).zfill(2)))
    for code, item, kind, municipality_type, prefecture_code in rows:
        if municipality_type and municipality_type not in MunicipalityType.values:
            raise ValueError(f"Unknown municipality type {municipality_type!r} for {code}")
        Recipient.objects.update_or_create(
            code=code,
            defaults={
                "name_ja": item["name_ja"],
                "name_kana": item.get("name_kana", ""),
                "name_en": item["name_en"],
                "kind": kind,
                "municipality_type": municipality_type,
                "prefecture_code": prefecture_code,
                "addressee_ja": item["addressee_ja"],
            },
        )
    return len(rows)


@transaction.atomic
def users_load(*, password: str) -> list[str]:
    """Demo users of every role; their password is the one given (DEMO_PASSWORD).

    Staff (supervisors and the administrator) use the admin site; nobody is a
    superuser, who would hold every permission and so could take every step.
    """
    user_model = get_user_model()
    groups = {role: role_group(role) for role in Role.values}
    for username, (role, scopes, name) in DEMO_USERS.items():
        user, _ = user_model.objects.get_or_create(username=username)
        user.first_name = name
        user.is_staff = role in (Role.ADMINISTRATOR, Role.SUPERVISOR)
        user.is_superuser = False
        user.set_password(password)
        user.save()
        user.groups.set([groups[role]])
        Scope.objects.filter(user=user).delete()
        Scope.objects.bulk_create(
            [Scope(user=user, stream=s, prefecture_code=p) for s, codes in scopes.items() for p in codes]
        )
    return list(DEMO_USERS)


def fiscal_years_load(years: range) -> None:
    for year in years:
        FiscalYear.objects.get_or_create(year=year)


def procedure_years_load() -> None:
    """Which procedures start with a pre-consultation: FY2025's initial grant (new that year), FY2023's change grant."""
    for year, procedure in ((2025, "initial_grant"), (2026, "initial_grant"), (2023, "change_grant")):
        ProcedureYear.objects.update_or_create(
            fiscal_year_id=year,
            stream=Stream.COMMUNITY_SUPPORT_GRANT,
            part="",
            procedure=procedure,
            defaults={"pre_consultation": True},
        )
