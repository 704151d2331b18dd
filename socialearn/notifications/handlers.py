"""The outbox handlers of notifications: fan-outs and emails, run by the relay after commit.

Both are idempotent: a fan-out inserts with its dedupe key (ON CONFLICT DO NOTHING), and an
email is sent for a notification only while its emailed_at is empty.
"""

from socialearn.outbox import handlers

FAN_OUT = "notifications.fan_out"
EMAILS = "notifications.emails"


@handlers.register(FAN_OUT)
def fan_out(payloads: list[dict]) -> None:
    from .services import fan_out_run

    for payload in payloads:
        fan_out_run(**payload)


@handlers.register(EMAILS)
def emails(payloads: list[dict]) -> None:
    from .emails import send_pending_notification_emails

    send_pending_notification_emails()
