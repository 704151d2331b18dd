from django.db import migrations

# The directory, topic pages and search leave out people who can no longer sign in with
# NOT IN (inactive users): a partial index holds only those few, so the list is read from
# it instead of scanning every account (auth_user is Django's table: no model Meta here).
CREATE = "CREATE INDEX IF NOT EXISTS people_inactive_users ON auth_user (id) WHERE NOT is_active"
DROP = "DROP INDEX IF EXISTS people_inactive_users"


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0004_profile_started_company_index"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunSQL(CREATE, DROP)]
