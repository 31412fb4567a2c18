"""factory_boy factories for the domain; every test builds its own data."""

import factory
from django.contrib.auth import get_user_model

from grants.catalogue import stream_codes
from grants.local_governments import check_digit
from grants.models import BudgetNotice, Case, FiscalYear, ProcedureYear, Recipient, RecipientKind, Role, Scope
from grants.roles import role_group
from workflows.flows import community_support_grant, medical_care_fund, special_adjustment_grant


class Stream:
    """The codes of the shipped streams, as their modules in ``workflows/flows/`` register them."""

    COMMUNITY_SUPPORT_GRANT = community_support_grant.STREAM.code
    MEDICAL_CARE_FUND = medical_care_fund.STREAM.code
    SPECIAL_ADJUSTMENT_GRANT = special_adjustment_grant.STREAM.code


PREFECTURES = {
    "08": "茨城県", "09": "栃木県", "10": "群馬県", "11": "埼玉県", "12": "千葉県",
    "13": "東京都", "14": "神奈川県", "15": "新潟県", "19": "山梨県", "20": "長野県",
}


def fiscal_year(year: int) -> FiscalYear:
    return FiscalYear.objects.get_or_create(year=year)[0]


def prefecture(code: str = "11") -> Recipient:
    return Recipient.objects.get_or_create(
        code=code,
        defaults=dict(
            name_ja=PREFECTURES[code],
            name_en=f"Prefecture {code}",
            kind=RecipientKind.PREFECTURE,
            prefecture_code=code,
            addressee_ja=f"{PREFECTURES[code]}福祉部長　殿",
        ),
    )[0]


def municipality_code(number: int, prefecture_code: str = "11") -> str:
    """A well-formed six-digit municipality code: the prefecture, ``number`` (0-999) and the check digit."""
    first_five = f"{prefecture_code}{number:03d}"
    return f"{first_five}{check_digit(first_five)}"


def municipality(code: str = "112011", name: str = "川越市", prefecture_code: str = "11") -> Recipient:
    """A municipality by its official code (default 112011 川越市)."""
    prefecture(prefecture_code)
    return Recipient.objects.get_or_create(
        code=code,
        defaults=dict(
            name_ja=name, name_en=code, kind=RecipientKind.MUNICIPALITY, municipality_type="city",
            prefecture_code=prefecture_code, addressee_ja=f"{name}長　殿",
        ),
    )[0]


def town(number: int, prefecture_code: str = "11") -> Recipient:
    """The ``number``-th made-up town of a prefecture (町0, 町1, ...), coded 300 + ``number`` (0-699)."""
    return municipality(municipality_code(300 + number, prefecture_code), f"町{number}", prefecture_code)


def union(prefecture_code: str = "11") -> Recipient:
    prefecture(prefecture_code)
    name = f"{PREFECTURES[prefecture_code]}後期高齢者医療広域連合"
    return Recipient.objects.get_or_create(
        code=f"{prefecture_code}-wau",
        defaults=dict(
            name_ja=name, name_en=f"union {prefecture_code}", kind=RecipientKind.WIDE_AREA_UNION,
            prefecture_code=prefecture_code, addressee_ja=f"{name}長　殿",
        ),
    )[0]


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.PostGenerationMethodCall("set_password", "pw-for-tests-123")

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if extracted:  # a standard role's group with its permissions (re-made when a test emptied the database)
            self.groups.add(role_group(extracted))
        self.save()


def officer(streams=None, prefectures=("11", "12"), **kwargs):
    """An officer of ``streams`` (default: every registered stream) in ``prefectures``."""
    user = UserFactory(role=Role.OFFICER, **kwargs)
    Scope.objects.bulk_create(
        [Scope(user=user, stream=s, prefecture_code=p) for s in streams or stream_codes() for p in prefectures]
    )
    return user


def supervisor(**kwargs):
    return UserFactory(role=Role.SUPERVISOR, **kwargs)


def auditor(**kwargs):
    return UserFactory(role=Role.AUDITOR, **kwargs)


def budget_notice(year: int, stream: str, part: str = "", amount: int = 10**12, by=None) -> BudgetNotice:
    return BudgetNotice.objects.create(
        fiscal_year=fiscal_year(year), stream=stream, part=part, amount=amount,
        received_on="2025-04-01", reference="老発0401第1号", recorded_by=by or supervisor(),
    )


def pre_consultation(year: int, stream: str, procedure: str, part: str = "", **definition) -> None:
    """The year's definition of the procedure starts with a pre-consultation (and says what else is given)."""
    define(year, stream, procedure, part, **{"pre_consultation": True, "informal_notice": "after_consultation", **definition})


def define(year: int, stream: str, procedure: str, part: str = "", **definition) -> None:
    """The year's definition of the procedure, as the schedule's sync would write it."""
    from grants.procedures import definition_full

    ProcedureYear.objects.update_or_create(
        fiscal_year=fiscal_year(year), stream=stream, part=part, procedure=procedure,
        defaults={"definition": definition_full(stream, procedure, definition)},
    )


def case(*, actor, year=2025, stream=Stream.COMMUNITY_SUPPORT_GRANT, part="", procedure="initial_grant",
         recipient=None, settles=None) -> Case:
    from grants.services import case_create

    fiscal_year(year)
    if recipient is None:
        recipient = {Stream.SPECIAL_ADJUSTMENT_GRANT: union, Stream.MEDICAL_CARE_FUND: prefecture}.get(
            stream, municipality
        )()
    return case_create(actor=actor, fiscal_year=year, stream=stream, part=part, procedure=procedure,
                       recipient_code=recipient.code, settles_fiscal_year=settles)
