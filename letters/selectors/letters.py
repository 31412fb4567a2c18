"""Letter reads, scoped: a user sees the letters of the cases they may read; PDFs and batch downloads."""

from datetime import datetime

from django.db.models import Q, QuerySet

from grants.access import READ_CASE, authorize, scope_q
from grants.errors import OutOfScope
from grants.models import Case
from grants.selectors import case_get_for_actor

from ..errors import LetterBatchNotFound, LetterNotFound, LetterNotRendered
from ..models import Letter, LetterBatch, LetterStatus
from ..pdf import LetterContent, render_batch, zip_pdfs


def letter_list_for_actor(*, actor, case_id: int | None = None) -> QuerySet[Letter]:
    """Letters of the cases the actor may read, newest first; for one case when ``case_id`` is given."""
    letters = Letter.objects.filter(scope_q(actor, via="case__")).select_related("recipient", "case", "batch")
    if case_id is not None:
        case = case_get_for_actor(actor=actor, case_id=case_id)
        # with the requests to its prefecture that cover it (経由), whose own case may be another municipality's
        letters = letters.filter(Q(case=case) | Q(covered_requests__case=case)).distinct()
    return letters.order_by("-issued_on", "-pk")


def act_letter_list_for_actor(*, actor, cases: list[Case], since: datetime) -> QuerySet[Letter]:
    """The letters ``actor``'s acts on ``cases`` issued since ``since`` and not yet in a batch (a bulk step's
    letters: its requests or its notices)."""
    return letter_list_for_actor(actor=actor).filter(
        case__in=cases, history_entry__isnull=False, created_by=actor, created_at__gte=since, batch__isnull=True
    )


def letter_get_for_actor(*, actor, letter_id: int) -> Letter:
    """One letter; LetterNotFound, or OutOfScope when its case is outside the actor's scope."""
    try:
        letter = Letter.objects.select_related("recipient").get(pk=letter_id)
    except (Letter.DoesNotExist, ValueError, TypeError):
        raise LetterNotFound(details={"letter": letter_id}) from None
    case_get_for_actor(actor=actor, case_id=letter.case_id)
    return letter


def payment_notice_batch_key(run_id: int) -> str:
    """The key of the batch that holds an executed payment run's payment notices (one batch per run)."""
    return f"payment_notices/{run_id}"


def payment_notice_batch_get_for_actor(*, actor, run_id: int) -> LetterBatch:
    """The batch of a payment run's notices, as ``letter_batch_get_for_actor`` gives it; 404 before they are issued."""
    batch = LetterBatch.objects.filter(key=payment_notice_batch_key(run_id)).values_list("pk", flat=True).first()
    if batch is None:
        raise LetterBatchNotFound(details={"run": run_id})
    return letter_batch_get_for_actor(actor=actor, batch_id=batch)


def letter_batch_get_for_actor(*, actor, batch_id: int) -> LetterBatch:
    """One batch whose every letter the actor may read (a partial batch would mislead): 404 or 403 otherwise."""
    authorize(actor, READ_CASE)
    try:
        batch = LetterBatch.objects.get(pk=batch_id)
    except (LetterBatch.DoesNotExist, ValueError, TypeError):
        raise LetterBatchNotFound(details={"batch": batch_id}) from None
    # A subquery, not ``exclude(scope)``: the scope of those who read everything is ``Q()``, and excluding it
    # excludes nothing, which refused them every batch.
    readable = Letter.objects.filter(scope_q(actor, via="case__")).values("pk")
    if batch.letters.exclude(pk__in=readable).exists():
        raise OutOfScope(details={"batch": batch_id})
    return batch


def letter_batch_letters(*, batch: LetterBatch) -> QuerySet[Letter]:
    """The letters of a batch in a stable order: by prefecture and recipient code."""
    return batch.letters.select_related("recipient").order_by("recipient__prefecture_code", "recipient__code", "pk")


def letter_content(letter: Letter) -> LetterContent:
    """Everything the letter prints: its wording fixed at issue, with its number and date."""
    return LetterContent(document_number=letter.document_number, issued_on=letter.issued_on, **letter.content)


def letter_pdf_read(*, letter: Letter) -> bytes:
    """The stored PDF of a letter; LetterNotRendered while the background task has not drawn it."""
    if letter.status != LetterStatus.RENDERED:
        raise LetterNotRendered(details={"letter": letter.pk})
    with letter.pdf.open("rb") as stored:
        return stored.read()


def _batch_letters_rendered(batch: LetterBatch) -> list[Letter]:
    """The batch's letters in order; LetterNotRendered while any still waits for its PDF (and its number)."""
    letters = list(letter_batch_letters(batch=batch))
    pending = [letter.pk for letter in letters if letter.status != LetterStatus.RENDERED]
    if pending:
        raise LetterNotRendered(details={"letters": pending})
    return letters


def letter_batch_pdf_read(*, batch: LetterBatch) -> bytes:
    """The batch's letters as one PDF, for printing in one go.

    Drawn from the letters' stored wording and numbers as one document, so
    the fonts are embedded once for the batch; each page looks as the letter's
    own stored PDF does (the same rendering code and content).
    """
    return render_batch([letter_content(letter) for letter in _batch_letters_rendered(batch)], title=batch.title)


def letter_batch_zip_read(*, batch: LetterBatch) -> bytes:
    """The batch's letters as a ZIP of their stored PDFs, one per recipient."""
    return zip_pdfs(
        [
            (f"{letter.recipient.code}_{letter.recipient.name_ja}.pdf".replace("/", "-"), letter_pdf_read(letter=letter))
            for letter in _batch_letters_rendered(batch)
        ]
    )


def letter_numbered(*, number: str, year: int) -> Letter | None:
    """The letter of calendar ``year`` that carries document number ``number`` (numbers name their day without the
    year), or None. No scope: it answers whether a number is free, for whoever gives one."""
    return Letter.objects.filter(document_number=number, issued_on__year=year).order_by("pk").first()
