"""``manage.py load_payment_plans``: store the shipped FY2023 and FY2025 tranche plans (idempotent)."""

from django.core.management.base import BaseCommand

from grants.roles import system_user

from ...services import payment_plans_load_defaults


class Command(BaseCommand):
    help = "Load the shipped tranche plans (payments/data/payment_plans.yaml); unchanged plans are left alone."

    def handle(self, *args, **options):
        written = payment_plans_load_defaults(actor=system_user())
        self.stdout.write(f"{len(written)} plan rule(s) written")
