"""Writes of the letters app: letters, reminder rules, reminders and payment notices."""

from ..letter_texts import LetterWording
from .addressees import recipient_addressee_save
from .covering import bulk_covering_letters_issue, covering_letters_issue
from .follow_ups import FOLLOW_UP_ACTION, follow_up_send
from .letters import (
    ACT_LETTERS,
    act_letter_wording_missing,
    letter_batch_create,
    letter_for_step,
    letter_issue,
    letter_stored_with_act,
    letter_particulars,
    letter_render,
    letters_drain,
    letters_drain_queue,
)
from .payment_notices import payment_notices_issue
from .reminder_rules import reminder_rule_delete, reminder_rule_save
from .reminders import reminder_issue

__all__ = [
    "ACT_LETTERS",
    "bulk_covering_letters_issue",
    "covering_letters_issue",
    "FOLLOW_UP_ACTION",
    "follow_up_send",
    "LetterWording",
    "act_letter_wording_missing",
    "letter_batch_create",
    "letter_for_step",
    "letter_issue",
    "letter_stored_with_act",
    "letter_particulars",
    "letter_render",
    "letters_drain",
    "letters_drain_queue",
    "payment_notices_issue",
    "reminder_issue",
    "reminder_rule_delete",
    "reminder_rule_save",
    "recipient_addressee_save",
]
