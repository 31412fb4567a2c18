"""The payments app's permissions (payment runs, repayments and fund balances), granted to the standard roles and the system
user as ``grants.roles`` declares them."""

from django.db import migrations

from grants.roles import permissions_create, standard_roles_grant


def grant(apps, schema_editor):
    permissions_create(apps)
    standard_roles_grant(apps)


class Migration(migrations.Migration):

    dependencies = [
        ('grants', '0006_roles_as_permissions'),
        ('payments', '0001_initial'),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='fundbalance',
            options={'ordering': ['prefecture', 'fiscal_year'], 'permissions': [('import_fund_balances', "Import fund balances (within the user's scope)")]},
        ),
        migrations.AlterModelOptions(
            name='paymentrun',
            options={'ordering': ['run_on', 'pk'], 'permissions': [('prepare_payment_run', 'Draft, execute and cancel payment runs'), ('approve_payment_run', 'Approve payment runs (four eyes)')]},
        ),
        migrations.AlterModelOptions(
            name='returnclaim',
            options={'ordering': ['noticed_on', 'pk'], 'permissions': [('record_repayment', "Record money paid back on return claims (within the user's scope)")]},
        ),
        migrations.RunPython(grant, migrations.RunPython.noop),
    ]
