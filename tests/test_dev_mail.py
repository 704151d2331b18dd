"""`make run`'s email: each message a file under var/mail/, a short line in the log."""

import email
import logging

from django.core.mail import EmailMultiAlternatives, get_connection

from socialearn import dev_mail


def _message(n: int) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=f"Chloé replied to thread {n}",
        body="Open in socialearn",
        from_email="socialearn <noreply@socialearn.local>",
        to=[f"person{n}@socialearn.local"],
    )
    message.attach_alternative("<p>Open in socialearn</p>", "text/html")
    return message


def test_a_few_emails_are_files_and_a_line_each(tmp_path, settings, caplog):
    settings.BASE_DIR = tmp_path
    connection = get_connection("socialearn.dev_mail.EmailBackend", file_path=tmp_path / "mail")
    with caplog.at_level(logging.INFO, logger="socialearn.dev_mail"):
        assert connection.send_messages([_message(1), _message(2)]) == 2

    files = sorted((tmp_path / "mail").glob("*.eml"))
    assert len(files) == 2
    parsed = email.message_from_bytes(files[0].read_bytes())
    assert parsed["To"] == "person1@socialearn.local"
    assert parsed.is_multipart()  # the HTML part is kept in the file
    lines = [record.getMessage() for record in caplog.records]
    assert lines == [
        f"email to person1@socialearn.local: Chloé replied to thread 1 (mail/{files[0].name})",
        f"email to person2@socialearn.local: Chloé replied to thread 2 (mail/{files[1].name})",
    ]


def test_a_batch_is_one_line(tmp_path, settings, caplog):
    settings.BASE_DIR = tmp_path
    batch = [_message(n) for n in range(dev_mail.LINES_PER_BATCH + 1)]
    connection = get_connection("socialearn.dev_mail.EmailBackend", file_path=tmp_path / "mail")
    with caplog.at_level(logging.INFO, logger="socialearn.dev_mail"):
        assert connection.send_messages(batch) == len(batch)

    assert len(list((tmp_path / "mail").glob("*.eml"))) == len(batch)
    assert [record.getMessage() for record in caplog.records] == [
        f"{len(batch)} emails, the first: Chloé replied to thread 0 (mail)"
    ]


def test_nothing_to_send_writes_nothing(tmp_path):
    connection = get_connection("socialearn.dev_mail.EmailBackend", file_path=tmp_path / "mail")
    assert connection.send_messages([]) == 0
    assert not (tmp_path / "mail").exists()
