from django.db import migrations

# The admin's account search matches part of an email or a name (icontains, which Django
# writes as UPPER(column) LIKE UPPER('%term%')): on 100,000 accounts each search read both
# tables whole. Trigram indexes on that same expression (pg_trgm is installed by the search
# migrations) serve it for terms of three characters or more; the admin asks each column on
# its own and joins the ids (people.admin.UserAdmin).
INDEXES = {
    "people_user_email_upper_trgm": ("auth_user", "email"),
    "people_user_first_name_upper_trgm": ("auth_user", "first_name"),
    "people_user_last_name_upper_trgm": ("auth_user", "last_name"),
    "people_profile_name_upper_trgm": ("people_profile", "display_name"),
}
CREATE = [
    f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin ((UPPER({column}::text)) gin_trgm_ops)"
    for name, (table, column) in INDEXES.items()
]
DROP = [f"DROP INDEX IF EXISTS {name}" for name in INDEXES]


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0009_merge_identity_and_photos"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunSQL(CREATE, DROP)]
