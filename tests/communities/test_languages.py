"""Notifications are written in their reader's language, whoever's request wrote them."""

import pytest
from django.conf import settings
from django.utils import translation

from communities import language
from communities.models import Community, Membership
from communities.services import membership_self_join
from socialearn.notifications.models import Notification
from tests.factories import UserFactory

from .conftest import make_community

pytestmark = pytest.mark.django_db


def test_each_language_among_the_recipients_gets_its_text_built_in_it(monkeypatch):
    ana, ben, cleo = UserFactory(), UserFactory(), UserFactory()
    chosen = {ana.pk: "de", ben.pk: "en-gb", cleo.pk: "de"}
    monkeypatch.setattr(language, "languages_of", lambda ids: {i: chosen[i] for i in ids})
    built_in = []

    def texts():
        built_in.append(translation.get_language())
        return {"title": f"written in {translation.get_language()}"}

    with translation.override("en-gb"):  # the writer's own language does not leak in
        sent = language.notify_in_their_language(
            recipients=[ana, ben.pk, cleo], kind="test", texts=texts
        )

    assert sent == 3
    assert sorted(built_in) == ["de", "en-gb"]  # once per language, not once per person
    titles = dict(Notification.objects.values_list("recipient_id", "title"))
    assert titles == {ana.pk: "written in de", ben.pk: "written in en-gb", cleo.pk: "written in de"}


def test_a_request_to_join_reaches_each_manager_in_their_language(monkeypatch, manager):
    second = UserFactory()
    community = make_community(manager, visibility=Community.Visibility.PRIVATE)
    Membership.objects.create(
        community=community, user=second, role=Membership.Role.MANAGER, status="active"
    )
    chosen = {manager.pk: "de", second.pk: "en-gb"}
    monkeypatch.setattr(
        language, "languages_of", lambda ids: {i: chosen.get(i, "en-gb") for i in ids}
    )
    languages = []
    real_notify = language.notify

    def spy(**kwargs):
        languages.append((translation.get_language(), sorted(kwargs["recipients"])))
        return real_notify(**kwargs)

    monkeypatch.setattr(language, "notify", spy)

    membership_self_join(community=community, user=UserFactory())

    assert sorted(languages) == [("de", [manager.pk]), ("en-gb", [second.pk])]
    assert Notification.objects.filter(kind="membership_requested").count() == 2


def test_everyone_without_a_chosen_language_reads_the_site_language():
    people = [UserFactory(), UserFactory()]
    found = language.languages_of(p.pk for p in people)
    assert found == {p.pk: settings.LANGUAGE_CODE for p in people}


def test_a_text_for_a_whole_audience_is_in_the_site_language():
    with translation.override("de"), language.in_site_language():
        assert translation.get_language() == settings.LANGUAGE_CODE
