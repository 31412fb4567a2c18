"""The letters app's permissions (letter batches), granted to the standard roles and the system
user as ``grants.roles`` declares them."""

from django.db import migrations

from grants.roles import permissions_create, standard_roles_grant


def grant(apps, schema_editor):
    permissions_create(apps)
    standard_roles_grant(apps)


class Migration(migrations.Migration):

    dependencies = [
        ('grants', '0006_roles_as_permissions'),
        ('letters', '0001_initial'),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='letterbatch',
            options={'ordering': ['-created_at', '-pk'], 'permissions': [('batch_letters', 'Gather letters into a batch to print or download together')], 'verbose_name_plural': 'letter batches'},
        ),
        migrations.RunPython(grant, migrations.RunPython.noop),
    ]
