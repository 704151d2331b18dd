"""Similar questions while asking: as the title is typed, up to five questions the asker may
read are shown under it, answered ones first."""

import pytest
from django.urls import reverse

from communities.models import Community, Thread
from communities.search import similar_questions
from communities.services import answer_accept, reply_create, thread_create
from tests.communities.conftest import make_community

pytestmark = pytest.mark.django_db


def _question(community, author, title, *, answered_by=None):
    thread = thread_create(
        community=community, author=author, kind=Thread.Kind.QUESTION, title=title, body=""
    )
    if answered_by is not None:
        reply = reply_create(thread=thread, author=answered_by, body="Like this.")
        answer_accept(thread=thread, reply=reply, accepted_by=author)
    return thread


def test_similar_questions_come_answered_first_and_at_most_five(community, member, manager):
    open_one = _question(community, member, "How do I negotiate a salary raise?")
    answered = _question(
        community, member, "Negotiating a raise with my manager", answered_by=manager
    )
    for i in range(6):
        _question(community, member, f"Salary negotiation question {i}")
    _question(community, member, "Where is the coffee machine?")
    found = similar_questions(member, "how to negotiate my salary")
    assert len(found) == 5
    assert found[0]["title"] == answered.title
    assert found[0]["answered"] is True
    assert all("coffee" not in q["title"] for q in found)
    assert open_one.title in [q["title"] for q in similar_questions(member, "negotiate salary")]


def test_a_typo_in_the_title_still_finds_them(community, member):
    _question(community, member, "Negotiation tips for a first job offer")
    found = similar_questions(member, "negotation tips")
    assert [q["title"] for q in found] == ["Negotiation tips for a first job offer"]


def test_only_questions_the_asker_may_read(community, member, manager, outsider):
    private = make_community(
        manager, name="Quiet room", members=[member], visibility=Community.Visibility.PRIVATE
    )
    _question(private, member, "Kubernetes upgrade plan for the secret cluster")
    assert similar_questions(outsider, "kubernetes upgrade") == []
    assert len(similar_questions(member, "kubernetes upgrade")) == 1
    thread = _question(community, member, "Kubernetes upgrade order of nodes")
    Thread.objects.filter(pk=thread.pk).update(status=Thread.Status.HIDDEN)
    assert len(similar_questions(outsider, "kubernetes upgrade")) == 0


def test_the_form_asks_for_them_as_the_title_is_typed(client, community, member, manager):
    _question(community, member, "Kubernetes upgrade order of nodes", answered_by=manager)
    client.force_login(member)
    form = client.get(reverse("communities:thread_create", args=[community.slug])).text
    similar_url = reverse("communities:similar", args=[community.slug])
    assert f'hx-get="{similar_url}"' in form
    assert 'id="similar-questions"' in form
    response = client.get(
        similar_url, {"title": "kubernetes upgrade"}, headers={"HX-Request": "true"}
    )
    assert "Kubernetes upgrade order of nodes" in response.text
    assert "Answered" in response.text
    assert client.get(similar_url, {"title": "a"}).text.strip() == ""


def test_outsiders_get_nothing_from_a_private_communitys_form(client, manager, outsider):
    private = make_community(manager, name="Quiet", visibility=Community.Visibility.PRIVATE)
    client.force_login(outsider)
    url = reverse("communities:similar", args=[private.slug])
    assert client.get(url, {"title": "anything"}).status_code == 404


def test_the_fragment_costs_one_query_for_the_questions(
    client, community, member, django_assert_max_num_queries
):
    for i in range(8):
        _question(community, member, f"Kubernetes question {i}")
    client.force_login(member)
    url = reverse("communities:similar", args=[community.slug])
    with django_assert_max_num_queries(6):
        client.get(url, {"title": "kubernetes question"})
