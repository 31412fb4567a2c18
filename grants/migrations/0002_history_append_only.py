from django.db import migrations


def install(apps, schema_editor):
    from grants import history_triggers

    history_triggers.install(schema_editor.connection, (history_triggers.HISTORY,))


def drop(apps, schema_editor):
    from grants import history_triggers

    history_triggers.drop(schema_editor.connection, (history_triggers.HISTORY,))


class Migration(migrations.Migration):
    dependencies = [("grants", "0001_initial")]
    operations = [migrations.RunPython(install, drop)]
