"""The directory writes its cards in Python (`community_cards`), translating and reversing
once a page; each card is, byte for byte, the markup of communities/_community_card.html,
whatever the community (private or public, joined or not, one member or thousands, a long
purpose, markup in its name, no topics), in every language."""

import pytest
from django.template import engines
from django.template.loader import render_to_string
from django.utils import translation

from communities import selectors
from communities.models import Community
from tests.communities.conftest import make_community
from tests.factories import TopicFactory, UserFactory

pytestmark = pytest.mark.django_db


def _communities_of_every_kind(manager, member):
    make_community(manager, name="<b>Bold</b> & co", topics=[TopicFactory(name="R&D <lab>")])
    make_community(
        manager,
        name="Secret guild",
        members=[member],
        visibility=Community.Visibility.PRIVATE,
        topics=[TopicFactory(name="Zeta"), TopicFactory(name="Alpha")],
    )
    long_one = make_community(manager, name="Wordy", kind=Community.Kind.NETWORK)
    Community.objects.filter(pk=long_one.pk).update(
        purpose=" ".join(f"word{i} <&>" for i in range(40)), member_count=12345
    )
    lone = make_community(UserFactory(), name="Lone")
    Community.objects.filter(pk=lone.pk).update(member_count=1)


def _cards_both_ways(reader) -> tuple[str, str]:
    communities = list(selectors.community_list(reader))
    one_by_one = "".join(
        render_to_string("communities/_community_card.html", {"c": c}) + "    " for c in communities
    )
    written = (
        engines["django"]
        .from_string("{% load community_tags %}{% community_cards page %}")
        .render({"page": communities})
    )
    return one_by_one, written


@pytest.mark.parametrize("language", ["en-gb", "de"])
def test_community_cards_are_the_card_templates_markup(manager, member, language):
    _communities_of_every_kind(manager, member)
    for reader in (manager, member, UserFactory()):
        with translation.override(language):
            one_by_one, written = _cards_both_ways(reader)
        assert written == one_by_one
    assert written.count('<li class="card cm-card">') == 3  # the private one is not listed
    assert "&lt;b&gt;Bold&lt;/b&gt; &amp; co" in written
    assert "word14 &lt;&amp;&gt; …</p>" in written  # thirty words
