"""Requests to a prefecture for its municipalities (経由, docs/domain.md#routing-through-the-prefecture).

Where a stream routes a recipient's papers through its prefecture
(``grants.catalogue.routes_via_prefecture``), each request to such a
recipient is its own letter (one per case, addressed to the prefecture's
division head and naming the municipality with its deadline): for a single
request that letter is the prefecture's request. A bulk request also sends
each prefecture one covering request listing the municipalities asked, each
with its deadline. It is a letter like the others (kind ``covering_request``), drawn by
the same renderer; its ``case`` is the first case it lists, and each request
it covers points to it (``Letter.covered_by``), so it shows on each of their
pages, is read within the same scope (the cases share the stream and the
prefecture), and a request is covered once: a bulk step posted again after a
crash covers what the first attempt left uncovered.
"""

from collections.abc import Iterable

from django.db import transaction
from django.utils.translation import gettext as _

from grants.catalogue import ActLetter, routes_via_prefecture
from grants.models import Case, CaseState

from ..letter_texts import covering_request_wording, prefecture_on_file
from ..models import Letter, LetterBatch, LetterKind
from ..selectors import letter_list_for_actor
from .letters import _letter_build, _letter_store, letter_batch_create, letter_particulars, letter_record


def _routed_request(letter: Letter) -> bool:
    return letter.kind == LetterKind.REQUEST and routes_via_prefecture(letter.case.stream, letter.case.recipient.kind)


def covering_letters_build(*, letters: Iterable[Letter], actor) -> list[tuple[Letter, list[Letter]]]:
    """The covering requests of these request letters (unsaved), each with the requests it covers: one per
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
    built = []
    for key in sorted(groups):
        prefecture = prefecture_on_file(groups[key][0].case.recipient)
        if prefecture is None:  # master data without the prefecture: the per-municipality requests stand alone
            continue
        requests = sorted(groups[key], key=lambda letter: letter.case.recipient.code)
        cases = [letter.case for letter in requests]
        first = cases[0]
        dated = [case for case in cases if case.deadline_effective]
        earliest = min(dated, key=lambda case: case.deadline_effective) if dated else None
        letter = _letter_build(
            case=first,
            kind=LetterKind.COVERING_REQUEST,
            actor=actor,
            recipient=prefecture,
            wording=covering_request_wording(cases, consultation=first.state == CaseState.CONSULTATION_REQUESTED),
            issued_on=max(request.issued_on for request in requests),
            basis={"covers": [case.pk for case in cases]},
        )
        # The earliest deadline of those it lists (each municipality's own is printed beside its name).
        letter.deadline_stated = earliest.deadline_stated if earliest else None
        letter.deadline_effective = earliest.deadline_effective if earliest else None
        built.append((letter, requests))
    return built


def covering_letter_store(letter: Letter, requests: list[Letter]) -> Letter:
    """Store a covering request from ``covering_letters_build``; the stored requests it covers point to it.
    Its PDF follows after commit."""
    _letter_store(letter)
    Letter.objects.filter(pk__in=[request.pk for request in requests]).update(covered_by=letter)
    return letter


@transaction.atomic
def covering_letters_issue(*, actor, letters: Iterable[Letter]) -> list[Letter]:
    """Issue the covering requests of stored request letters: one per prefecture, each recorded."""
    issued = []
    for letter, requests in covering_letters_build(letters=letters, actor=actor):
        covering_letter_store(letter, requests)
        letter_record(
            letter, action="letter_issue", actor=actor,
            data={
                **letter_particulars(letter),
                "covers": [request.case_id for request in requests],
                "requests": [request.pk for request in requests],
                "trigger": None,
            },
        )
        issued.append(letter)
    return issued


@transaction.atomic
def bulk_covering_letters_issue(*, actor, cases: list[Case], letter: str) -> LetterBatch | None:
    """After a bulk step on ``cases`` that sends requests (its declared ``letter``, an ``ActLetter``): the covering
    requests of their latest requests that a bulk step issued (``basis["bulk"]``) and no prefecture's request
    covers yet (those the step just issued, and those an earlier attempt of it issued before a crash),
    gathered in a batch of their own to print; None when there are none (no request, or no routed papers).
    A case last asked by a single request is not covered: that request was itself the prefecture's.

    The requests are locked first, so two officers confirming the same step at once cover each one once."""
    if letter not in (ActLetter.REQUEST, ActLetter.CONSULTATION_REQUEST):
        return None
    latest: dict[int, Letter] = {}
    requests = (
        letter_list_for_actor(actor=actor)
        .select_for_update(of=("self",))
        .filter(case__in=cases, kind=LetterKind.REQUEST, history_entry__isnull=False)
        .select_related("case__recipient")
        .order_by("case_id", "-issued_on", "-pk")
    )
    for request in requests:
        latest.setdefault(request.case_id, request)
    uncovered = [request for request in latest.values() if request.covered_by_id is None and request.basis.get("bulk")]
    issued = covering_letters_issue(actor=actor, letters=uncovered)
    if not issued:
        return None
    title = _("Requests to the prefectures for their municipalities: %(count)s letters") % {"count": len(issued)}
    return letter_batch_create(actor=actor, letter_ids=[covering.pk for covering in issued], title=title)
