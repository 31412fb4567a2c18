"""The inquiry register's writes and reads: a question recorded and answered, each in one transaction
with its history record; every refusal writes nothing; officers write within their scope, auditors
read, an officer of another prefecture sees nothing; business days count closure days out."""

from datetime import date

import pytest
from django.utils import translation

from calendars.business_days import business_days_between
from calendars.models import ClosureDay
from grants.errors import OutOfScope
from grants.history import history_verify
from grants.models import HistoryEntry, Recipient, RecipientKind
from inquiries.errors import InquiryAlreadyAnswered, InquiryNotFound
from inquiries.models import Inquiry
from inquiries.selectors import inquiry_get_for_actor, inquiry_list_for_actor, inquiry_open_count_for_actor
from inquiries.services import inquiry_answer, inquiry_record
from tests import factories as f
from tests.factories import Stream
from web.errors import InvalidInput, PermissionDenied

pytestmark = pytest.mark.django_db

CSG = Stream.COMMUNITY_SUPPORT_GRANT
FUND = Stream.MEDICAL_CARE_FUND


@pytest.fixture(autouse=True)
def _today(today):
    today(date(2025, 9, 1))


@pytest.fixture
def officer():
    f.municipality()  # 川越市, Saitama
    return f.officer(username="tanaka", prefectures=("11",))


def ask(actor, **given):
    arguments = {"received_on": date(2025, 8, 1), "asker": "112011", "stream": CSG, "question": "対象経費に備品は含まれますか。"}
    return inquiry_record(actor=actor, **(arguments | given))


def nothing_written(before: int) -> bool:
    return Inquiry.objects.count() == 0 and HistoryEntry.objects.count() == before


def test_a_question_is_recorded_with_its_history_record(officer):
    inquiry = ask(officer, procedure="initial_grant")
    assert (inquiry.asker.code, inquiry.stream, inquiry.procedure, inquiry.status) == ("112011", CSG, "initial_grant", "open")
    entry = HistoryEntry.objects.get(subject_type="inquiry", subject_id=str(inquiry.pk))
    assert entry.action == "inquiry_record" and entry.recipient == inquiry.asker and entry.stream == CSG
    assert entry.fiscal_year == 2025 and entry.data["question"] == "対象経費に備品は含まれますか。"
    assert history_verify().ok


def test_an_answer_is_recorded_once_with_the_business_days_it_took(officer):
    inquiry = ask(officer)  # Friday 2025-08-01
    answered = inquiry_answer(actor=officer, inquiry_id=inquiry.pk, answer="含まれます。", answered_on=date(2025, 8, 5))
    assert (answered.status, answered.answered_by, answered.business_days) == ("answered", officer, 2)
    entry = HistoryEntry.objects.get(action="inquiry_answer")
    assert entry.data == {"answered_on": "2025-08-05", "answer": "含まれます。", "business_days": 2}
    with pytest.raises(InquiryAlreadyAnswered):
        inquiry_answer(actor=officer, inquiry_id=inquiry.pk, answer="別の答え", answered_on=date(2025, 8, 6))
    inquiry.refresh_from_db()
    assert inquiry.answer == "含まれます。" and HistoryEntry.objects.filter(action="inquiry_answer").count() == 1


def test_business_days_leave_out_weekends_holidays_and_closure_days(officer):
    # Friday 2025-09-12 to Wednesday 2025-09-17: Monday the 15th is 敬老の日, Tuesday the 16th a closure day.
    ClosureDay.objects.create(day=date(2025, 9, 16), reason="臨時休庁")
    assert business_days_between(date(2025, 9, 12), date(2025, 9, 17)) == 1
    assert business_days_between(date(2025, 9, 12), date(2025, 9, 12)) == 0
    inquiry = ask(officer, received_on=date(2025, 8, 29))
    ClosureDay.objects.create(day=date(2025, 9, 1), reason="臨時休庁")
    answered = inquiry_answer(actor=officer, inquiry_id=inquiry.pk, answer="回答", answered_on=date(2025, 9, 1))
    assert answered.business_days == 0  # Friday to a Monday the bureau was closed


@pytest.mark.parametrize(
    "given, field, message",
    [
        ({"received_on": date(2025, 9, 2)}, "received_on", "Cannot be a day in the future."),
        ({"question": "  "}, "question", "Required."),
        ({"asker": "999999"}, "asker", "Unknown recipient code '999999'."),
        ({"asker": "112012"}, "asker", "112012 has a wrong check digit: a municipality code starting 11201 ends in 1."),
        ({"stream": "no_such_stream"}, "stream", "Unknown stream 'no_such_stream'."),
        ({"stream": ""}, "stream", "Choose the stream the question is about, or give its case."),
        ({"procedure": "no_such_procedure"}, "procedure", "has no procedure 'no_such_procedure'."),
    ],
)
def test_a_question_that_breaks_a_rule_is_refused_and_nothing_is_written(officer, given, field, message):
    before = HistoryEntry.objects.count()
    with translation.override("en"), pytest.raises(InvalidInput) as raised:
        ask(officer, **given)
    assert message in str(raised.value.details[field][0])
    assert nothing_written(before)


def test_a_wide_area_union_or_a_body_outside_the_bureau_does_not_ask(officer):
    f.union("11")
    f.municipality("131016", "千代田区", "13")
    before = HistoryEntry.objects.count()
    with translation.override("en"):
        with pytest.raises(InvalidInput) as raised:
            ask(officer, asker="11-wau")
        assert raised.value.details["asker"] == ["Only a prefecture or a municipality asks an inquiry."]
    assert nothing_written(before)


def test_a_case_named_must_be_of_the_askers_prefecture_and_gives_its_stream_and_procedure(officer):
    case = f.case(actor=officer, recipient=f.municipality())
    f.municipality("122033", "市川市", "12")
    other = f.officer(prefectures=("11", "12"))
    before = HistoryEntry.objects.count()
    with translation.override("en"):
        with pytest.raises(InvalidInput) as raised:
            ask(other, asker="122033", case_id=case.pk)
        assert raised.value.details["case"] == ["The case is of another prefecture than the asker."]
        with pytest.raises(InvalidInput) as raised:
            ask(other, case_id=case.pk, stream=FUND)
        assert raised.value.details["case"] == ["The case is of another stream or procedure."]
    assert Inquiry.objects.count() == 0 and HistoryEntry.objects.count() == before
    inquiry = ask(officer, asker=f.prefecture("11").code, case_id=case.pk, stream="")
    assert (inquiry.case, inquiry.stream, inquiry.procedure) == (case, case.stream, case.procedure)


def test_a_case_number_that_is_not_there_or_not_readable_is_a_mistake_in_the_case_field(officer):
    """An unknown case number, or one of a stream the officer does not hold, is what the person typed wrong: an error on the
    question's ``case`` field (422), not a missing page, and nothing is written."""
    fund_case = f.case(actor=f.officer(streams=[FUND], prefectures=("11",)), stream=FUND, part="facilities", procedure="demand_survey")
    before = HistoryEntry.objects.count()
    with translation.override("en"):
        with pytest.raises(InvalidInput) as raised:
            ask(officer, case_id=999999)
        assert raised.value.details == {"case": ["There is no case number 999999."]}
        with pytest.raises(InvalidInput) as raised:
            ask(f.officer(streams=[CSG], prefectures=("11",)), case_id=fund_case.pk)
        assert raised.value.details == {
            "case": [f"Case number {fund_case.pk} is outside the streams and prefectures assigned to you."]
        }
    assert nothing_written(before)


def test_only_officers_write_and_only_in_their_scope(officer):
    auditor, tokyo = f.auditor(), f.officer(prefectures=("13",))
    before = HistoryEntry.objects.count()
    with pytest.raises(PermissionDenied) as raised:
        ask(auditor)
    assert raised.value.details == {"permission_required": "inquiries.record_inquiry"}
    with pytest.raises(OutOfScope):
        ask(tokyo)
    with pytest.raises(OutOfScope):
        ask(f.officer(streams=[FUND], prefectures=("11",)))  # Saitama, but another stream
    assert nothing_written(before)
    inquiry = ask(officer)
    before = HistoryEntry.objects.count()
    with pytest.raises(PermissionDenied):
        inquiry_answer(actor=auditor, inquiry_id=inquiry.pk, answer="回答", answered_on=date(2025, 8, 2))
    with pytest.raises(InquiryNotFound):
        inquiry_answer(actor=tokyo, inquiry_id=inquiry.pk, answer="回答", answered_on=date(2025, 8, 2))
    inquiry.refresh_from_db()
    assert inquiry.answered_on is None and HistoryEntry.objects.count() == before


@pytest.mark.parametrize(
    "answer, answered_on, field",
    [("", date(2025, 8, 4), "answer"), ("回答", date(2025, 7, 31), "answered_on"), ("回答", date(2025, 9, 2), "answered_on")],
)
def test_an_answer_that_breaks_a_rule_is_refused_and_nothing_is_written(officer, answer, answered_on, field):
    inquiry = ask(officer)
    before = HistoryEntry.objects.count()
    with pytest.raises(InvalidInput) as raised:
        inquiry_answer(actor=officer, inquiry_id=inquiry.pk, answer=answer, answered_on=answered_on)
    assert set(raised.value.details) == {field}
    inquiry.refresh_from_db()
    assert inquiry.answered_on is None and inquiry.answer == "" and HistoryEntry.objects.count() == before


def test_readers_see_the_inquiries_of_their_scope_only(officer):
    f.municipality("131016", "千代田区", "13")
    saitama = ask(officer)
    tokyo_officer = f.officer(prefectures=("13",))
    tokyo = ask(tokyo_officer, asker="131016")
    assert list(inquiry_list_for_actor(actor=officer)) == [saitama]
    assert list(inquiry_list_for_actor(actor=tokyo_officer)) == [tokyo]
    assert set(inquiry_list_for_actor(actor=f.auditor())) == {saitama, tokyo}
    with pytest.raises(InquiryNotFound):
        inquiry_get_for_actor(actor=tokyo_officer, inquiry_id=saitama.pk)
    assert inquiry_open_count_for_actor(actor=officer) == 1
    assert inquiry_open_count_for_actor(actor=f.auditor()) is None  # auditors answer nothing


def test_the_register_is_searched_by_text_asker_stream_and_status(officer):
    f.town(1)
    first = ask(officer)
    second = ask(officer, asker=f.town(1).code, stream=FUND, question="基金の過年度精算について")
    inquiry_answer(actor=officer, inquiry_id=second.pk, answer="精算できます。", answered_on=date(2025, 8, 4))
    found = lambda **filters: list(inquiry_list_for_actor(actor=officer, **filters))  # noqa: E731
    assert found(search="備品") == [first] and found(search="精算できます") == [second]
    assert found(asker="川越") == [first] and found(asker="町1") == [second]
    assert found(stream=FUND) == [second] and found(status="open") == [first] and found(status="answered") == [second]


def kana(recipient, reading: str):
    recipient.name_kana = reading
    recipient.save(update_fields=["name_kana"])
    return recipient


def kawagoe_in_mie():
    """川越町 of Mie, on the national list: the bureau does not serve it."""
    return Recipient.objects.create(
        code="243418", name_ja="川越町", name_en="243418", name_kana="カワゴエチョウ", kind=RecipientKind.MUNICIPALITY,
        municipality_type="town", prefecture_code="24", addressee_ja="川越町長　殿",
    )


def test_the_asker_is_found_by_its_name_or_reading_as_the_recipients_search_finds_it(officer):
    kawagoe = kana(f.municipality(), "カワゴエシ")
    kawagoe_in_mie()
    saitama = kana(f.municipality("111007", "さいたま市", "11"), "サイタマシ")
    kana(f.municipality("111015", "さいたま市西区", "11"), "サイタマシニシク")
    assert ask(officer, asker="かわごえ").asker == kawagoe
    assert ask(officer, asker="ｶﾜｺﾞｴｼ").asker == kawagoe
    assert ask(officer, asker=" 川越市 ").asker == kawagoe
    assert ask(officer, asker="さいたま市").asker == saitama  # named so exactly, beside its wards


def test_a_code_typed_in_full_width_digits_or_a_former_code_finds_the_asker(officer):
    kawagoe = Recipient.objects.get(code="112011")
    assert ask(officer, asker="１１２０１１").asker == kawagoe  # as a Japanese keyboard types it
    Recipient.objects.filter(pk=kawagoe.pk).update(former_code="11-kawagoe")  # the code it had before the official one
    assert ask(officer, asker="11-kawagoe").asker == kawagoe


@pytest.mark.parametrize(
    "typed, message",
    [
        ("さいたま", "さいたま names several: Prefecture 11 (11)、111007 (111007)、111015 (111015). Give the code."),
        ("どこにもない", "No prefecture or municipality is named どこにもない."),
        ("川越町", "川越町 (243418) is not a local government this bureau serves."),
    ],
)
def test_an_asker_named_ambiguously_or_not_at_all_is_refused_and_nothing_is_written(officer, typed, message):
    kana(f.prefecture("11"), "サイタマケン")
    kana(f.municipality("111007", "さいたま市", "11"), "サイタマシ")
    kana(f.municipality("111015", "さいたま市西区", "11"), "サイタマシニシク")
    kawagoe_in_mie()
    before = HistoryEntry.objects.count()
    with translation.override("en"), pytest.raises(InvalidInput) as raised:
        ask(officer, asker=typed)
    assert raised.value.details["asker"] == [message]
    assert nothing_written(before)
