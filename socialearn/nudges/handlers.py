"""Delivery of recorded nudges: an inbox line and an email each, run by the outbox relay.

Idempotent: each notification carries its nudge's cause as dedupe key, so a retried
delivery inserts nothing twice.
"""

from socialearn.outbox import handlers

DELIVER = "nudges.deliver"


@handlers.register(DELIVER)
def deliver(payloads: list[dict]) -> None:
    from socialearn.notifications.services import NotificationItem, notify_each

    from .models import Nudge

    ids = [nudge_id for payload in payloads for nudge_id in payload["ids"]]
    nudges = Nudge.objects.filter(id__in=ids).values_list(
        "person_id", "kind", "title", "body", "url", "cause"
    )
    notify_each(
        items=(
            NotificationItem(
                recipient_id=person_id,
                kind=kind,
                title=title,
                body=body,
                url=url,
                dedupe_key=cause,
            )
            for person_id, kind, title, body, url, cause in nudges.iterator(chunk_size=2000)
        ),
        send_email=True,
    )
