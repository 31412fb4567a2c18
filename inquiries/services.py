"""Writes on the inquiry register: record a question, record its answer.

Each is one transaction with its history record (``grants.history``); a
refused write raises before anything is written. Only those who hold
``inquiries.record_inquiry`` (officers) write, within their scope.
"""

from datetime import date

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from calendars.business_days import business_days_between
from calendars.fiscal import fiscal_year_of
from grants.access import authorize
from grants.catalogue import procedure_get, stream_get
from grants.errors import CaseNotFound, OutOfScope
from grants.history import history_append
from grants.limits import EARLIEST_DATE
from grants.models import Case, Recipient, RecipientKind
from grants.recipients import check_digit_problem
from grants.local_governments import search_kana, search_text
from grants.selectors import case_get_for_actor, recipients_matching
from web.errors import InvalidInput

from .errors import InquiryAlreadyAnswered
from .models import Inquiry
from .selectors import RECORD, inquiry_get_for_actor

ASKER_KINDS = (RecipientKind.PREFECTURE, RecipientKind.MUNICIPALITY)
MAX_CANDIDATES = 5  # an asker's name that matches several: how many the message names
MAX_TEXT = 10_000


def _asker(typed: str) -> Recipient:
    """A prefecture or municipality the bureau serves, by its code or by what names it alone: its name or
    reading, as the recipients search reads them (``grants.selectors.recipient_search_q``); where several
    match, the one so named exactly. InvalidInput otherwise, naming the candidates when there are several."""
    typed = (typed or "").strip()
    code = search_text(typed)  # full-width digits typed for a code read as the code
    by_code = code and (Recipient.objects.filter(code=code).first() or Recipient.objects.filter(former_code=code).first())
    asker = by_code or _asker_by_name(typed)
    if asker.kind not in ASKER_KINDS:
        raise InvalidInput(details={"asker": [_("Only a prefecture or a municipality asks an inquiry.")]})
    if not asker.is_active:
        message = _("%(name)s (%(code)s) is not a local government this bureau serves.")
        raise InvalidInput(details={"asker": [message % {"name": asker.name_ja, "code": asker.code}]})
    return asker


def _asker_by_name(typed: str) -> Recipient:
    if not typed or search_text(typed).isdecimal():  # a code that is on no recipient: mistyped, or not on file
        wrong = check_digit_problem(search_text(typed)) if typed else None
        raise InvalidInput(details={"asker": [wrong or _("Unknown recipient code %(code)r.") % {"code": typed}]})
    matching = recipients_matching(typed).filter(kind__in=ASKER_KINDS).order_by("code")
    served = matching.active()
    name = search_text(typed)
    exactly = Q(name_ja__in={name, name.replace("ヶ", "ケ"), name.replace("ケ", "ヶ")}) | Q(name_kana=search_kana(typed))
    for found in (served.filter(exactly), served):
        hits = list(found[: MAX_CANDIDATES + 1])
        if len(hits) == 1:
            return hits[0]
        if hits and found is served:
            names = "、".join(f"{r.local_name} ({r.code})" for r in hits[:MAX_CANDIDATES])
            more = "…" if len(hits) > MAX_CANDIDATES else ""
            message = _("%(text)s names several: %(names)s%(more)s. Give the code.")
            raise InvalidInput(details={"asker": [message % {"text": typed, "names": names, "more": more}]})
    elsewhere = matching.first()  # one the bureau does not serve: the caller says so
    if elsewhere is None:
        raise InvalidInput(details={"asker": [_("No prefecture or municipality is named %(text)s.") % {"text": typed}]})
    return elsewhere


def _text(field: str, value: str) -> str:
    value = (value or "").strip()
    if not value:
        raise InvalidInput(details={field: [_("Required.")]})
    if len(value) > MAX_TEXT:
        raise InvalidInput(details={field: [_("At most %(most)s characters.") % {"most": MAX_TEXT}]})
    return value


def _day(field: str, value: date, *, not_before: date = EARLIEST_DATE) -> date:
    if value > timezone.localdate():
        raise InvalidInput(details={field: [_("Cannot be a day in the future.")]})
    if value < not_before:
        raise InvalidInput(details={field: [_("Cannot be before %(day)s.") % {"day": not_before.isoformat()}]})
    return value


def _case(actor, case_id: int) -> Case:
    """The case a question names, as a mistake in the question's ``case`` field when there is no such case or
    the actor may not read it: the person typed a number, the rest of what they typed stays on the form."""
    try:
        return case_get_for_actor(actor=actor, case_id=case_id)
    except CaseNotFound:
        message = _("There is no case number %(case)s.")
    except OutOfScope:
        message = _("Case number %(case)s is outside the streams and prefectures assigned to you.")
    raise InvalidInput(details={"case": [message % {"case": case_id}]})


def _subject(actor, *, asker: Recipient, stream: str, procedure: str, case_id: int | None) -> tuple[str, str, Case | None]:
    """The stream, procedure and case the question is about, checked against each other and the asker."""
    case = None
    if case_id is not None:
        case = _case(actor, case_id)
        if case.recipient.prefecture_code != asker.prefecture_code:
            raise InvalidInput(details={"case": [_("The case is of another prefecture than the asker.")]})
        if stream and stream != case.stream or procedure and procedure != case.procedure:
            raise InvalidInput(details={"case": [_("The case is of another stream or procedure.")]})
        stream, procedure = case.stream, case.procedure
    if not stream:
        raise InvalidInput(details={"stream": [_("Choose the stream the question is about, or give its case.")]})
    if stream_get(stream) is None:
        raise InvalidInput(details={"stream": [_("Unknown stream %(stream)r.") % {"stream": stream}]})
    if procedure and procedure_get(stream, procedure) is None:
        raise InvalidInput(
            details={"procedure": [_("%(stream)s has no procedure %(procedure)r.") % {"stream": stream, "procedure": procedure}]}
        )
    return stream, procedure or "", case


@transaction.atomic
def inquiry_record(
    *,
    actor,
    received_on: date,
    asker: str,
    question: str,
    stream: str = "",
    procedure: str = "",
    case_id: int | None = None,
) -> Inquiry:
    """Record a question a prefecture or municipality asked (``inquiries.record_inquiry``, within the
    actor's scope of its stream and the asker's prefecture). ``asker`` is its code, or its name or reading
    as a person typed it (``_asker``). With a case, the stream and procedure are
    the case's, and the case is of the asker's prefecture."""
    authorize(actor, RECORD)
    received_on = _day("received_on", received_on)
    question = _text("question", question)
    asker = _asker(asker)
    stream, procedure, case = _subject(actor, asker=asker, stream=stream, procedure=procedure, case_id=case_id)
    authorize(actor, RECORD, stream=stream, prefecture=asker.prefecture_code)
    inquiry = Inquiry.objects.create(
        received_on=received_on, asker=asker, stream=stream, procedure=procedure, case=case,
        question=question, recorded_by=actor,
    )
    history_append(
        actor=actor,
        action="inquiry_record",
        subject_type="inquiry",
        subject_id=inquiry.pk,
        case=case,
        fiscal_year=None if case else fiscal_year_of(received_on),
        stream=stream,
        recipient=asker,
        data={"received_on": received_on.isoformat(), "procedure": procedure, "question": question},
    )
    return inquiry


@transaction.atomic
def inquiry_answer(*, actor, inquiry_id: int, answer: str, answered_on: date) -> Inquiry:
    """Record the answer to an open inquiry (``inquiries.record_inquiry``, within scope), once; the
    business days it took count from the day after it was received to the day answered, closure days
    (臨時休庁) left out."""
    authorize(actor, RECORD)
    inquiry = inquiry_get_for_actor(actor=actor, inquiry_id=inquiry_id, lock=True)
    authorize(actor, RECORD, stream=inquiry.stream, prefecture=inquiry.asker.prefecture_code)
    if inquiry.answered_on is not None:
        raise InquiryAlreadyAnswered(details={"inquiry": inquiry.pk, "answered_on": inquiry.answered_on.isoformat()})
    answer = _text("answer", answer)
    answered_on = _day("answered_on", answered_on, not_before=inquiry.received_on)
    inquiry.answer, inquiry.answered_on, inquiry.answered_by = answer, answered_on, actor
    inquiry.business_days = business_days_between(inquiry.received_on, answered_on)
    inquiry.save(update_fields=["answer", "answered_on", "answered_by", "business_days"])
    history_append(
        actor=actor,
        action="inquiry_answer",
        subject_type="inquiry",
        subject_id=inquiry.pk,
        case=inquiry.case,
        fiscal_year=None if inquiry.case else fiscal_year_of(inquiry.received_on),
        stream=inquiry.stream,
        recipient=inquiry.asker,
        data={"answered_on": answered_on.isoformat(), "answer": answer, "business_days": inquiry.business_days},
    )
    return inquiry
