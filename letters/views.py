"""Web pages of the letters app: a letter's PDF and a batch's PDF or ZIP (a waiting page until rendered)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.utils.http import content_disposition_header
from django.shortcuts import redirect
from django.views.decorators.http import require_safe

from grants.views import page
from web.views import domain_errors_as_pages

from .errors import LetterNotRendered
from .selectors import (
    letter_batch_get_for_actor,
    letter_batch_pdf_read,
    letter_batch_zip_read,
    letter_get_for_actor,
    letter_pdf_read,
    payment_notice_batch_get_for_actor,
)


@login_required
@require_safe
@domain_errors_as_pages
def letter_pdf(request, letter_id: int):
    """A letter's PDF, shown in the browser or (``?download=1``) saved as a file."""
    letter = letter_get_for_actor(actor=request.user, letter_id=letter_id)
    try:
        pdf = letter_pdf_read(letter=letter)
    except LetterNotRendered as exc:
        return page(request, "letters/letter_pending.html", {"letter": letter, "message": exc.message}, status=409)
    response = HttpResponse(pdf, content_type="application/pdf")
    # A Japanese document number needs RFC 6266's filename*=UTF-8''…; a bare filename="…" with it is
    # dropped by browsers, which then save the file under the address's last part (706.pdf).
    response["Content-Disposition"] = content_disposition_header(
        bool(request.GET.get("download")), f"{letter.document_number or f'letter-{letter.pk}'}.pdf"
    )
    return response


_BATCH_FILES = {
    "pdf": (letter_batch_pdf_read, "application/pdf"),
    "zip": (letter_batch_zip_read, "application/zip"),
}


@login_required
@require_safe
@domain_errors_as_pages
def letter_batch_file(request, batch_id: int, fmt: str):
    """A batch of letters as one PDF for printing or a ZIP of one PDF per recipient."""
    batch = letter_batch_get_for_actor(actor=request.user, batch_id=batch_id)
    read, content_type = _BATCH_FILES[fmt]
    try:
        body = read(batch=batch)
    except LetterNotRendered as exc:
        return page(request, "letters/letter_pending.html", {"letter": None, "batch": batch, "message": exc.message}, status=409)
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="letters-{batch.pk}.{fmt}"'
    return response


@login_required
@require_safe
@domain_errors_as_pages
def payment_run_notices(request, run_id: int):
    """An executed payment run's payment notices (支払通知), as the batch's one PDF for printing."""
    batch = payment_notice_batch_get_for_actor(actor=request.user, run_id=run_id)
    return redirect("letter-batch-pdf", batch.pk)
