"""Tranche plans as data: loading the shipped plans for FY2023 and FY2025."""

from pathlib import Path

import yaml
from django.db import transaction

from grants.catalogue import is_valid_combination, stream_get
from grants.history import history_append
from grants.models import FiscalYear

from ..models import PaymentBasis, PaymentPlanRule, ShareBase

PLANS_FILE = Path(__file__).resolve().parent.parent / "data" / "payment_plans.yaml"


def _rule_key(rule: PaymentPlanRule) -> tuple:
    return (rule.sequence, rule.basis, rule.base, rule.percent, rule.run_on, rule.source)


def _rules_from(entry: dict) -> list[PaymentPlanRule]:
    """The rules of one procedure-year of the plans file, checked the way ``share_plan`` will read them."""
    stream, part, procedure = entry["stream"], entry.get("part", ""), entry["procedure"]
    where = f"FY{entry['fiscal_year']} {stream}/{part or '-'}/{procedure}"
    if not is_valid_combination(stream, part, procedure) or not stream_get(stream).bureau_decides:
        raise ValueError(f"{where}: not a procedure the bureau pays")
    base = entry["base"]
    payments = entry["payments"]
    if base not in ShareBase.values or any(p["basis"] not in PaymentBasis.values for p in payments):
        raise ValueError(f"{where}: unknown base or basis")
    cumulative_whole = len(payments) == 1 and payments[0]["percent"] == 100
    if sum(p["percent"] for p in payments) > 100 or (base == ShareBase.CUMULATIVE and not cumulative_whole):
        raise ValueError(f"{where}: shares above 100 %, or a cumulative plan other than one payment of 100 %")
    return [
        PaymentPlanRule(
            fiscal_year_id=entry["fiscal_year"],
            stream=stream,
            part=part,
            procedure=procedure,
            sequence=sequence,
            basis=payment["basis"],
            base=base,
            percent=payment["percent"],
            run_on=payment["run_on"],
            source=payment.get("source", ""),
        )
        for sequence, payment in enumerate(payments, start=1)
    ]


@transaction.atomic(durable=True)
def payment_plans_load_defaults(*, actor, path: Path = PLANS_FILE) -> list[PaymentPlanRule]:
    """Make the stored plans of the shipped procedure-years equal the plans file; unchanged plans write nothing."""
    entries = yaml.safe_load(path.read_text(encoding="utf-8"))["plans"]
    written: list[PaymentPlanRule] = []
    changed: list[str] = []
    for entry in entries:
        rules = _rules_from(entry)
        FiscalYear.objects.get_or_create(year=entry["fiscal_year"])
        stored = PaymentPlanRule.objects.filter(
            fiscal_year_id=entry["fiscal_year"],
            stream=entry["stream"],
            part=entry.get("part", ""),
            procedure=entry["procedure"],
        )
        if sorted(map(_rule_key, stored)) == sorted(map(_rule_key, rules)):
            continue
        stored.delete()
        written += PaymentPlanRule.objects.bulk_create(rules)
        changed.append(f"FY{entry['fiscal_year']} {entry['stream']}/{entry.get('part') or '-'}/{entry['procedure']}")
    if changed:
        history_append(
            actor=actor,
            action="payment_plans_load",
            subject_type="payment_plan",
            subject_id=path.name,
            data={"procedure_years": changed, "rules": len(written)},
        )
    return written
