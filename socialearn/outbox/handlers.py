"""What the relay does with each kind of outbox message.

The core cannot import features, so every app registers its handlers under a kind name in
its AppConfig.ready() (or at import of its handlers module) and adds messages of that kind.
A handler takes a list of payloads (one unless `batch_size` > 1) and either returns, and the
messages are done, or raises, and they are retried with backoff. It must be idempotent.
A failure rolls the handler's writes back; a kind whose owners need to see failures (a
community manager, the last error of a channel) registers `on_failure`, which the relay calls
with the payloads and the error in the transaction that records the failure.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

Handler = Callable[[list[dict]], object]
FailureHook = Callable[[list[dict], Exception], object]


@dataclass(frozen=True)
class Registration:
    kind: str
    func: Handler
    batch_size: int = 1
    max_attempts: int = 25
    backoff_base: timedelta = timedelta(seconds=5)
    backoff_cap: timedelta = timedelta(hours=1)
    on_failure: FailureHook | None = None

    def backoff(self, attempts: int) -> timedelta:
        """base, 2×base, 4×base… after the 1st, 2nd, 3rd failed attempt, capped."""
        return min(self.backoff_base * (2 ** max(attempts - 1, 0)), self.backoff_cap)


_registry: dict[str, Registration] = {}


def register(
    kind: str,
    *,
    batch_size: int = 1,
    max_attempts: int = 25,
    backoff_base: timedelta = timedelta(seconds=5),
    backoff_cap: timedelta = timedelta(hours=1),
    on_failure: FailureHook | None = None,
) -> Callable[[Handler], Handler]:
    def decorator(func: Handler) -> Handler:
        _registry[kind] = Registration(
            kind=kind,
            func=func,
            batch_size=batch_size,
            max_attempts=max_attempts,
            backoff_base=backoff_base,
            backoff_cap=backoff_cap,
            on_failure=on_failure,
        )
        return func

    return decorator


def get(kind: str) -> Registration:
    try:
        return _registry[kind]
    except KeyError:
        raise LookupError(f"No outbox handler registered as {kind!r}") from None


def kinds() -> list[str]:
    return sorted(_registry)
