"""The registry of funding streams, their parts and their procedures (docs/domain.md#funding-streams).

A stream's codes, labels and rules are data registered by its module in
``workflows/flows/`` (one file per stream: the spec of each procedure sits
on the state machine it runs). ``grants`` reads the registry and never
imports ``workflows``; the registry is filled once the apps are ready.

The codes are the public vocabulary of the API, the data files and the URLs.
Labels are English source strings translated to Japanese in ``locale/ja``;
``label_ja`` values are what letters print, since a letter is always Japanese
whatever the reader's UI language.
"""

from collections.abc import Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import StrEnum

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

NO_PART_LABEL = _("(whole stream)")


class DeterminationKind(models.TextChoices):
    """What a procedure's determination decides."""

    DECISION = "decision", _("Grant decision")
    CHANGE = "change", _("Change decision")
    SETTLEMENT = "settlement", _("Settlement")
    RESETTLEMENT = "resettlement", _("Re-settlement")
    MINISTRY_DECISION = "ministry_decision", _("Ministry decision (recorded)")
    REVOCATION = "revocation", _("Revocation")


SETTLING_KINDS = frozenset({DeterminationKind.SETTLEMENT, DeterminationKind.RESETTLEMENT})
#: Kinds that commit nothing against the year's budget-obligation notices: they lower, confirm or withdraw.
UNCOMMITTING_KINDS = SETTLING_KINDS | {DeterminationKind.REVOCATION}


class ActLetter(StrEnum):
    """The letter a step sends; every step names one (``NONE`` when it sends none). Letters word each kind."""

    NONE = "none"
    REQUEST = "request"  # 依頼: asks for the procedure's papers by a deadline
    CONSULTATION_REQUEST = "consultation_request"  # 依頼 of the pre-consultation (事前協議)
    NOTICE = "notice"  # 通知 of the determination the step notifies
    PRESENTATION = "presentation"  # 内示 / 調整・提示: the amount the bureau presents before it decides
    REVOCATION = "revocation"  # 取消通知 of the decision the step revokes


@dataclass(frozen=True)
class PartSpec:
    """A part of a stream (the fund's 施設分 and 人材分)."""

    code: str
    label: str | Promise
    label_ja: str


@dataclass(frozen=True)
class StreamSpec:
    """A funding stream: who receives it, who decides it, and its parts (none: the stream is one whole)."""

    code: str
    label: str | Promise
    label_ja: str
    bureau_decides: bool  # False: the ministry decides and pays; the bureau forwards and records
    recipient_kinds: tuple[str, ...]
    parts: tuple[PartSpec, ...] = ()
    #: The recipient kinds whose papers travel through their prefecture both ways (経由,
    #: docs/domain.md#routing-through-the-prefecture): requests go to the prefecture for its municipalities,
    #: the case records when the prefecture received the papers, notices to the grantee's head say so.
    routed_kinds: tuple[str, ...] = ()
    #: The prefectures keep a fund of this stream and report its balance each year (基金: the medical and
    #: long-term care fund); the fund balances (``payments``) belong to it. At most one stream does (checked).
    keeps_fund: bool = False

    @property
    def part_codes(self) -> tuple[str, ...]:
        """The part codes a case of this stream may carry ("" for a stream without parts)."""
        return tuple(part.code for part in self.parts) or ("",)


#: The order a case's pages list its amounts in, by the names of the API's ``amounts`` ("expected": a survey's
#: figures by fiscal year; "revoked": what a notified revocation took back; "paid": what was paid on the case):
#: the talks before the papers, then what the papers ask for, then what the determination sets and what a
#: revocation took back, then the money.
AMOUNT_ORDER = (
    "consulted", "presented", "expected", "requested", "determined", "current", "settled", "revoked", "paid",
)
#: Amounts a page lists only once they are set, whatever the procedure shows.
AMOUNTS_ONCE_SET = frozenset({"consulted", "presented", "revoked"})
_NOT_KNOWN = object()


@dataclass(frozen=True)
class ProcedureSpec:
    """One procedure of one stream: its state machine and everything the rest of the product asks about it.

    ``flow`` is the state machine class (``workflows``), opaque here. The
    wording fields are the words letters print for this procedure; which of
    them a procedure needs depends on the letters its steps send, and the
    system check of ``letters`` names any that is missing (``letters.E002``;
    the amount's wording, which payments print, ``workflows.E027``).
    """

    stream: str
    code: str
    label: str | Promise
    label_ja: str  # as letters print it after the stream's name: 当初交付
    flow: type | None = None
    #: What its determination decides (a ``DeterminationKind``); None: nothing is decided (a survey).
    determination: str | None = None
    #: Settlements: how many fiscal years back the settled year lies, (at least, at most; None: no limit).
    settles_years_back: tuple[int, int | None] | None = None
    #: A grant of its own (the adjustment grant): no change or settlement of the stream's grant touches it.
    own_grant: bool = False
    #: The procedure's shape when a year's schedule says nothing of it (``grants.procedures.DEFAULTS`` keys).
    definition_default: dict = field(default_factory=dict, hash=False)
    #: The schedule's sub-procedure holding this procedure's steps (schedule files name them their own way).
    schedule_procedure: str | None = None
    #: What a request asks for (当初交付申請), and what a pre-consultation request asks for (当初交付に係る事前協議).
    request_topic: str = ""
    consultation_topic: str = ""
    #: What a formal application asks for after an informal notice (交付申請 after the 事前申請's 内示).
    formal_request_topic: str = ""
    #: A survey of expected amounts (事業見込み量（所要額）調査): how many fiscal years its form asks about, from
    #: the year after the case's; 0 for any other procedure. Letters name the years; pages show the figures.
    expected_years_ahead: int = 0
    #: What an informal notice presents (交付額の内示, 当初交付決定額の調整・提示).
    presentation_topic: str = ""
    #: What the recipient's papers are called in a notice (申請, 調査書類).
    papers_ja: str = "申請"
    #: The notice announces an informal amount (内示の連絡) rather than a decision.
    notice_informal: bool = False
    #: What a notice announces (交付決定, 交付額の確定).
    notice_topic: str = ""
    #: How a payment notice names the amount the notice determined (当初交付決定額, 確定額).
    determined_amount: str = ""
    #: The payment basis of a notice's money in a fiscal year without a tranche plan (a ``PaymentBasis``).
    unplanned_basis: str = ""

    @property
    def settles(self) -> bool:
        """Its determination settles an earlier fiscal year's grant."""
        return self.determination in SETTLING_KINDS

    @property
    def amounts_shown(self) -> tuple[str, ...]:
        """The amounts its case page shows, by the names of the API's ``amounts``: what the papers ask for, then
        what its determination sets — nothing for a procedure that decides nothing (a survey), the settled
        amount for a settlement, the determined and current grant for any other — and what was paid on it."""
        if self.determination is None:
            return ("requested",)
        if self.settles:
            return ("requested", "settled", "paid")
        return ("requested", "determined", "current", "paid")

    @property
    def grant_amount(self) -> str:
        """The name (of the API's ``amounts``) of the grant that stands once determined, which a revocation revokes
        whole: a settlement's settled amount, else the current grant."""
        return "settled" if self.settles else "current"

    def amounts_weighed(self, kind: str) -> tuple[str, ...]:
        """The case's amounts (by the names of the API's ``amounts``) an approver weighs a pending draft of ``kind``
        (a ``DeterminationKind``) against, shown beside the draft's own amount in the approval queue: for a
        revocation, the grant it revokes (``grant_amount``) and what was paid on it (``paid``, where the procedure
        shows it; as the case page's 支払済額, before any return: the notice claims back what was paid less what
        was already returned, and withdraws what is unpaid); for any other draft, what the papers asked for."""
        if kind == DeterminationKind.REVOCATION:
            return tuple(name for name in (self.grant_amount, "paid") if name in self.amounts_shown)
        return ("requested",)

    def amounts_after_revocation(self, amounts: dict, *, revoked: bool) -> dict:
        """``amounts`` (by the names of the API's ``amounts``) with ``revoked``, what a notified revocation took
        back (None before one), and ``in_force``, the amount that stands: a settlement's settled amount, else
        the current grant, less what was revoked (None while nothing is determined).

        A revocation (取消, subsidy act art. 17) revokes the determination in force whole: its draft takes the
        case's amount (``draft_revocation``) and nothing changes the amount until it is notified, so once the
        case is revoked the grant in force is nothing. The determined and current amounts stay as history
        (docs/domain.md#transitions)."""
        base = amounts.get(self.grant_amount)
        taken = base if revoked else None
        return {**amounts, "revoked": taken, "in_force": None if base is None else base - (taken or 0)}

    def amount_rows(self, amounts: dict, *, expected: dict | None = None, paid=_NOT_KNOWN) -> list[dict]:
        """A case's amounts as its pages list them (the case page, the case as of a past day), in ``AMOUNT_ORDER``:
        the pre-consultation's and the informal notice's once there is one, a survey's expected figures year by
        year, the amounts the procedure shows (``amounts_shown``) even before they are set, and what a revocation
        took back once it did. ``amounts`` by the names of the API's ``amounts``, with ``in_force`` where the
        page knows it (``amounts_after_revocation``): the current grant is then what stands (nothing once
        revoked); ``paid`` left out where the page does not know it."""
        rows = []
        for name in AMOUNT_ORDER:
            if name == "expected":
                rows += [{"name": name, "amount": amount, "year": int(year)} for year, amount in (expected or {}).items()]
            elif name == "paid":
                if name in self.amounts_shown and paid is not _NOT_KNOWN:
                    rows.append({"name": name, "amount": paid, "year": None})
            elif name in self.amounts_shown or (name in AMOUNTS_ONCE_SET and amounts.get(name) is not None):
                amount = amounts.get("in_force", amounts.get(name)) if name == "current" else amounts.get(name)
                rows.append({"name": name, "amount": amount, "year": None})
        return rows

    @property
    def sets_grant(self) -> bool:
        """Its determination sets or changes a fiscal year's grant (not a grant of its own)."""
        return self.determination in (DeterminationKind.DECISION, DeterminationKind.CHANGE) and not self.own_grant


@dataclass
class _Registry:
    streams: dict[str, StreamSpec] = field(default_factory=dict)
    procedures: dict[tuple[str, str], ProcedureSpec] = field(default_factory=dict)
    generation: int = 0  # bumped on every change, so readers may cache what they derive


_registry = _Registry()


def stream_register(spec: StreamSpec) -> StreamSpec:
    """Add a funding stream; its code must be new."""
    if spec.code in _registry.streams:
        raise ValueError(f"stream {spec.code!r} is registered twice")
    _registry.streams[spec.code] = spec
    _registry.generation += 1
    return spec


def procedure_register(spec: ProcedureSpec) -> ProcedureSpec:
    """Add a procedure to a registered stream; (stream, code) must be new."""
    if spec.stream not in _registry.streams:
        raise ValueError(f"procedure {spec.code!r} names an unregistered stream {spec.stream!r}")
    if (spec.stream, spec.code) in _registry.procedures:
        raise ValueError(f"procedure {spec.stream}/{spec.code} is registered twice")
    _registry.procedures[(spec.stream, spec.code)] = spec
    _registry.generation += 1
    return spec


@contextmanager
def registry_restored() -> Iterator[None]:
    """Whatever is registered inside the block is gone after it (tests register streams of their own)."""
    streams, procedures = dict(_registry.streams), dict(_registry.procedures)
    try:
        yield
    finally:
        _registry.streams, _registry.procedures = streams, procedures
        _registry.generation += 1


def registry_generation() -> int:
    """A number that changes whenever the registry does."""
    return _registry.generation


def stream_list() -> list[StreamSpec]:
    """The registered streams, in the order they were registered."""
    return list(_registry.streams.values())


def stream_get(code: str) -> StreamSpec | None:
    return _registry.streams.get(code)


def fund_stream() -> str:
    """The code of the stream whose fund the prefectures keep (``StreamSpec.keeps_fund``)."""
    found = [stream.code for stream in _registry.streams.values() if stream.keeps_fund]
    if len(found) != 1:
        raise LookupError(f"fund_stream: {len(found)} registered streams keep a fund; exactly one must")
    return found[0]


def procedure_list(stream: str | None = None) -> list[ProcedureSpec]:
    """The registered procedures (of one stream), in the order they were registered."""
    return [spec for spec in _registry.procedures.values() if stream is None or spec.stream == stream]


def procedure_get(stream: str, procedure: str) -> ProcedureSpec | None:
    return _registry.procedures.get((stream, procedure))


def routes_via_prefecture(stream: str, recipient_kind: str) -> bool:
    """Whether papers of this stream to and from a recipient of this kind travel through its prefecture
    (the stream's ``routed_kinds``)."""
    spec = _registry.streams.get(stream)
    return spec is not None and recipient_kind in spec.routed_kinds


def routed_streams() -> dict[str, tuple[str, ...]]:
    """The streams that route some recipients through their prefecture, with those recipients' kinds."""
    return {code: spec.routed_kinds for code, spec in _registry.streams.items() if spec.routed_kinds}


def stream_codes() -> list[str]:
    return list(_registry.streams)


def stream_choices() -> list[tuple[str, str]]:
    """(code, label) of every stream: the ``choices`` of fields and forms."""
    return [(spec.code, spec.label) for spec in _registry.streams.values()]


def part_choices(streams: Collection[str] | None = None) -> list[tuple[str, str]]:
    """(code, label) of every part of every stream (of ``streams`` only, given them), "" (no part) first."""
    parts = {
        part.code: part.label
        for stream in _registry.streams.values()
        if streams is None or stream.code in streams
        for part in stream.parts
    }
    return [("", NO_PART_LABEL), *parts.items()]


def procedure_choices(streams: Collection[str] | None = None) -> list[tuple[str, str]]:
    """(code, label) of every procedure code (of the procedures of ``streams`` only, given them); streams sharing
    a code share its label."""
    labels: dict[str, str] = {}
    for spec in _registry.procedures.values():
        if streams is None or spec.stream in streams:
            labels.setdefault(spec.code, spec.label)
    return list(labels.items())


def is_valid_combination(stream: str, part: str, procedure: str) -> bool:
    """True when the stream has that part and that procedure."""
    info = stream_get(stream)
    return info is not None and part in info.part_codes and procedure_get(stream, procedure) is not None


def part_label_ja(stream: str, part: str) -> str:
    """The Japanese name of a stream's part ("" for none)."""
    return next((spec.label_ja for spec in _registry.streams[stream].parts if spec.code == part), "")


def grant_label_ja(stream: str, part: str) -> str:
    """A stream and its part as letters print them: 地域医療介護総合確保基金（施設分）."""
    label = _registry.streams[stream].label_ja
    return f"{label}（{part_label_ja(stream, part)}）" if part else label


def procedure_label_ja(stream: str, part: str, procedure: str) -> str:
    """Japanese name of a procedure as letters print it, e.g. 地域医療介護総合確保基金（施設分）現年度交付決定."""
    return f"{grant_label_ja(stream, part)}{_registry.procedures[(stream, procedure)].label_ja}"
