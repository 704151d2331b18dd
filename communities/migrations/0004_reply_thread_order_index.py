from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("communities", "0003_membership_declined"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="reply",
            index=models.Index(fields=["thread", "created_at", "id"], name="reply_thread_order"),
        ),
    ]
