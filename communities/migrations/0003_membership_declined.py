from django.db import migrations, models

INVITE_PREFIX = "onboarding-invite:"


def remember_declines(apps, schema_editor):
    """Invitations declined before this release were remembered by their notification only:
    keep them as declined memberships, so the daily invitation still skips those people."""
    Membership = apps.get_model("communities", "Membership")
    Community = apps.get_model("communities", "Community")
    Notification = apps.get_model("notifications", "Notification")
    onboarding = set(Community.objects.filter(kind="onboarding").values_list("pk", flat=True))
    invited = set()
    for user_id, key in Notification.objects.filter(
        dedupe_key__startswith=INVITE_PREFIX
    ).values_list("recipient_id", "dedupe_key"):
        community_id = key.removeprefix(INVITE_PREFIX)
        if community_id.isdigit() and int(community_id) in onboarding:
            invited.add((int(community_id), user_id))
    if not invited:
        return
    Membership.objects.bulk_create(
        [Membership(community_id=c, user_id=u, status="declined") for c, u in sorted(invited)],
        ignore_conflicts=True,  # people still invited or members keep their row
    )


class Migration(migrations.Migration):
    dependencies = [
        ("communities", "0002_reactions_revisions_moderation"),
        ("notifications", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="membership",
            name="status",
            field=models.CharField(
                choices=[
                    ("active", "Member"),
                    ("invited", "Invited"),
                    ("requested", "Asked to join"),
                    ("declined", "Declined"),
                ],
                default="active",
                max_length=16,
            ),
        ),
        migrations.RunPython(remember_declines, migrations.RunPython.noop, elidable=True),
    ]
