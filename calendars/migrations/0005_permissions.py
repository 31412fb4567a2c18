"""The calendars app's permission: editing the closure days (and the reminder rules kept beside them).

``grants.0006`` grants it to the standard roles and the system user, as ``grants.roles`` declares.
"""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('calendars', '0004_schedules_and_letters_to_their_apps'),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='closureday',
            options={'ordering': ['day'], 'permissions': [('edit_calendar_data', 'Edit closure days and reminder rules')]},
        ),
    ]
