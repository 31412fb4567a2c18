"""The schedules app's permissions (schedules), granted to the standard roles and the system
user as ``grants.roles`` declares them."""

from django.db import migrations

from grants.roles import permissions_create, standard_roles_grant


def grant(apps, schema_editor):
    permissions_create(apps)
    standard_roles_grant(apps)


class Migration(migrations.Migration):

    dependencies = [
        ('grants', '0006_roles_as_permissions'),
        ('schedules', '0001_initial'),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='scheduleversion',
            options={'ordering': ['fiscal_year', 'key'], 'permissions': [('edit_schedule', 'Edit, import and roll forward fiscal-year schedules')]},
        ),
        migrations.RunPython(grant, migrations.RunPython.noop),
    ]
