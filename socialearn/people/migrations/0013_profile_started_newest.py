from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0012_merge_account_search_indexes"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="profile",
            index=models.Index(
                models.OrderBy(models.F("started_company_on"), descending=True),
                models.F("user_id"),
                name="profile_started_newest",
            ),
        ),
    ]
