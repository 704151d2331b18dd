"""Email for `make run`: each message kept as an .eml file under var/mail/, a line in the log.

Django's console backend printed every message whole, HTML part and headers included, some
seventy lines each. The demo organisation's first minute sends a few hundred (help requests,
replies, session reminders), so the site's address and the demo logins went out of sight
under tens of thousands of lines. Here a few messages get a line each (recipient, subject,
file), a batch gets one line, and any mail client opens the files.
"""

import itertools
import logging
import os
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone

logger = logging.getLogger(__name__)

# A batch larger than this is one line in the log rather than a line per message.
LINES_PER_BATCH = 5

_numbers = itertools.count(1)


def _shown(path: Path) -> str:
    """The file's path from the project's folder when it is inside it, as people type it."""
    try:
        return str(path.relative_to(settings.BASE_DIR))
    except ValueError:
        return str(path)


class EmailBackend(BaseEmailBackend):
    def __init__(self, *args, file_path: str | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.folder = Path(file_path or settings.EMAIL_FILE_PATH)

    def send_messages(self, email_messages) -> int:
        if not email_messages:
            return 0
        written: list[tuple[Path, object]] = []
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            for message in email_messages:
                name = f"{timezone.now():%Y%m%d-%H%M%S}-{os.getpid()}-{next(_numbers):06d}.eml"
                path = self.folder / name
                path.write_bytes(message.message().as_bytes(linesep="\n"))
                written.append((path, message))
        except OSError:
            if not self.fail_silently:
                raise
        if len(written) <= LINES_PER_BATCH:
            for path, message in written:
                logger.info(
                    "email to %s: %s (%s)",
                    ", ".join(message.recipients()),
                    message.subject,
                    _shown(path),
                )
        else:
            logger.info(
                "%d emails, the first: %s (%s)",
                len(written),
                written[0][1].subject,
                _shown(self.folder),
            )
        return len(written)
