"""Notifications are written in each recipient's language: recipients are grouped by
language and each group's text is built with that language active."""

from django.utils import translation

from mentoring import services
from mentoring.models import Match
from socialearn import recipient_languages

from .conftest import MENTOR, PROTEGE


def test_publishing_writes_to_each_person_in_their_own_language(
    programme, coordinator, enrol, topics, monkeypatch
):
    german = enrol(programme, MENTOR, topics[:1], capacity=2)
    english = enrol(programme, PROTEGE, topics[:1])
    other = enrol(programme, PROTEGE, topics[:1])
    services.matching_run_start(programme=programme, user=coordinator)
    assert Match.objects.filter(status=Match.Status.PROPOSED).count() == 2
    monkeypatch.setattr(
        recipient_languages,
        "languages_of",
        lambda ids: {uid: "de" if uid == german.user_id else "en-gb" for uid in ids},
    )
    sent = []

    def notify(*, recipients, **fields):
        sent.append((translation.get_language(), sorted(recipients), fields["title"]))
        return len(recipients)

    monkeypatch.setattr(services, "notify", notify)
    with translation.override("en-gb"):
        services.programme_publish(programme=programme, user=coordinator)
    assert [(language, ids) for language, ids, _title in sent] == [
        ("de", [german.user_id]),
        ("en-gb", sorted([english.user_id, other.user_id])),
    ]
    assert translation.get_language() == "en-gb"  # each language only inside its group
