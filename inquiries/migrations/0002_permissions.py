"""The inquiries app's permission (recording inquiries and answers), granted to the standard roles as
``grants.roles`` declares them (officers)."""

from django.db import migrations

from grants.roles import permissions_create, standard_roles_grant


def grant(apps, schema_editor):
    permissions_create(apps)
    standard_roles_grant(apps)


class Migration(migrations.Migration):

    dependencies = [
        ('inquiries', '0001_initial'),
    ]

    operations = [
        migrations.RunPython(grant, migrations.RunPython.noop),
    ]
