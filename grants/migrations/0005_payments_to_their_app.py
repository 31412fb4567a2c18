"""The payment models now belong to the ``payments`` app (``payments.0001_initial``).

State only: the tables keep their names (``Meta.db_table``), rows, constraints
and indexes; nothing in the database changes.
"""

from django.db import migrations

# Models that refer to others go first, so the state never holds a dangling reference.
MOVED = (
    "PaymentRecord",
    "PaymentItem",
    "PaymentRun",
    "ReturnClaimReceipt",
    "ReturnPayment",
    "ReturnClaim",
    "FundBalance",
    "PaymentPlanRule",
)


class Migration(migrations.Migration):
    dependencies = [
        ("grants", "0004_payment_run_cancelled"),
        ("payments", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name=name) for name in MOVED],
            database_operations=[],
        ),
    ]
