"""How long posts may be, how many people one post may mention, and search over long texts."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from communities import services
from communities.mentions import mentioned_users
from communities.models import Reply, Thread
from communities.services import threads
from socialearn.people.models import Profile
from socialearn.people.search import search
from socialearn.people.services import profile_refresh_search
from tests.crawl import distinct_words
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ONE_MB = distinct_words(1_100_000)


def post(community, author, body, **kwargs):
    return services.thread_create(
        community=community, author=author, kind="discussion", title="Ideas", body=body, **kwargs
    )


# --- lengths ---------------------------------------------------------------------------------


def test_a_thread_of_one_mb_of_distinct_words_is_refused_with_a_message(community, member):
    with pytest.raises(ValidationError) as error:
        post(community, member, ONE_MB)
    assert error.value.message_dict["body"] == [
        "Keep it under 20,000 characters (you wrote 1,100,000)."
    ]
    assert not Thread.objects.exists()


def test_a_reply_and_edits_of_one_mb_are_refused_too(community, member):
    thread = post(community, member, "Short and sweet")
    with pytest.raises(ValidationError, match="Keep it under 20,000 characters"):
        services.reply_create(thread=thread, author=member, body=ONE_MB)
    reply = services.reply_create(thread=thread, author=member, body="Fine")
    with pytest.raises(ValidationError, match="Keep it under 20,000 characters"):
        services.reply_edit(reply=reply, editor=member, body=ONE_MB)
    with pytest.raises(ValidationError, match="Keep it under 20,000 characters"):
        services.thread_edit(thread=thread, editor=member, title="Ideas", body=ONE_MB)


def test_a_body_of_exactly_the_maximum_is_accepted(community, member):
    thread = post(community, member, "x" * 20_000)
    assert len(thread.body) == 20_000


def test_the_reply_form_shows_the_maximum_and_says_what_was_written(client, community, member):
    thread = post(community, member, "Short and sweet")
    client.force_login(member)
    page = client.get(thread.get_absolute_url()).content.decode()
    assert 'maxlength="20000"' in page
    response = client.post(
        reverse("communities:reply", args=[community.slug, thread.pk]),
        {"body": "y" * 25_310},
        follow=True,
    )
    assert response.status_code == 200
    assert "Keep it under 20,000 characters (you wrote 25,310)." in response.content.decode()
    assert not Reply.objects.exists()


def test_the_thread_form_refuses_one_mb_with_the_message(client, community, member):
    client.force_login(member)
    response = client.post(
        reverse("communities:thread_create", args=[community.slug]),
        {"kind": "discussion", "title": "Long", "body": ONE_MB},
    )
    assert response.status_code == 200
    assert "Keep it under 20,000 characters (you wrote 1,100,000)." in response.content.decode()
    assert not Thread.objects.exists()


# --- search over long texts --------------------------------------------------------------------


def test_search_vectors_read_a_bounded_prefix_of_a_long_body_stored_directly(community, member):
    """A row written past every form (a script, a restore) still gets its search vector."""
    thread = post(community, member, "Short and sweet")
    reply = services.reply_create(thread=thread, author=member, body="Fine")
    Thread.objects.filter(pk=thread.pk).update(body=ONE_MB)
    Reply.objects.filter(pk=reply.pk).update(body=ONE_MB)

    threads._refresh_thread_search(thread.pk)
    threads._refresh_reply_search(reply.pk)

    first_word = ONE_MB.split()[0]
    _, groups = search(member, first_word, kind="threads")
    assert {hit.label for hit in groups[0].hits} == {"", "Reply"}  # the thread and its reply


def test_a_profile_bio_stored_directly_past_its_maximum_still_gets_a_search_vector():
    person = UserFactory()
    Profile.objects.filter(user=person).update(bio=ONE_MB)
    profile_refresh_search(profile_ids=[person.profile.pk])
    person.profile.refresh_from_db()
    assert person.profile.search_vector


# --- mentions ------------------------------------------------------------------------------------


def test_a_post_mentioning_more_than_fifty_people_is_refused_with_a_message(community, member):
    body = " ".join(f"@person{n}" for n in range(51))
    with pytest.raises(ValidationError) as error:
        post(community, member, body)
    assert error.value.message_dict["body"] == [
        "Mention at most 50 people in one post (this one mentions 51)."
    ]
    assert post(community, member, " ".join(f"@person{n}" for n in range(50)))


def test_the_same_person_mentioned_often_counts_once(community, member, manager):
    thread = post(community, member, "@maria.manager " * 200)
    assert 'class="mention"' in thread.body_html


def test_a_body_with_ten_thousand_mentions_answers_with_the_message_in_few_queries(
    client, community, member, django_assert_max_num_queries
):
    body = " ".join(f"@someone.{n}" for n in range(10_000))
    client.force_login(member)
    with django_assert_max_num_queries(20):
        response = client.post(
            reverse("communities:thread_create", args=[community.slug]),
            {"kind": "discussion", "title": "Hello all", "body": body},
        )
    assert response.status_code == 200
    assert (
        "Mention at most 50 people in one post (this one mentions 10,000)."
        in response.content.decode()
    )
    assert not Thread.objects.exists()


def test_mentioned_people_are_looked_up_in_one_query(
    community, member, manager, django_assert_num_queries
):
    body = "@maria.manager @sam.member " + " ".join(f"@nobody.{n}" for n in range(45))
    with django_assert_num_queries(1):
        people = mentioned_users(body, community=community)
    assert {p.pk for p in people} == {manager.pk, member.pk}


def test_a_handle_matches_the_whole_local_part_only(community, member):
    UserFactory(email="ana.lopez@example.com", username="ana.lopez@example.com")
    assert mentioned_users("Hi @ana", community=community) == []
    (ana,) = mentioned_users("Hi @Ana.Lopez.", community=community)
    assert ana.email == "ana.lopez@example.com"


def test_clock_posts_are_not_capped_on_mentions(community, manager):
    body = " ".join(f"@person{n}" for n in range(80))
    thread = post(community, manager, body, is_system=True)
    assert thread.pk
