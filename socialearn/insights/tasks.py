from celery import shared_task

from . import services


@shared_task(ignore_result=True)
def send_xapi_outbox() -> int:
    """Send due xAPI statements now (the outbox relay also sends them with everything else)."""
    return services.xapi_outbox_send()


@shared_task(ignore_result=True)
def refresh_running_period(
    *, page: str, period: dict, language: str, scope_id: int | None = None, table: str | None = None
) -> None:
    """Work a running period's figures out again for a page that found them older than five
    minutes (that request was shown the last ones). Idempotent: it only replaces what is kept."""
    from django.utils import translation

    from . import selectors
    from .figures import Period
    from .models import Scope

    scope = Scope.objects.filter(pk=scope_id).first() if scope_id else None
    if scope_id and scope is None:
        return
    when = Period.from_dict(period)
    with translation.override(language), selectors.refreshing():
        if page == "overview":
            selectors.overview(when)
        elif page == "nudges":
            selectors.nudges_page(when)
        elif page == "scope" and scope is not None:
            selectors.scope_page(when, scope)
        elif page == "export" and table:
            selectors.export_table(when, table, scope)
