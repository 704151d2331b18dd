"""The outbox handler of insights: xAPI statements go to the LRS in batches of 50."""

from socialearn.outbox import handlers

from . import services
from .models import XAPI_STATEMENT

handlers.register(
    XAPI_STATEMENT,
    batch_size=services.XAPI_BATCH_SIZE,
    max_attempts=services.XAPI_MAX_ATTEMPTS,
    backoff_base=services.XAPI_BACKOFF_BASE,
    backoff_cap=services.XAPI_BACKOFF_CAP,
)(services.xapi_statements_send)
