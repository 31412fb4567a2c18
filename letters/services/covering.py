"""Requests to a prefecture for its municipalities (経由, docs/domain.md#routing-through-the-prefecture).

Where a stream routes a recipient's papers through its prefecture
(``grants.catalogue.routes_via_prefecture``), each request to such a
recipient is issued as today (one letter per case, addressed to the
prefecture's division head and naming the municipality), and the prefecture
also gets one covering request listing the municipalities asked in the same
act with each one's deadline: one per prefecture for a bulk request, one for
a single request. It is a letter like the others (kind ``covering_request``),
drawn by the same renderer; its ``case`` is the first case it covers and
``covers`` holds them all, so it shows on each of their pages and is read
within the same scope (the cases share the stream and the prefecture).
"""

from collections.abc import Iterable

from django.db import transaction
from django.utils.translation import gettext as _

from grants.catalogue import routes_via_prefecture
from grants.history import history_append
from grants.models import Case, CaseState, HistoryEntry, Recipient, RecipientKind

from ..letter_texts import covering_request_wording
from ..models import Letter, LetterBatch, LetterKind
from ..selectors import act_letter_list_for_actor
from .letters import SUBJECT, _letter_build, _letter_store, letter_batch_create, letter_particulars


def _routed_request(letter: Letter) -> bool:
    return letter.kind == LetterKind.REQUEST and routes_via_prefecture(letter.case.stream, letter.case.recipient.kind)


def covering_letters_build(*, letters: Iterable[Letter], actor) -> list[tuple[Letter, list[Case]]]:
    """The covering requests of these request letters (unsaved), each with the cases it covers: one per
    prefecture, fiscal year, stream, part, procedure and subject; none for letters whose papers are not routed."""
    groups: dict[tuple, list[Letter]] = {}
    for letter in letters:
        if not _routed_request(letter):
            continue
        case = letter.case
        key = (case.recipient.prefecture_code, case.fiscal_year_id, case.stream, case.part, case.procedure, letter.subject)
        groups.setdefault(key, []).append(letter)
    if not groups:
        return []
    prefectures = {
        prefecture.code: prefecture
        for prefecture in Recipient.objects.filter(kind=RecipientKind.PREFECTURE, code__in={key[0] for key in groups})
    }
    built = []
    for key in sorted(groups):
        prefecture = prefectures.get(key[0])
        if prefecture is None:  # master data without the prefecture: the per-municipality requests stand alone
            continue
        members = groups[key]
        cases = sorted((letter.case for letter in members), key=lambda case: case.recipient.code)
        first = cases[0]
        dated = [case for case in cases if case.deadline_effective]
        earliest = min(dated, key=lambda case: case.deadline_effective) if dated else None
        letter = _letter_build(
            case=first,
            kind=LetterKind.COVERING_REQUEST,
            actor=actor,
            recipient=prefecture,
            wording=covering_request_wording(cases, consultation=first.state == CaseState.CONSULTATION_REQUESTED),
            issued_on=min(letter.issued_on for letter in members),
            basis={"covers": [case.pk for case in cases]},
        )
        # The earliest deadline of those it lists (each municipality's own is printed beside its name).
        letter.deadline_stated = earliest.deadline_stated if earliest else None
        letter.deadline_effective = earliest.deadline_effective if earliest else None
        built.append((letter, cases))
    return built


def covering_letter_store(letter: Letter, cases: list[Case], *, history_entry: HistoryEntry | None = None) -> Letter:
    """Store a covering request from ``covering_letters_build`` (under the record of the act that sends it, if
    any) with the cases it covers; its PDF follows after commit."""
    letter.history_entry = history_entry
    _letter_store(letter)
    letter.covers.set(cases)
    return letter


@transaction.atomic
def covering_letters_issue(*, actor, letters: Iterable[Letter]) -> list[Letter]:
    """Issue the covering requests of request letters a bulk step issued: one per prefecture, each recorded."""
    issued = []
    for letter, cases in covering_letters_build(letters=letters, actor=actor):
        covering_letter_store(letter, cases)
        history_append(
            actor=actor,
            action="letter_issue",
            subject_type=SUBJECT,
            subject_id=letter.pk,
            fiscal_year=letter.case.fiscal_year_id,
            stream=letter.case.stream,
            recipient=letter.recipient,
            data={**letter_particulars(letter), "covers": [case.pk for case in cases], "trigger": None},
        )
        issued.append(letter)
    return issued


def bulk_covering_letters_issue(*, actor, cases: list[Case], since) -> LetterBatch | None:
    """After a bulk step: the covering requests of the requests it issued (one per prefecture), gathered in a
    batch of their own to print; None when it issued none (no request, or no routed papers)."""
    requests = (
        act_letter_list_for_actor(actor=actor, cases=cases, since=since)
        .filter(kind=LetterKind.REQUEST)
        .select_related("case__recipient")
        .order_by("pk")
    )
    issued = covering_letters_issue(actor=actor, letters=requests)
    if not issued:
        return None
    title = _("Requests to the prefectures for their municipalities: %(count)s letters") % {"count": len(issued)}
    return letter_batch_create(actor=actor, letter_ids=[letter.pk for letter in issued], title=title)
