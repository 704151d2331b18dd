"""The design system's template tags: icons from the vendored sprite, the one breadcrumb trail,
and the undo a moderation toast offers."""

import pytest
from django.contrib.messages.storage.base import Message
from django.template import Context, Template, TemplateSyntaxError

from communities.confirmations import moderation_done
from socialearn.templatetags.ui import undo_of


def render(source: str, **context) -> str:
    return Template(source).render(Context(context))


def test_an_icon_is_decorative_unless_labelled():
    plain = render('{% icon "flag" %}')
    assert 'aria-hidden="true"' in plain
    assert "sprite.svg#flag" in plain
    labelled = render('{% icon "flag" "Flag this post" %}')
    assert 'role="img" aria-label="Flag this post"' in labelled


def test_an_icon_missing_from_the_sprite_fails_loudly():
    with pytest.raises(TemplateSyntaxError, match="No icon 'nope'"):
        render('{% icon "nope" %}')


def test_breadcrumbs_link_every_step_but_the_page_itself():
    html = render('{% breadcrumbs "Mentoring" "/mentoring/" "Edit" %}')
    assert '<a href="/mentoring/">Mentoring</a>' in html
    assert '<span aria-current="page">Edit</span>' in html


class Post:
    pk = 7


def test_a_hidden_thread_can_be_restored_from_its_toast():
    text, tags = moderation_done("hide", thread=Post(), slug="data")
    assert text == "The thread is hidden."
    assert undo_of(Message(25, text, extra_tags=tags)) == {
        "action": "restore",
        "what": "thread",
        "pk": "7",
        "slug": "data",
    }


def test_an_approval_has_no_undo():
    text, tags = moderation_done("approve", reply=Post(), slug="data")
    assert text == "The reply is published."
    assert undo_of(Message(25, text, extra_tags=tags)) is None
    assert undo_of(Message(25, "Settings saved.")) is None
