"""Template helpers for community pages that other apps' tags cannot give."""

from functools import cache

from django import template
from django.template.defaultfilters import truncatewords
from django.template.defaulttags import CsrfTokenNode
from django.urls import reverse
from django.utils.formats import date_format, localize
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import template_localtime
from django.utils.translation import gettext, ngettext, pgettext

from socialearn.markup import format_markup
from socialearn.people.templatetags.people_tags import PathOf, PeoplePaths, person_chip_html
from socialearn.templatetags.ui import icon

from ..models import Community, Thread
from ..selectors import thread_url

register = template.Library()


@register.simple_tag
def chip(person, anonymous=False) -> SafeString:
    """The person chip as a value, for a sentence translated as a whole:

    {% chip c.created_by as author %}
    {% blocktranslate %}proposed by {{ author }}{% endblocktranslate %}
    """
    return person_chip_html(person, anonymous=anonymous)


_REACTION_FORM = (
    '<form method="post" action="{react}" class="inline-form"\n'
    '      hx-post="{react}" hx-target="#{target}" hx-swap="outerHTML">\n'
    "{csrf_field}\n"
    '<input type="hidden" name="kind" value="{kind}">\n'
    "{reply_field}\n"
    '<button type="submit" class="cm-reaction{mine}" aria-pressed="{pressed}" title="{label}"'
    ' aria-label="{label}: {count}">{icon} <span>{count}</span></button>\n'
    "</form>"
)
_REACTION_COUNT = (
    '<span class="cm-reaction" title="{label}">{icon}'
    '<span class="visually-hidden">{label}:</span> {count}</span>'
)
_PAGE_PIECES = object()  # reaction_buttons' key in the render context


@register.simple_tag(takes_context=True)
def reaction_buttons(context, post, what: str) -> SafeString:
    """The thread page's `reactions` partial (communities/thread.html) written out in Python,
    for each post of the page: the partial, rendered for some thirty posts, was a quarter of
    the page's time. What is the same for every post (the address, the token field, labels
    and icons) is escaped once a page. The partial stays for the one post a reaction swaps
    (views.react); tests/communities/test_reaction_buttons.py keeps the two equal. Needs the
    page's `viewer` and `thread_urls`, and `post.reaction_list` (selectors.reaction_summary)."""
    urls = context["thread_urls"]
    pieces = context.render_context.get(_PAGE_PIECES)
    if pieces is None:
        pieces = context.render_context[_PAGE_PIECES] = {
            "react": conditional_escape(urls["react"]),
            "csrf_field": conditional_escape(urls["csrf_field"]),
        }

    def once(key, make):
        if key not in pieces:
            pieces[key] = make()
        return pieces[key]

    member = context["viewer"].is_member
    pk = conditional_escape(post.pk)
    target = f"reactions-{conditional_escape(what)}-{pk}"
    reply_field = f'<input type="hidden" name="reply" value="{pk}">' if what == "reply" else ""
    parts = []
    for r in post.reaction_list:
        label = once(("label", r["label"]), lambda r=r: conditional_escape(r["label"]))
        drawn = once(("icon", r["icon"]), lambda r=r: icon(r["icon"]))
        if member:
            parts.append(
                _REACTION_FORM.format(
                    react=pieces["react"],
                    target=target,
                    csrf_field=pieces["csrf_field"],
                    kind=once(("kind", r["kind"]), lambda r=r: conditional_escape(r["kind"])),
                    reply_field=reply_field,
                    mine=" cm-mine" if r["mine"] else "",
                    pressed="true" if r["mine"] else "false",
                    label=label,
                    count=int(r["count"]),
                    icon=drawn,
                )
            )
        elif r["count"]:
            parts.append(_REACTION_COUNT.format(label=label, icon=drawn, count=int(r["count"])))
    html = "\n".join(parts)
    return mark_safe(f'\n<div class="cm-reactions" id="{target}">\n{html}\n</div>\n')  # noqa: S308


_THREAD_ROW = (
    '<li class="cm-thread-row{waiting}">\n'
    '<span class="cm-kind cm-kind-{kind}">{kind_label}</span>\n'
    '<a href="{url}" class="cm-thread-title">{pin}{title}</a>\n'
    "{status}\n"
    "{locked}\n"
    "{answered}\n"
    '<small class="muted cm-meta">{author} · {replies} · {reactions} · {active}</small>\n'
    "</li>"
)


@register.simple_tag
def thread_rows(threads, community) -> SafeString:
    """The rows of a page of a community's threads (communities/_thread_row.html for each),
    written out in Python: each row's labels, plurals, dates and address are the same for
    many rows, so they are translated, formatted and reversed once a page here, where the
    template did it twenty times over (most of the community page's time).
    tests/communities/test_thread_rows.py keeps the two equal. The threads are `community`'s,
    their authors' profiles selected (selectors.community_threads)."""
    # Translations of the template's literals are markup the template trusts: not escaped.
    kinds = {value: str(label) for value, label in Thread.Kind.choices}
    statuses = {value: str(label) for value, label in Thread.Status.choices}
    pin = format_html("{} ", icon("pin", mark_safe(gettext("Pinned"))))  # noqa: S308
    locked = format_html('<span class="tag">{}</span>', mark_safe(gettext("Locked")))  # noqa: S308
    answered = format_html(
        '<span class="tag cm-answered">{} {}</span>',
        icon("check"),
        mark_safe(gettext("Answered")),  # noqa: S308
    )
    url_of_0 = thread_url(slug=community.slug, thread_id=0)
    url_start, url_end = url_of_0.rsplit("/0/", 1)
    date_format_ = gettext("j M, H:i")
    people = PeoplePaths()

    @cache
    def replies(n: int) -> str:
        return ngettext("%(counter)s reply", "%(counter)s replies", n) % {"counter": n}

    @cache
    def reactions(n: int) -> str:
        return ngettext("%(counter)s reaction", "%(counter)s reactions", n) % {"counter": n}

    @cache
    def active(at) -> str:
        return date_format(template_localtime(at), date_format_)

    rows = []
    for t in threads:
        published = t.status == Thread.Status.PUBLISHED
        rows.append(
            format_markup(
                _THREAD_ROW,
                waiting="" if published else " cm-waiting",
                kind=t.kind,
                kind_label=kinds.get(t.kind, t.kind),
                url=f"{url_start}/{t.pk}/{url_end}",
                pin=pin if t.is_pinned else "",
                title=t.title,
                status=""
                if published
                else format_html('<span class="tag">{}</span>', statuses.get(t.status, t.status)),
                locked=locked if t.is_locked else "",
                answered=answered if t.accepted_reply_id else "",
                author=person_chip_html(t.author, anonymous=t.is_anonymous, paths=people),
                replies=mark_safe(replies(t.reply_count)),  # noqa: S308
                reactions=mark_safe(reactions(t.reaction_count)),  # noqa: S308
                active=active(t.last_activity_at),
            )
        )
    return mark_safe("\n".join(rows))  # noqa: S308


_MEMBER_ROW = "\n  <li>\n    {chip}\n    {department}\n    {tag}\n    {form}\n  </li>\n  "
_ROLE_FORM = (
    '\n    <form method="post" action="{action}" class="inline-form">{csrf}\n'
    '      <button name="role" value="{role}" class="link-button" type="submit">{label}</button>\n'
    "    </form>\n    "
)


@register.simple_tag(takes_context=True)
def member_rows(context, members, viewer, community) -> SafeString:
    """The members page's rows (communities/_member_row.html for each), written out in
    Python: fifty rows of the template, each reversing the role form's address and reading
    the token, were most of the page. Labels are translated, the address reversed and the
    token field written once a page. tests/communities/test_member_rows.py keeps the two
    equal. Members come from selectors.members_page (their user, profile and department)."""
    manager_tag = format_html('<span class="tag">{}</span>', mark_safe(gettext("Manager")))  # noqa: S308
    labels = {
        "manager": ("member", mark_safe(gettext("make member"))),  # noqa: S308
        "member": ("manager", mark_safe(gettext("make manager"))),  # noqa: S308
    }
    manages = viewer.is_manager
    if manages:
        reader = context.get("user")
        reader_id = reader.pk if reader is not None else None
        csrf = CsrfTokenNode().render(context)  # {% csrf_token %}, once a page
        action_of_0 = reverse("communities:membership_role", args=[community.slug, 0])
        action_start, action_end = action_of_0.rsplit("/0/", 1)
    people = PeoplePaths()
    rows = []
    for m in members:
        user = m.user
        profile = getattr(user, "profile", None)
        department = profile.department if profile is not None else None
        form = ""
        if manages and m.user_id != reader_id:
            role, label = labels["manager" if m.role == "manager" else "member"]
            form = format_markup(
                _ROLE_FORM,
                action=f"{action_start}/{int(m.pk)}/{action_end}",
                csrf=csrf,
                role=role,
                label=label,
            )
        rows.append(
            format_markup(
                _MEMBER_ROW,
                chip=person_chip_html(user, paths=people),
                department=format_html('<small class="muted">{}</small>', department.name)
                if department
                else "",
                tag=manager_tag if m.role == "manager" else "",
                form=form,
            )
        )
    return mark_safe("".join(rows))  # noqa: S308 - each row built by format_markup


_COMMUNITY_CARD = (
    '\n    <li class="card cm-card">\n'
    '      <h2 class="cm-card-title"><a href="{url}">{name}</a></h2>\n'
    '      <p class="muted cm-meta">{kind} · {members}{private}{mine}</p>\n'
    "      <p>{purpose}</p>\n"
    "      <p>{topics}</p>\n"
    "    </li>\n    "
)


@register.simple_tag
def community_cards(communities) -> SafeString:
    """The directory's cards (communities/_community_card.html for each), written out in
    Python: the labels are translated and the address reversed once a page, where the
    template did it for every card. tests/communities/test_community_cards.py keeps the two
    equal. Communities come from selectors.community_list (i_am_member, topics prefetched)."""
    kinds = {value: str(label) for value, label in Community.Kind.choices}
    # Translations of the template's literals are markup the template trusts: not escaped.
    private = mark_safe(" · " + gettext("Private"))  # noqa: S308
    mine = format_html(" · <strong>{}</strong>", mark_safe(gettext("You are a member")))  # noqa: S308
    slug_path = PathOf("communities:detail")

    @cache
    def members(n: int) -> SafeString:
        counter = conditional_escape(localize(n))
        return mark_safe(
            ngettext("%(counter)s member", "%(counter)s members", n) % {"counter": counter}
        )  # noqa: S308

    cards = []
    for c in communities:
        cards.append(
            format_markup(
                _COMMUNITY_CARD,
                url=slug_path(c.slug),
                name=c.name,
                kind=kinds.get(c.kind, c.kind),
                members=members(c.member_count),
                private=private if c.is_private else "",
                mine=mine if c.i_am_member else "",
                purpose=truncatewords(c.purpose, 30),
                topics=mark_safe(  # noqa: S308 - each tag built by format_markup
                    "".join(
                        format_markup('<span class="tag">{name}</span>', name=t.name)
                        for t in c.topics.all()
                    )
                ),
            )
        )
    return mark_safe("".join(cards))  # noqa: S308 - each card built by format_markup


_REPLY = (
    '\n    <article class="cm-reply{accepted_class}{waiting_class}" id="reply-{pk}">\n'
    "      {accepted}\n"
    "      {spotlit}\n"
    '      <p class="muted cm-meta"><strong>{chip}</strong> · {created}{edited}\n'
    "        {status}</p>\n"
    "      {held}\n"
    "      {revealed}\n"
    '      <div class="cm-body">{body}</div>\n'
    "      {reactions}\n"
    '      <div class="cm-post-actions">\n'
    "        {accept}\n"
    "        {edit}\n"
    "        {flag}\n"
    "        {hide}\n"
    "      </div>\n"
    "    </article>\n    "
)
_ACCEPT = (
    '\n          \n          <form method="post" action="{action}" class="inline-form">{csrf}'
    '<input type="hidden" name="reply" value="{value}"><button type="submit" class="{css}">'
    "{label}</button></form>\n          \n        "
)
_HIDE = (
    '\n        <form method="post" action="{action}" class="inline-form">{csrf}\n'
    '          <input type="hidden" name="reply" value="{pk}"><input type="hidden" name="next"'
    ' value="{page}">\n'
    '          <button name="action" value="hide" class="link-button">{label}</button>\n'
    "        </form>\n        "
)


@register.simple_tag(takes_context=True)
def reply_articles(context, replies) -> SafeString:
    """The thread page's replies (communities/_reply.html for each), written out in Python:
    the template's tests, translations, icons and token fields, some forty a reply, were the
    largest part of the page. What is the same for every reply is worked out once a page.
    tests/communities/test_reply_articles.py keeps the two equal. Needs the page's `viewer`,
    `thread_urls` and `can_accept`, and each reply prepared by views.thread_detail
    (created_label, reaction_list, revealed, is_accepted, is_spotlit, can_edit, edit_url)."""
    viewer, urls = context["viewer"], context["thread_urls"]
    can_accept = context.get("can_accept")
    csrf = CsrfTokenNode().render(context)
    # Translations of the template's literals are markup the template trusts: not escaped.
    accepted = format_html(
        '<p class="cm-accepted-mark">{} {}</p>',
        icon("circle-check"),
        mark_safe(gettext("Accepted answer")),  # noqa: S308
    )
    spotlit = format_html(
        '<p class="cm-spotlight-mark">{} {}</p>',
        icon("sparkles"),
        mark_safe(pgettext("badge on an answer", "Spotlight")),  # noqa: S308
    )
    edited = mark_safe(' · <span class="cm-edited">' + gettext("edited") + "</span>")  # noqa: S308
    statuses = {value: str(label) for value, label in Thread.Status.choices}
    held = gettext("Held for a manager's review: %(reason)s")
    revealed = gettext("Posted anonymously by %(name)s — visible to managers only.")
    flag_icon = icon("flag")
    flag_label = gettext("Flag")
    edit_label = gettext("Edit")
    hide_label = mark_safe(gettext("Hide"))  # noqa: S308
    accept_forms = {
        True: ("none", "link-button", mark_safe(gettext("Unmark as the answer"))),  # noqa: S308
        False: (None, "link-button cm-accept", mark_safe(gettext("Accept this answer"))),  # noqa: S308
    }
    people = PeoplePaths()
    articles = []
    for reply in replies:
        published = reply.status == "published"
        pk = conditional_escape(reply.pk)
        accept = ""
        if can_accept and published:
            value, css, label = accept_forms[bool(reply.is_accepted)]
            accept = format_markup(
                _ACCEPT,
                action=urls["accept"],
                csrf=csrf,
                value=pk if value is None else value,
                css=css,
                label=label,
            )
        hide = ""
        if viewer.is_manager and published:
            hide = format_markup(
                _HIDE,
                action=urls["moderation"],
                csrf=csrf,
                pk=pk,
                page=urls["page"],
                label=hide_label,
            )
        articles.append(
            format_markup(
                _REPLY,
                accepted_class=" cm-accepted" if reply.is_accepted else "",
                waiting_class="" if published else " cm-waiting",
                pk=pk,
                accepted=accepted if reply.is_accepted else "",
                spotlit=spotlit if reply.is_spotlit else "",
                chip=person_chip_html(reply.author, anonymous=reply.is_anonymous, paths=people),
                created=reply.created_label,
                edited=edited if reply.edited_at else "",
                status=""
                if published
                else format_html(
                    '<span class="tag">{}</span>', statuses.get(reply.status, reply.status)
                ),
                held=format_html(
                    '<p class="message message-error">{}</p>',
                    mark_safe(held % {"reason": conditional_escape(reply.hold_reason)}),  # noqa: S308
                )
                if reply.status == "held"
                else "",
                revealed=format_html(
                    '<p class="cm-revealed">{}</p>',
                    mark_safe(revealed % {"name": conditional_escape(reply.revealed)}),  # noqa: S308
                )
                if reply.revealed
                else "",
                body=mark_safe(reply.body_html),  # noqa: S308 - the template's |safe
                reactions=reaction_buttons(context, reply, "reply"),
                accept=accept,
                edit=format_html('<a href="{}">{}</a>', reply.edit_url, mark_safe(edit_label))  # noqa: S308
                if reply.can_edit
                else "",
                flag=format_html(
                    '<a href="{}?reply={}" data-flag-open="{}" aria-haspopup="dialog">{} {}</a>',
                    urls["flag"],
                    pk,
                    pk,
                    flag_icon,
                    mark_safe(flag_label),  # noqa: S308
                )
                if viewer.is_member
                else "",
                hide=hide,
            )
        )
    return mark_safe("".join(articles))  # noqa: S308 - each reply built by format_markup
