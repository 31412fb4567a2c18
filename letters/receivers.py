"""How letters follow the acts of other apps: Django signals they send, received here (``LettersConfig.ready``).

- ``workflows.signals.case_transition_recording``: the letter the act's step
  declares (``ActLetter``: 依頼 for a request, 通知 for a notice, or none),
  described by the act's record and stored under it; its PDF is drawn after commit.
- ``workflows.signals.case_page_sections``: the renewed request (再依頼) an overdue case may be sent, and
  the case's letters, on the case page.
- ``workflows.signals.worklist_columns``: when the last reminder or renewed request went out, per case.
- ``payments.signals.payment_run_executed``: the run's payment notices.
- ``payments.signals.return_claim_issued``: the return order (返還命令), inside the act.
"""

import logging

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from calendars.eras import day_text
from web.errors import InvalidInput
from workflows.signals import ActAddition, ListColumn, PageSection

from .letter_texts import recorded_later_note
from .selectors import follow_up_last_sent, follow_up_offer_for_actor, letter_list_for_actor, letter_numbered
from .services.letters import (
    drain_ready_query,
    letter_for_step,
    letter_stored_with_act,
    letter_particulars,
    letters_issue_with_acts,
    return_order_issue,
)
from .services.payment_notices import payment_notices_issue

logger = logging.getLogger(__name__)


def letter_for_act(
    sender, *, case, letter, actor, fields, on, determination, recorded_later=False, recorded_on=None, bulk=False,
    **kwargs,
) -> ActAddition | None:
    """The letter a case's act sends, for its record to describe and to be stored under that record.

    A past act entered later sends its letter as of the act's day, marked as recorded later: in its
    basis, and on the letter by a closing line naming both days (``letter_texts.recorded_later_note``).
    A single request whose papers travel through the prefecture is itself the prefecture's request: it is
    addressed to the prefecture's division head and names the municipality with its deadline. A bulk step
    marks its letters (``basis["bulk"]``) and then sends each prefecture one covering request listing the
    municipalities it asked (``services.covering``)."""
    sent = letter_for_step(case=case, letter=letter, actor=actor, fields=fields, on=on, determination=determination)
    if sent is None:
        return None
    if bulk:
        sent.basis = {**sent.basis, "bulk": True}
    if recorded_later:
        sent.basis = {**sent.basis, "recorded_later": True}
        sent.content = {**sent.content, "recorded_note": recorded_later_note(act_on=on, recorded_on=recorded_on)}

    def stored(entry, **found):
        letter_stored_with_act(sent, **({"ready": found["found"]} if found else {}))

    # The service stores the letter with the act's record, and on PostgreSQL finds (and locks) the READY drain
    # that will draw it in the same statement; a bulk step's acts store theirs a chunk at a time.
    return ActAddition(
        record={"letter": letter_particulars(sent)}, with_record=stored, with_records=letters_with_acts, item=sent,
        row=sent, record_field="history_entry", query=None if bulk else drain_ready_query(),
    )


def document_number_taken(sender, *, number: str, on, **kwargs) -> None:
    """A number the officer gave a letter of day ``on`` is refused when another letter of that year has it (a
    number names its day without the year)."""
    taken = letter_numbered(number=number, year=on.year)
    if taken is not None:
        message = _("%(number)s is already the number of another letter (%(subject)s, %(day)s).") % {
            "number": number, "subject": taken.subject, "day": day_text(taken.issued_on),
        }
        raise InvalidInput(str(message), details={"document_number": [str(message)]})


def letters_with_acts(pairs: list[tuple[ActAddition, object]]) -> None:
    """Store the letters of a bulk step's chunk of acts, each under its act's record (``letters_issue_with_acts``)."""
    letters_issue_with_acts([(addition.item, entry) for addition, entry in pairs])


def case_follow_up_section(sender, *, case, actor, **kwargs) -> PageSection | None:
    """The case page's renewed request (再依頼): offered on an overdue case the actor acts on, greyed with the
    reason on other cases that owe papers, absent on cases that owe none."""
    offer = follow_up_offer_for_actor(case=case, actor=actor, today=timezone.localdate())
    if offer is None:
        return None
    return PageSection("letters/case_follow_up.html", {"case": case, "offer": offer})


def case_letters_section(sender, *, case, actor, **kwargs) -> PageSection:
    """The case page's list of the case's letters, with links to their PDFs."""
    return PageSection("letters/case_letters.html", {"letters": letter_list_for_actor(actor=actor, case_id=case.pk)})


def worklist_follow_up_column(sender, *, cases, actor, **kwargs) -> ListColumn:
    """The worklist's column of the day the last reminder, overdue demand or renewed request went out."""
    return ListColumn(
        _("Last reminder"), "letters/worklist_follow_up.html", follow_up_last_sent(case_ids=[case.pk for case in cases])
    )


def payment_notices_after_execute(sender, *, run_id: int, **kwargs) -> None:
    """Issue an executed run's payment notices.

    The money has moved by then, so a failure here must not look like a
    failed execution to whoever executed the run: it is logged, and calling
    ``payment_notices_issue`` for the run again issues what is missing.
    """
    try:
        payment_notices_issue(run_id=run_id)
    except Exception:
        logger.exception("Payment notices of payment run %s were not issued", run_id)


def return_order_with_claim(sender, *, claim, actor, **kwargs) -> None:
    """Issue the return order of a claim inside the act that ordered it (a failure rolls the act back)."""
    return_order_issue(claim=claim, actor=actor)
