from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LettersConfig(AppConfig):
    """Letters: wording, PDF rendering, batches, reminders (rules and sending), payment notices."""

    name = "letters"
    verbose_name = _("Letters")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from payments.signals import payment_run_executed, return_claim_issued
        from workflows.signals import case_page_sections, case_transition_recording, document_number_given, worklist_columns

        from . import checks  # noqa: F401  (registers the letter checks)
        from .receivers import (
            case_follow_up_section,
            case_letters_section,
            document_number_taken,
            letter_for_act,
            payment_notices_after_execute,
            return_order_with_claim,
            worklist_follow_up_column,
        )

        case_transition_recording.connect(letter_for_act, dispatch_uid="letters.letter_for_act")
        document_number_given.connect(document_number_taken, dispatch_uid="letters.document_number_taken")
        case_page_sections.connect(case_follow_up_section, dispatch_uid="letters.case_follow_up_section")
        case_page_sections.connect(case_letters_section, dispatch_uid="letters.case_letters_section")
        worklist_columns.connect(worklist_follow_up_column, dispatch_uid="letters.worklist_follow_up_column")
        payment_run_executed.connect(payment_notices_after_execute, dispatch_uid="letters.payment_notices")
        return_claim_issued.connect(return_order_with_claim, dispatch_uid="letters.return_order")
