"""Reads of the inquiry register, with the reader's scope applied (``grants.access.scope_q``).

An inquiry lies in the scope of its stream and its asker's prefecture: an
officer of Saitama's community support grant reads the questions Saitama and
its municipalities asked about that grant; auditors and supervisors read all.
"""

from django.db.models import Q, QuerySet

from grants.access import READ_CASE, authorize, may, scope_q
from grants.selectors import recipients_matching

from .errors import InquiryNotFound
from .models import Inquiry, InquiryStatus

RECORD = "inquiries.record_inquiry"


def _in_scope(actor, permission: str = READ_CASE) -> Q:
    return scope_q(actor, permission, prefecture="asker__prefecture_code")


def inquiry_list_for_actor(
    *,
    actor,
    search: str | None = None,
    asker: str | None = None,
    stream: str | None = None,
    procedure: str | None = None,
    status: str | None = None,
    case: int | None = None,
) -> QuerySet[Inquiry]:
    """The inquiries ``actor`` may read, newest received first, filtered.

    ``search`` finds text in the question or the answer; ``asker`` is what a person typed
    of the asker (name, reading or code, ``grants.selectors.recipient_search_q``);
    ``status`` is ``open`` or ``answered``.
    """
    inquiries = Inquiry.objects.filter(_in_scope(actor)).select_related("asker", "case", "recorded_by", "answered_by")
    if search:
        inquiries = inquiries.filter(Q(question__icontains=search) | Q(answer__icontains=search))
    if asker:
        inquiries = inquiries.filter(asker__in=recipients_matching(asker))
    if stream:
        inquiries = inquiries.filter(stream=stream)
    if procedure:
        inquiries = inquiries.filter(procedure=procedure)
    if status == InquiryStatus.OPEN:
        inquiries = inquiries.filter(answered_on__isnull=True)
    elif status == InquiryStatus.ANSWERED:
        inquiries = inquiries.filter(answered_on__isnull=False)
    if case is not None:
        inquiries = inquiries.filter(case_id=case)
    return inquiries.order_by("-received_on", "-pk")


def inquiry_get_for_actor(*, actor, inquiry_id: int, lock: bool = False) -> Inquiry:
    """One inquiry ``actor`` may read (InquiryNotFound otherwise, out of scope included: its existence
    is not told); ``lock`` row-locks it inside a write's transaction."""
    authorize(actor, READ_CASE)
    inquiries = Inquiry.objects.filter(_in_scope(actor)).select_related("asker", "case", "recorded_by", "answered_by")
    if lock:
        inquiries = inquiries.select_for_update(of=("self",))
    try:
        return inquiries.get(pk=inquiry_id)
    except (Inquiry.DoesNotExist, ValueError, TypeError):
        raise InquiryNotFound(details={"inquiry": inquiry_id}) from None


def inquiry_open_count_for_actor(*, actor) -> int | None:
    """How many open inquiries ``actor`` may answer (the worklist's "needs me"); None for those who answer none."""
    if not may(actor, RECORD):
        return None
    return Inquiry.objects.filter(_in_scope(actor, RECORD), answered_on__isnull=True).count()


def inquiry_may_record(*, actor) -> bool:
    """Whether ``actor`` records inquiries and answers (within their scope)."""
    return may(actor, RECORD)
