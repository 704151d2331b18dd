from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations


class Migration(migrations.Migration):
    """pg_trgm for the one search: typos and prefixes in names and titles."""

    dependencies = [
        ("people", "0003_profile_directory_order"),
    ]

    operations = [
        TrigramExtension(),
        migrations.AddIndex(
            model_name="topic",
            index=GinIndex(fields=["name"], name="topic_name_trgm", opclasses=["gin_trgm_ops"]),
        ),
        migrations.AddIndex(
            model_name="profile",
            index=GinIndex(
                fields=["display_name"], name="profile_name_trgm", opclasses=["gin_trgm_ops"]
            ),
        ),
    ]
