from django.db import migrations


def create_classics(apps, schema_editor):
    from challenges.classics import ensure

    ensure(apps.get_model("challenges", "Challenge"), apps.get_model("challenges", "Step"))


class Migration(migrations.Migration):
    dependencies = [("challenges", "0001_initial")]

    operations = [migrations.RunPython(create_classics, migrations.RunPython.noop)]
