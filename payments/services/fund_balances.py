"""Fund balances of the medical-care fund: an import that keeps every year adding up and joined to the next."""

from collections.abc import Sequence
from dataclasses import astuple, dataclass, fields

from django.db import transaction
from django.utils.translation import gettext as _

from grants.access import authorize
from grants.catalogue import fund_stream
from grants.history import history_append
from grants.limits import EARLIEST_DATE, LATEST_DATE, MAX_YEN
from grants.models import FiscalYear, Recipient, RecipientKind
from web.errors import InvalidInput

from ..errors import ARITHMETIC_MESSAGE, DISCONTINUITY_MESSAGE, FundBalanceArithmetic, FundBalanceDiscontinuity
from ..models import FundBalance


@dataclass(frozen=True)
class FundBalanceRow:
    """One prefecture's fund in one fiscal year, as an import gives it (int yen)."""

    prefecture: str  # JIS X 0401 code
    fiscal_year: int
    opening: int
    national_contribution: int
    prefectural_contribution: int
    interest: int
    spending: int
    closing: int

    @property
    def expected_closing(self) -> int:
        return self.opening + self.national_contribution + self.prefectural_contribution + self.interest - self.spending

    def amounts(self) -> tuple[int, ...]:
        return astuple(self)[2:]


AMOUNT_FIELDS = tuple(f.name for f in fields(FundBalanceRow))[2:]


def _stored_amounts(balance: FundBalance) -> tuple[int, ...]:
    """A stored balance's amounts, in the order of ``FundBalanceRow.amounts()``."""
    return tuple(getattr(balance, name) for name in AMOUNT_FIELDS)


def _prefecture_label(recipient: Recipient) -> str:
    return f"{recipient.name_ja} ({recipient.code})"


def _check_rows(actor, rows: Sequence[FundBalanceRow]) -> dict[str, Recipient]:
    """Permission and scope, known prefectures and years, whole non-negative yen, no row twice, each row adding up."""
    codes = {row.prefecture for row in rows}
    authorize(actor, "payments.import_fund_balances")
    stream = fund_stream()
    for code in sorted(codes):
        authorize(actor, "payments.import_fund_balances", stream=stream, prefecture=code)
    prefectures = {p.code: p for p in Recipient.objects.filter(code__in=codes, kind=RecipientKind.PREFECTURE)}
    if unknown := sorted(codes - set(prefectures)):
        raise InvalidInput(
            details={"prefecture": [_("Unknown prefecture code(s): %(codes)s.") % {"codes": ", ".join(unknown)}]}
        )
    years = {row.fiscal_year for row in rows}
    # Only plausible years reach the query: a 20-digit year would overflow the database's integer.
    plausible = [year for year in years if EARLIEST_DATE.year <= year <= LATEST_DATE.year]
    if missing := sorted(years - set(FiscalYear.objects.filter(year__in=plausible).values_list("year", flat=True))):
        raise InvalidInput(details={"fiscal_year": [_("Fiscal year(s) not set up: %(years)s.") % {"years": missing}]})
    seen = set()
    for row in rows:
        key = (row.prefecture, row.fiscal_year)
        if key in seen:
            raise InvalidInput(
                details={
                    "rows": [
                        _("%(prefecture)s FY%(year)s appears twice.")
                        % {"prefecture": row.prefecture, "year": row.fiscal_year}
                    ]
                }
            )
        seen.add(key)
        if any(isinstance(v, bool) or not isinstance(v, int) or not 0 <= v <= MAX_YEN for v in row.amounts()):
            problem = _("%(prefecture)s FY%(year)s: amounts are whole yen from 0 to %(most)s.") % {
                "prefecture": row.prefecture,
                "year": row.fiscal_year,
                "most": f"{MAX_YEN:,}",
            }
            raise InvalidInput(details={"rows": [problem]})
        if row.expected_closing != row.closing:
            raise FundBalanceArithmetic(
                ARITHMETIC_MESSAGE.format(
                    prefecture=_prefecture_label(prefectures[row.prefecture]),
                    year=row.fiscal_year,
                    expected=row.expected_closing,
                    closing=row.closing,
                ),
                details={"prefecture": row.prefecture, "fiscal_year": row.fiscal_year},
            )
    return prefectures


def _check_continuity(ends: dict[tuple[str, int], tuple[int, int]], prefectures: dict[str, Recipient]) -> None:
    """Each closing equals the next year's opening, wherever both years are on file.

    ``ends`` holds (opening, closing) by (prefecture code, fiscal year).
    """
    breaks = [
        (code, year, closing, ends[code, year + 1][0])
        for (code, year), (_, closing) in sorted(ends.items())
        if (code, year + 1) in ends and ends[code, year + 1][0] != closing
    ]
    if breaks:
        code, year, closing, opening = breaks[0]
        raise FundBalanceDiscontinuity(
            DISCONTINUITY_MESSAGE.format(
                prefecture=_prefecture_label(prefectures[code]),
                year=year,
                next_year=year + 1,
                closing=closing,
                opening=opening,
            ),
            details={
                "breaks": [
                    {"prefecture": c, "fiscal_year": y, "closing": cl, "next_fiscal_year": y + 1, "next_opening": op}
                    for c, y, cl, op in breaks
                ]
            },
        )


@transaction.atomic(durable=True)
def fund_balance_import(*, actor, rows: Sequence[FundBalanceRow]) -> list[FundBalance]:
    """Record fund balances, all or nothing: refused if a year does not add up or does not close at the next opening."""
    prefectures = _check_rows(actor, rows)
    # Continuity spans rows no constraint holds: one import per prefecture at a time, each reading the other's years.
    list(Recipient.objects.select_for_update(no_key=True).filter(code__in=prefectures).order_by("pk"))
    stored = {
        (balance.prefecture.code, balance.fiscal_year_id): balance
        for balance in FundBalance.objects.select_for_update(of=("self",))
        .filter(prefecture__code__in=prefectures)
        .select_related("prefecture")
    }
    ends = {key: (balance.opening, balance.closing) for key, balance in stored.items()}
    ends |= {(row.prefecture, row.fiscal_year): (row.opening, row.closing) for row in rows}
    _check_continuity(ends, prefectures)
    written = []
    for row in rows:
        balance = stored.get((row.prefecture, row.fiscal_year)) or FundBalance(
            prefecture=prefectures[row.prefecture], fiscal_year_id=row.fiscal_year
        )
        if balance.pk is not None and row.amounts() == _stored_amounts(balance):
            continue  # unchanged rows write nothing
        for name in AMOUNT_FIELDS:
            setattr(balance, name, getattr(row, name))
        balance.recorded_by = actor
        balance.full_clean()
        balance.save()
        written.append(balance)
    if written:
        stream = fund_stream()
        history_append(
            actor=actor,
            action="fund_balance_import",
            subject_type="fund_balance",
            subject_id=stream,
            stream=stream,
            data={"rows": [{"prefecture": b.prefecture.code, "fiscal_year": b.fiscal_year_id} for b in written]},
        )
    return written
