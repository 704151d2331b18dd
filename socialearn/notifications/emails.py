from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from .models import Notification


def send_pending_notification_emails(batch_size: int = 500) -> int:
    """Email notifications marked send_email to people who opted in; each at most once.

    Rows are claimed with SKIP LOCKED and stamped emailed_at in the same transaction, so two
    workers never email the same row.
    """
    sent = 0
    with transaction.atomic():
        pending = list(
            Notification.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(send_email=True, emailed_at__isnull=True)
            .select_related("recipient", "recipient__profile")
            .order_by("id")[:batch_size]
        )
        now = timezone.now()
        for note in pending:
            profile = getattr(note.recipient, "profile", None)
            wants = profile is None or profile.email_preference == "immediate"
            if wants and note.recipient.email:
                link = f"{settings.SITE_URL}{note.url}" if note.url else settings.SITE_URL
                send_mail(
                    # One line: a title with a line break would be refused as a header.
                    subject=" ".join(note.title.split()),
                    message=f"{note.body}\n\n{link}".strip(),
                    from_email=None,
                    recipient_list=[note.recipient.email],
                )
                sent += 1
            note.emailed_at = now
        Notification.objects.bulk_update(pending, ["emailed_at"])
    return sent
