"""The words of outgoing letters: subjects, bodies and particulars (docs/domain.md#letters).

Every Japanese sentence a letter prints is here. The wording follows the
bureau's attested memos (「…について（依頼）」, 記 … 以上, 「お願いいたします」);
the bureau's published documents hold no real grant letter, so confirm the
templates with the bureau before go-live (docs/domain.md#letters).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.conf import settings

from calendars.eras import era_date, fiscal_year_label
from grants.catalogue import (
    grant_label_ja,
    procedure_get,
    procedure_label_ja,
    routes_via_prefecture,
    stream_codes,
    stream_get,
)
from grants.models import Case, Determination, DeterminationKind, Recipient, RecipientKind, RevocationBasis
from grants.selectors import decision_in_force, prefecture_on_file
from payments.models import PaymentBasis, PaymentItem, PaymentPlanRule, ShareBase
from payments.selectors import settlement_figures

from .models import LetterKind, ReminderRule

# What a request asks for, what a notice announces and how a payment notice names a determined
# amount are words of each procedure's spec (``grants.catalogue.ProcedureSpec``).
UNDECIDED_DEADLINE = "未定（追ってお知らせします）"
CROSSED_IN_POST = "なお、本状と行き違いに提出いただいている場合は、ご容赦ください。"


@dataclass(frozen=True)
class LetterWording:
    """The case-specific words of a letter; the rest (addressee, sender, contact) comes from data and settings."""

    subject: str
    body_paragraphs: tuple[str, ...]
    items: tuple[tuple[str, str], ...] = ()
    deadline_note: str = ""


def yen(amount: int) -> str:
    return f"金{amount:,}円"


#: Letters issued in the bureau chief's name to the grantee's head; the others are working letters.
FORMAL_KINDS = frozenset(
    {LetterKind.DECISION_NOTICE, LetterKind.SETTLEMENT_NOTICE, LetterKind.REVOCATION_NOTICE, LetterKind.RETURN_ORDER}
)


def _with_dono(line: str) -> str:
    line = line.strip()
    return line if line.endswith("殿") else f"{line}　殿"


#: Working letters: to the responsible division head of the recipient's prefecture (master data).
WORKING_KINDS = frozenset(
    {LetterKind.REQUEST, LetterKind.COVERING_REQUEST, LetterKind.REMINDER, LetterKind.OVERDUE_DEMAND}
)


def addressee(recipient: Recipient, *, routed: bool = False) -> str:
    """A working letter's addressee: the responsible division head named in master data.

    Requests about a recipient whose papers travel through its prefecture
    (``routed``: a municipality of the community support grant) go to that
    prefecture, so they are addressed to the prefecture's division head; other
    recipients' letters go to their own addressee line.
    """
    holder = (prefecture_on_file(recipient) if routed else None) or recipient
    return _with_dono(holder.addressee_ja or holder.name_ja)


def head_of(recipient: Recipient) -> str:
    """The grantee's head: 〇〇県知事, 〇〇市長 / 町長 / 村長 / 区長, 〇〇後期高齢者医療広域連合長."""
    return f"{recipient.name_ja}知事" if recipient.kind == RecipientKind.PREFECTURE else f"{recipient.name_ja}長"


def via_note(recipient: Recipient, *, routed: bool) -> str:
    """The line under the addressee of a letter that goes via the recipient's prefecture: （〇〇県経由）."""
    prefecture = prefecture_on_file(recipient) if routed else None
    return f"（{prefecture.name_ja}経由）" if prefecture is not None else ""


def formal_addressee(recipient: Recipient, *, routed: bool = False) -> tuple[str, str]:
    """A formal decision's addressee (the grantee's head, 殿) and the note under it.

    A notice whose papers travel through the prefecture goes via it: （〇〇県経由）.
    """
    return _with_dono(head_of(recipient)), via_note(recipient, routed=routed)


def concerns_item(kind: str, recipient: Recipient, *, routed: bool = False) -> tuple[str, str] | None:
    """A working letter about a routed municipality goes to its prefecture's division head: it names the
    municipality."""
    if kind not in WORKING_KINDS or not routed:
        return None
    return ("対象団体", recipient.name_ja)


def sender_and_addressee(kind: str, recipient: Recipient, *, routed: bool = False) -> dict:
    """Who signs and who receives a letter of ``kind``: the chief to the grantee's head (formal decisions), the
    division head to the prefecture's division head (working letters), or to the recipient (payment notices,
    informal notices). ``routed``: the recipient's papers travel through its prefecture
    (``grants.catalogue.routes_via_prefecture``), so letters to it say they go via the prefecture."""
    if kind in FORMAL_KINDS:
        line, note = formal_addressee(recipient, routed=routed)
        return {"sender": settings.BUREAU["chief_ja"], "addressee": line, "addressee_note": note}
    if kind in WORKING_KINDS:
        return {"sender": settings.BUREAU["sender_ja"], "addressee": addressee(recipient, routed=routed), "addressee_note": ""}
    # Payment notices and informal notices: from the division head to the recipient's own addressee line.
    return {
        "sender": settings.BUREAU["sender_ja"],
        "addressee": _with_dono(recipient.addressee_ja or recipient.name_ja),
        "addressee_note": via_note(recipient, routed=routed),
    }


def contact_lines(case: Case) -> tuple[str, ...]:
    """The contact block: division, the officer in charge when named, address, phone and mail."""
    bureau = settings.BUREAU
    # Family name first, as Japanese names are written.
    officer = "　".join(part for part in (case.officer.last_name, case.officer.first_name) if part) if case.officer_id else ""
    return tuple(
        line
        for line in (
            f"【担当】{bureau['division_ja']}",
            f"担当者：{officer}" if officer else "",
            bureau["address_ja"],
            f"TEL：{bureau['tel']}　Mail：{bureau['mail']}",
        )
        if line
    )


def _subject_head(case: Case) -> str:
    """令和N年度 + stream (+ part): settlements name the fiscal year they settle."""
    year = case.fiscal_year_id
    if procedure_get(case.stream, case.procedure).settles and case.settles_fiscal_year:
        year = case.settles_fiscal_year
    return f"{fiscal_year_label(year)}{grant_label_ja(case.stream, case.part)}"


def _request_topic(case: Case, consultation: bool) -> str:
    spec = procedure_get(case.stream, case.procedure)
    if consultation:
        return spec.consultation_topic
    if spec.formal_request_topic and case.amount_presented is not None:
        return spec.formal_request_topic  # the formal application that follows the 内示
    return spec.request_topic


def _deadline_text(case: Case) -> str:
    return era_date(case.deadline_effective, weekday=True) if case.deadline_effective else UNDECIDED_DEADLINE


def _deadline_note(case: Case) -> str:
    if case.deadline_stated is None or case.deadline_stated == case.deadline_effective:
        return ""
    return (
        f"{era_date(case.deadline_stated, weekday=True)}は行政機関の休日に当たるため、"
        f"行政機関の休日に関する法律第2条の規定により、{era_date(case.deadline_effective, weekday=True)}を提出期限とします。"
    )


def _surveyed_years(case: Case) -> tuple[tuple[str, str], ...]:
    """A survey of expected amounts names the fiscal years its form asks about (the next, up to ``expected_years_ahead``)."""
    ahead = procedure_get(case.stream, case.procedure).expected_years_ahead
    if not ahead:
        return ()
    first, last = case.fiscal_year_id + 1, case.fiscal_year_id + ahead
    return (("調査対象年度", f"{fiscal_year_label(first)}から{fiscal_year_label(last)}まで（各年度の所要見込額を円単位で記入）"),)


def _submission_items(case: Case, topic: str) -> tuple[tuple[str, str], ...]:
    return _surveyed_years(case) + (
        ("提出書類", f"{topic}に係る書類一式"),
        ("提出期限", _deadline_text(case)),
        ("提出方法", f"電子メール（{settings.BUREAU['mail']}）"),
    )


def request_wording(case: Case, *, consultation: bool) -> LetterWording:
    """依頼: asks the recipient for the papers of a request, by its deadline.

    A municipality whose papers travel through its prefecture is asked through it (経由): the letter goes to
    the prefecture's division head (``addressee``), names the municipality, and asks the prefecture to pass
    the request on and to forward the papers with the day it received them (the municipality is also named
    first among the items: ``concerns_item``)."""
    topic = _request_topic(case, consultation)
    if routes_via_prefecture(case.stream, case.recipient.kind):
        town = case.recipient.name_ja
        paragraphs = [
            f"標記について、貴管内の{town}に対し、下記のとおり関係書類の提出を依頼しますので、周知方よろしくお願いいたします。",
            f"また、{town}から提出された関係書類については、貴職において受け付けた日を付して、提出期限までに当局あて進達いただきますようお願いいたします。",
        ]
    else:
        paragraphs = ["標記について、下記のとおり関係書類を提出いただきますようお願いいたします。"]
    if case.deadline_effective is None:
        paragraphs.append("なお、提出期限は決まり次第お知らせします。")
    return LetterWording(
        subject=f"{_subject_head(case)}の{topic}について（依頼）",
        body_paragraphs=tuple(paragraphs),
        items=_submission_items(case, topic),
        deadline_note=_deadline_note(case),
    )


def covering_request_wording(cases: Sequence[Case], *, consultation: bool) -> LetterWording:
    """依頼 to a prefecture for its municipalities (経由): the same request, the municipalities it went to with
    each one's deadline, and the prefecture's part: to pass it on and forward the papers it receives."""
    first = cases[0]
    topic = _request_topic(first, consultation)
    lines = [f"{case.recipient.name_ja}（提出期限：{_deadline_text(case)}）" for case in cases]
    return LetterWording(
        subject=f"{_subject_head(first)}の{topic}について（依頼）",
        body_paragraphs=(
            "標記について、貴管内の下記市区町村に対し、別途依頼しましたので、管内市区町村への周知方よろしくお願いいたします。",
            "また、各市区町村から提出された関係書類については、貴職において受け付けた日を付して取りまとめの上、"
            "それぞれの提出期限までに当局あて進達いただきますようお願いいたします。",
        ),
        items=(
            ("提出書類", f"{topic}に係る書類一式（管内市区町村分）"),
            ("対象市区町村及び提出期限", "\n".join(lines)),
            ("提出方法", f"電子メール（{settings.BUREAU['mail']}）"),
        ),
    )


def reminder_wording(case: Case, rule: ReminderRule, *, consultation: bool) -> LetterWording:
    """An advance notice or reminder before the deadline, or an overdue demand (督促) after it."""
    topic = _request_topic(case, consultation)
    deadline = _deadline_text(case)
    if rule.letter_kind == LetterKind.OVERDUE_DEMAND:
        opening = (
            f"先般依頼しました標記について、提出期限の{deadline}を過ぎましたが、現時点で提出を確認できておりません。"
            "速やかに提出いただきますようお願いいたします。"
        )
    else:
        opening = f"先般依頼しました標記について、提出期限は{deadline}となっております。期限までに提出いただきますようお願いいたします。"
    return LetterWording(
        subject=f"{_subject_head(case)}の{topic}について{rule.subject_suffix_ja}",
        body_paragraphs=(opening, CROSSED_IN_POST),
        items=_submission_items(case, topic),
        deadline_note=_deadline_note(case),
    )


def presentation_wording(case: Case) -> LetterWording:
    """内示 / 調整・提示: the amount the bureau presents before the formal application or the decision."""
    spec = procedure_get(case.stream, case.procedure)
    received = f"{era_date(case.submitted_on)}付けで" if case.submitted_on else ""
    consulted = case.amount_requested is None  # presented after a consultation, before any application
    papers = spec.consultation_topic if consulted and spec.consultation_topic else spec.papers_ja
    paragraphs = [f"{received}提出のあった{papers}の書類を審査した結果、標記について、下記のとおり提示します。"]
    if spec.formal_request_topic or consulted:
        paragraphs.append("ついては、提示した額に基づき、追ってお知らせする期限までに関係書類を提出いただきますようお願いいたします。")
    return LetterWording(
        subject=f"{_subject_head(case)}の{spec.presentation_topic}について（通知）",
        body_paragraphs=tuple(paragraphs),
        items=(("提示額", yen(case.amount_presented)),),
    )


def determination_wording(case: Case, determination: Determination) -> LetterWording:
    """通知 of a grant decision, a change, or a settled amount."""
    topic = procedure_get(case.stream, case.procedure).notice_topic
    received = f"{era_date(case.submitted_on)}付けで" if case.submitted_on else ""
    amount, previous, reason = determination.amount, determination.previous_amount, determination.reason
    if determination.kind in (DeterminationKind.SETTLEMENT, DeterminationKind.RESETTLEMENT):
        verb = "再確定" if determination.kind == DeterminationKind.RESETTLEMENT else "確定"
        # The report the request asked for: 実績報告, or for a re-settlement 再確定に係る報告.
        report = _request_topic(case, consultation=False)
        body = f"{received}提出のあった{report}に基づき、標記について、下記のとおり交付額を{verb}したので通知します。"
        items = [(f"{verb}額", yen(amount))]
        if previous is not None:
            items.append(("交付決定額", yen(previous)))
        money = settlement_figures(case=case)
        items.append(("既交付額", yen(money.paid)))
        if money.to_return:
            items.append(("返還を要する額", f"{yen(money.to_return)}（返還命令により別途通知します。）"))
        elif money.to_pay:
            items.append(("追加交付額", f"{yen(money.to_pay)}（支払の際に別途通知します。）"))
        else:
            items.append(("追加交付額・返還額", "なし"))
    elif determination.kind == DeterminationKind.CHANGE:
        body = f"{received}申請のあった標記について、下記のとおり交付決定額を変更することに決定したので通知します。"
        items = [("変更後の交付決定額", yen(amount))]
        if previous is not None:
            items.append(("変更前の交付決定額", yen(previous)))
        if reason:
            items.append(("変更の理由", reason))
    elif procedure_get(case.stream, case.procedure).notice_informal:
        papers = procedure_get(case.stream, case.procedure).papers_ja
        body = f"{received}提出のあった{papers}に基づき算定した標記の交付額について、下記のとおり内示します。"
        items = [("内示額", yen(amount))]
        if previous is not None and amount < previous:
            items += [("調査書類による所要額", yen(previous)), ("算定の内容", reason)]
    else:
        body = f"{received}申請のあった標記について、下記のとおり交付することに決定したので通知します。"
        items = [("交付決定額", yen(amount))]
        if previous is not None and amount < previous:
            items += [("交付申請額", yen(previous)), ("修正の内容及び理由", reason)]
    return LetterWording(
        subject=f"{_subject_head(case)}の{topic}について（通知）",
        body_paragraphs=(body,),
        items=tuple(items),
    )


def notice_kind(determination: Determination) -> str:
    """Settlements get a settlement notice; decisions and changes a decision notice."""
    if determination.kind in (DeterminationKind.SETTLEMENT, DeterminationKind.RESETTLEMENT):
        return LetterKind.SETTLEMENT_NOTICE
    return LetterKind.DECISION_NOTICE


# The run a tranche is paid in (docs/domain.md#tranche-plans: ① ② ③ are payment runs, not instalments).
TRANCHE_ORDINALS = {PaymentBasis.TRANCHE_1: "第1回", PaymentBasis.TRANCHE_2: "第2回", PaymentBasis.TRANCHE_3_CHANGE: "第3回"}


def _payment_subject_head(items: Sequence[PaymentItem]) -> str:
    """The grants the money belongs to: 令和4年度及び令和5年度地域支援事業交付金.

    Money of several streams, or of more than two budget years (a subject no
    longer fits its line), is named by the first stream's latest year and 等.
    """
    years: dict[tuple[str, str], set[int]] = {}
    for item in items:
        years.setdefault((item.case.stream, item.case.part), set()).add(item.budget_year)
    streams = stream_codes()
    grants = sorted(
        years, key=lambda grant: (streams.index(grant[0]), ("", *stream_get(grant[0]).part_codes).index(grant[1]))
    )
    stream, part = grants[0]
    named = sorted(years[grants[0]])
    label = grant_label_ja(stream, part)
    if len(grants) > 1 or len(named) > 2:
        return f"{fiscal_year_label(named[-1])}{label}等"
    return "及び".join(fiscal_year_label(year) for year in named) + label


def _payment_basis_text(item: PaymentItem, rule: PaymentPlanRule | None) -> str:
    """第1回（当初交付決定額の50％）; without a plan, the determined amount less what was paid."""
    determined = procedure_get(item.case.stream, item.case.procedure).determined_amount
    if rule is None or rule.base == ShareBase.CUMULATIVE:
        return f"{determined}と支払済額との差額"
    share = "全額" if rule.percent == 100 else f"{rule.percent}％"
    if rule.base == ShareBase.INCREASE:
        share_text = f"{determined}と変更前の交付決定額との差額の{share}"
    else:
        share_text = f"{determined}の{share}"
    ordinal = TRANCHE_ORDINALS.get(item.basis) if rule.percent < 100 else None
    return f"{ordinal}（{share_text}）" if ordinal else share_text


def _payment_item_text(item: PaymentItem, rule: PaymentPlanRule | None) -> str:
    """金4,000,000円　令和5年度地域支援事業交付金前年度確定（令和4年度分）　確定額と支払済額との差額.

    The amount leads, so the amounts of a letter stand in one column.
    """
    case = item.case
    procedure = f"{fiscal_year_label(case.fiscal_year_id)}{procedure_label_ja(case.stream, case.part, case.procedure)}"
    if item.budget_year != case.fiscal_year_id:
        procedure += f"（{fiscal_year_label(item.budget_year)}分）"
    return f"{yen(item.amount)}　{procedure}　{_payment_basis_text(item, rule)}"


def payment_wording(*, paid_on: date, lines: Sequence[tuple[PaymentItem, PaymentPlanRule | None]]) -> LetterWording:
    """支払通知 to one recipient of a payment run: each item paid with its basis, the total and the day.

    ``lines`` pairs every item with the tranche-plan rule that made it payable
    (None where its year has no plan), since the rule holds the share the
    letter quotes. The subject names the budget years of the money, not the
    run's year: a prior-year settlement is that year's grant.
    """
    items = [item for item, _ in lines]
    total = sum(item.amount for item in items)
    paragraphs = [f"標記について、下記のとおり{era_date(paid_on, weekday=True)}に支払うこととしたので通知します。"]
    if len(items) > 1:
        paragraphs.append("なお、支払額は、下記の内訳を合算した額です。")
    return LetterWording(
        subject=f"{_payment_subject_head(items)}の支払について（通知）",
        body_paragraphs=tuple(paragraphs),
        items=(
            *(("内訳", _payment_item_text(item, rule)) for item, rule in lines),
            ("支払額", yen(total)),
            ("支払日", era_date(paid_on, weekday=True)),
        ),
    )


ACT = "補助金等に係る予算の執行の適正化に関する法律"
# The legal basis a revocation states, by its recorded basis (grants.models.RevocationBasis).
REVOCATION_BASES = {
    RevocationBasis.ART_17_1: f"{ACT}第17条第1項",
    RevocationBasis.OTHER: f"{ACT}第17条第1項以外の事由（交付の条件等）",
}
RATE_TEXT = "年10.95パーセント"


def revocation_wording(case: Case, *, reason: str, basis: str, effective_on: date, claim=None) -> LetterWording:
    """取消通知: what is revoked, from when, why, on which legal basis, and what must be returned."""
    determination = decision_in_force(case)
    decided = ""
    if determination is not None:
        number = f"{determination.document_number}" if determination.document_number else ""
        decided = f"{era_date(determination.notified_on)}付け{number}で交付決定した"
    items = [
        ("取消しの対象", f"{decided}{_subject_head(case)}（{yen(case.amount_current or 0)}）"),
        ("取消しの日", era_date(effective_on)),
        ("取消しの理由", reason),
        ("根拠法令", REVOCATION_BASES.get(basis, REVOCATION_BASES[RevocationBasis.OTHER])),
    ]
    paragraphs = [f"標記について、{REVOCATION_BASES.get(basis, ACT)}の規定により、下記のとおり交付決定の全部を取り消したので通知します。"]
    if claim is not None:
        items.append(("返還を要する額", yen(claim.principal)))
        paragraphs.append("既に交付した補助金の返還については、別途、返還命令により通知します。")
    return LetterWording(subject=f"{_subject_head(case)}の交付決定の取消しについて（通知）", body_paragraphs=tuple(paragraphs), items=tuple(items))


def _interest_text(claim) -> str:
    """How interest runs on the claim: 加算金 only on a revocation under art. 17(1), 延滞金 after the due date."""
    lines = []
    if claim.surcharge_applies:
        lines.append(
            f"同法第19条第1項により、受領の日から納付の日までの日数に応じ{RATE_TEXT}（365日当たり）の割合で"
            "計算した加算金を併せて納付してください（2回以上に分けて交付した補助金は、返還額を最後の受領の日から"
            "順次さかのぼって受領したものとします。同法施行令第11条）。"
        )
    lines.append(
        f"納期限までに納付しないときは、同法第19条第2項により、納期限の翌日から納付の日までの日数に応じ、"
        f"未納付額に{RATE_TEXT}の割合で計算した延滞金を納付しなければなりません。"
    )
    lines.append("一部を納付したときは、納付額はまず返還金に充て、その部分の加算金及び延滞金は納付の日までとします。")
    return "\n".join(lines)


def return_order_wording(claim) -> LetterWording:
    """返還命令: amount, reason, legal basis (in the body), 納期限, how interest runs, where to pay."""
    case = claim.case
    if claim.reason == "revocation":
        reason = f"交付決定の取消し（{era_date(claim.noticed_on)}付け取消通知のとおり）"
        basis = f"{ACT}第18条第1項"
    else:
        reason = "交付額の確定により、既交付額が確定額を超えるため"
        basis = f"{ACT}第18条第2項"
    return LetterWording(
        subject=f"{_subject_head(case)}の返還について（命令）",
        body_paragraphs=(f"標記について、{basis}の規定により、下記のとおり返還を命じます。",),
        items=(
            ("返還額", yen(claim.principal)),
            ("返還の理由", reason),
            ("納期限", era_date(claim.due_on, weekday=True)),
            ("加算金及び延滞金", _interest_text(claim)),
            ("納付の方法", settings.BUREAU["payment_place_ja"]),
        ),
    )


def recorded_later_note(*, act_on: date, recorded_on: date) -> str:
    """The closing line of a letter of a past act entered later: the letter keeps the act's date, and
    this says so, with the day it was recorded (docs/domain.md#letters)."""
    return f"本書は、{era_date(act_on)}付けで行った事務を{era_date(recorded_on)}に記録したものです。"
