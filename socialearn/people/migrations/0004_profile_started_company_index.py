from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0003_profile_directory_order"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="profile",
            index=models.Index(fields=["started_company_on"], name="profile_started_company"),
        ),
    ]
