from django.db import migrations

from socialearn.people.permissions import COORDINATOR, LD_ADMIN


def create_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in (LD_ADMIN, COORDINATOR):
        Group.objects.get_or_create(name=name)
    # Permissions only exist once every app has migrated: post_migrate grants them
    # (people.permissions.staff_groups_sync), so a fresh database and an old one end the same.


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=[LD_ADMIN, COORDINATOR]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
