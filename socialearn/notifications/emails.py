from django.core.mail import get_connection
from django.db import transaction
from django.utils import timezone

from .mail import notification_messages
from .models import Notification


def send_pending_notification_emails(batch_size: int = 500) -> int:
    """Email notifications marked send_email to people who want them; each at most once.

    Rows are claimed with SKIP LOCKED and stamped emailed_at in the same transaction, so two
    workers never email the same row. A row whose recipient turned email off, or unsubscribed
    from its kind, is stamped too, and never sent.
    """
    with transaction.atomic():
        pending = list(
            Notification.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(send_email=True, emailed_at__isnull=True)
            .select_related("recipient", "recipient__profile")
            .order_by("id")[:batch_size]
        )
        if not pending:
            return 0
        connection = get_connection()
        messages = list(notification_messages(pending, connection=connection).values())
        sent = connection.send_messages(messages) or 0 if messages else 0
        now = timezone.now()
        for note in pending:
            note.emailed_at = now
        Notification.objects.bulk_update(pending, ["emailed_at"])
    return sent
