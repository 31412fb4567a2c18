"""Master data and users for a demo install (used by ``manage.py load_demo``)."""

from django.contrib.auth import get_user_model
from django.db import transaction

from .catalogue import stream_codes
from .models import FiscalYear, Role, Scope, bureau_prefectures
from .roles import role_group

# The municipalities the demo gives cases to, of the bureau's ~450: the 103 the project shipped
# before it carried the national list (named in the bureau's documents).
DEMO_MUNICIPALITIES = (
    "082015", "082333", "082341", "082350",
    "092011", "092053", "092061", "092088", "092100", "092142", "093017", "093611", "093866",
    "104493", "104647",
    "111007", "112011", "112224", "112399", "112411",
    "121002", "122076", "122203", "122211", "122220", "122246",
    "131016", "131024", "131032", "131041", "131059", "131067", "131075", "131083", "131091", "131105",
    "131113", "131121", "131130", "131148", "131156", "131164", "131172", "131181", "131199", "131202",
    "131211", "131229", "131237", "132012", "132021", "132039", "132047", "132055", "132063", "132071",
    "132080", "132098", "132101", "132110", "132128", "132136", "132144", "132152", "132187", "132195",
    "132209", "132217", "132225", "132233", "132241", "132250", "132276", "132284", "132292", "133035",
    "133051", "133078", "133086",
    "141003", "141305", "141500", "142051", "142085", "142123", "142140", "143413",
    "151009", "152048", "152056", "152064", "152129", "152277",
    "192015", "192058", "192082", "192139", "193682",
    "202029", "202088", "202100", "203629", "204161",
)
EVERY_STREAM = "*"

DEMO_USERS = {
    # username: (role, {stream (EVERY_STREAM: each registered one): prefecture codes (None: all the bureau's)}
    # the user is limited to, name)
    "officer1": (Role.OFFICER, {EVERY_STREAM: None}, "担当者 一郎"),
    "officer2": (Role.OFFICER, {"community_support_grant": ("11", "12")}, "担当者 二郎"),
    "supervisor1": (Role.SUPERVISOR, {}, "係長 花子"),
    "supervisor2": (Role.SUPERVISOR, {}, "課長 太郎"),
    "auditor1": (Role.AUDITOR, {}, "監査 三郎"),
    "admin": (Role.ADMINISTRATOR, {}, "管理者"),
}


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
            [
                Scope(user=user, stream=stream, prefecture_code=code)
                for streams, codes in scopes.items()
                for stream in (stream_codes() if streams == EVERY_STREAM else [streams])
                for code in (bureau_prefectures() if codes is None else codes)
            ]
        )
    return list(DEMO_USERS)


def fiscal_years_load(years: range) -> None:
    for year in years:
        FiscalYear.objects.get_or_create(year=year)
