"""Delivery of recorded nudges, run by the outbox relay after the run commits."""

from socialearn.outbox import handlers

DELIVER = "nudges.deliver"


@handlers.register(DELIVER)
def deliver(payloads: list[dict]) -> None:
    from .services import nudges_deliver

    nudges_deliver(ids=[nudge_id for payload in payloads for nudge_id in payload["ids"]])
