"""Reads of the letters app, with scope applied where they concern cases."""

from .letters import (
    letter_batch_get_for_actor,
    letter_batch_letters,
    letter_batch_pdf_read,
    letter_batch_zip_read,
    letter_content,
    letter_get_for_actor,
    letter_list_for_actor,
    letter_numbered,
    letter_pdf_read,
    payment_notice_batch_get_for_actor,
    payment_notice_batch_key,
    act_letter_list_for_actor,
)
from .follow_ups import FollowUpOffer, follow_up_last_sent, follow_up_offer_for_actor, follow_up_refusal
from .reminders import ReminderCandidate, reminder_candidates

__all__ = [
    "FollowUpOffer",
    "follow_up_last_sent",
    "follow_up_offer_for_actor",
    "follow_up_refusal",
    "ReminderCandidate",
    "letter_batch_get_for_actor",
    "letter_batch_letters",
    "letter_batch_pdf_read",
    "letter_batch_zip_read",
    "letter_content",
    "letter_get_for_actor",
    "letter_list_for_actor",
    "letter_numbered",
    "letter_pdf_read",
    "payment_notice_batch_get_for_actor",
    "payment_notice_batch_key",
    "reminder_candidates",
    "act_letter_list_for_actor",
]
