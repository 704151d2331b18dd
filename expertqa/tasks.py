from celery import shared_task

from . import services


@shared_task(acks_late=True)
def send_invitations(session_id: int) -> int:
    return services.session_send_invitations(session_id=session_id)


@shared_task(acks_late=True)
def send_due_reminders() -> dict:
    return services.send_due_reminders()


@shared_task(acks_late=True)
def send_session_change(session_id: int, change: str, sequence: int, audience: bool = True) -> int:
    return services.session_send_change(
        session_id=session_id, change=change, sequence=sequence, audience=audience
    )


# Celery finds tasks in each app's tasks module; the live ones live in their own package.
from .live.tasks import release_chat_prompts  # noqa: E402, F401
