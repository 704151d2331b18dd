from functools import lru_cache

from django import template
from django.urls import get_script_prefix, reverse
from django.utils.dateformat import format as dateformat_format
from django.utils.formats import date_format
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import capfirst
from django.utils.timezone import template_localtime
from django.utils.translation import gettext, ngettext

from socialearn.people.templatetags.people_tags import person_chip_html

from ..models import Question
from ..selectors import person_name as _person_name

register = template.Library()


@register.filter
def person_name(user) -> str:
    return _person_name(user)


@register.filter
def names(users) -> str:
    return ", ".join(_person_name(u) for u in users)


# Stands for a question's number in an address reversed once (question ids are positive).
_SLOT = 2_147_483_647


@lru_cache(maxsize=64)
def _question_address_parts(name: str, script_prefix: str, *args: str) -> tuple[str, str]:
    before, after = reverse(name, args=[_SLOT, *args]).split(str(_SLOT), 1)
    return before, after


@register.simple_tag
def question_url(name: str, pk: int, *args: str) -> str:
    """`{% url name pk ... %}` for a question on the board, reversed once per address and
    its number put in: the board names the same few addresses for each of its questions."""
    before, after = _question_address_parts(name, get_script_prefix(), *args)
    return f"{before}{int(pk)}{after}"


_ROW = (
    '<li id="question-{pk}" class="card eqa-question eqa-q-{state}">\n'
    '<div class="eqa-q-main">\n'
    "{vote}\n"
    '<div class="eqa-q-text">\n'
    '<div class="eqa-q-body">{body}</div>\n'
    '<p class="eqa-q-meta muted"><span>#{pk}</span> · {asker}{you} · '
    '<time datetime="{iso}">{asked}</time>{duplicates}\n'
    '· <span class="eqa-q-state">{state_label}</span></p>\n'
    "{deferral}\n"
    "{answers}\n"
    "{tools}\n"
    "</div>\n"
    "</div>\n"
    "</li>"
)
# The tools on a question, as the template writes them when no form of theirs is shown again
# with its errors: {0} the question's number, {1} the page's order, {2} the CSRF field; the
# labels are filled in once a page (_tools).
_ANSWER_TOOL = (
    '<details class="eqa-tool">\n'
    "<summary>{answer}</summary>\n"
    '<form method="post" action="{url}" hx-post="{url}" hx-target="#board"'
    ' hx-swap="outerHTML">{{2}}\n'
    '<input type="hidden" name="sort" value="{{1}}">\n'
    '<label for="answer-{{0}}">{your_answer}</label>\n'
    '<textarea id="answer-{{0}}" name="body" rows="3" required></textarea>\n'
    '<button type="submit">{post}</button>\n'
    "</form>\n"
    "</details>"
)
_DEFER_TOOL = (
    '<details class="eqa-tool">\n'
    "<summary>{defer_later}</summary>\n"
    '<form method="post" action="{url}" hx-post="{url}" hx-target="#board" hx-swap="outerHTML"'
    ' class="eqa-defer">{{2}}\n'
    '<input type="hidden" name="sort" value="{{1}}">\n'
    '<label>{answer_by} <input type="date" name="deferred_to" required value=""></label>\n'
    '<label>{note} <input type="text" name="note" maxlength="500" required value=""></label>\n'
    '<button type="submit" class="secondary">{defer}</button>\n'
    "</form>\n"
    "</details>"
)
_MODERATOR_TOOLS = (
    '<div class="eqa-mod">\n'
    '<form method="post" action="{hide_url}" hx-post="{hide_url}" hx-target="#board"'
    ' hx-swap="outerHTML" class="inline-form">{{2}}<input type="hidden" name="sort"'
    ' value="{{1}}"><button type="submit" class="link-button">{hide}</button></form>\n'
    '<form method="post" action="{merge_url}" hx-post="{merge_url}" hx-target="#board"'
    ' hx-swap="outerHTML" class="eqa-merge">{{2}}<input type="hidden" name="sort"'
    ' value="{{1}}">\n'
    '<label>{duplicate_of} <input type="number" name="into" min="1" required'
    ' aria-label="{number_label}"></label>\n'
    '<button type="submit" class="link-button">{merge}</button>\n'
    "</form>\n"
    "</div>"
)


def _literal(text: str) -> str:
    return text.replace("{", "{{").replace("}", "}}")


def _tools(viewer) -> tuple[str, str, str]:
    """The answer, defer and moderator tools with this page's labels and addresses (the
    question's number still a slot), or empty where the viewer has none of them."""
    # Translations of the template's literals are markup the template trusts: not escaped.
    # Labels and addresses are filled in before the question's slots, so their braces are
    # doubled: the second format gives them back as they were.
    prefix = get_script_prefix()

    def label(message: str) -> str:
        return _literal(gettext(message))

    def url(name: str, *args: str) -> str:
        before, after = _question_address_parts(name, prefix, *args)
        return f"{_literal(before)}{{0}}{_literal(after)}"

    answer = defer = moderate = ""
    if viewer.is_expert:
        answer = _ANSWER_TOOL.format(
            answer=label("Answer"),
            url=url("expertqa:answer"),
            your_answer=label("Your answer (Markdown)"),
            post=label("Post answer"),
        )
        defer = _DEFER_TOOL.format(
            defer_later=label("Defer to a later date"),
            url=url("expertqa:defer"),
            answer_by=label("I will answer by"),
            note=label("Note for the asker"),
            defer=label("Defer"),
        )
    if viewer.is_moderator:
        moderate = _MODERATOR_TOOLS.format(
            hide_url=url("expertqa:moderate", "hide"),
            hide=label("Hide as off-topic"),
            merge_url=url("expertqa:moderate", "merge"),
            duplicate_of=label("Duplicate of #"),
            number_label=label("Number of the question this duplicates"),
            merge=label("Merge"),
        )
    return answer, defer, moderate


_VOTE_FORM = (
    '<form class="eqa-vote" method="post" action="{url}" hx-post="{url}" hx-target="this"'
    ' hx-swap="outerHTML">{csrf}\n'
    '<button type="submit" class="outline{voted}" aria-pressed="{pressed}"'
    ' aria-label="{label}">▲ {count}</button>\n'
    "</form>"
)
_ANSWER = (
    '<div class="eqa-answer">\n'
    '<p class="eqa-answer-by"><strong>{chip}</strong> <small class="muted">{at}</small></p>\n'
    "{body}\n"
    "</div>"
)


@register.simple_tag(takes_context=True)
def question_rows(context, questions, board) -> SafeString:
    """The board's rows of questions (the loop of the `window` partial in
    expertqa/session_detail.html), written out in Python: the template translated, formatted
    and reversed the same labels, dates and addresses for each of thirty questions, a third of
    the page's time, and an expert's or the moderator's tools on each row as much again. Not
    for a page that shows a tool's form again with its errors (the template writes that one).
    tests/expertqa/test_question_rows.py keeps the two equal; change them together."""
    # Translations of the template's literals are markup the template trusts: not escaped.
    closed = board.state in ("closed", "kept", "cancelled")
    if closed:
        voting_closed = gettext("Voting closed with the session")
    token = context.get("csrf_token")
    csrf = (
        format_html('<input type="hidden" name="csrfmiddlewaretoken" value="{}">', token)
        if token and token != "NOTPROVIDED"  # noqa: S105 - {% csrf_token %}'s marker
        else ""
    )
    answer_tool, defer_tool, moderator_tools = _tools(board.viewer)
    sort = conditional_escape(context.get("sort", ""))
    minute = gettext("j M, H:i")
    day, long_day = gettext("j M"), gettext("D j M Y")
    you = " " + gettext("(you)")
    C = Question.Commitment
    plain_states = {
        C.ANSWERED: gettext("Answered"),
        C.ANSWERED_LATE: gettext("Answered after the window"),
        C.DELIVERED: gettext("Delivered on time"),
        C.DELIVERED_LATE: gettext("Delivered late"),
        C.OWED: gettext("Owed"),
    }

    def at(moment) -> str:
        return date_format(template_localtime(moment), minute)

    rows = []
    for q in questions:
        count = int(q.vote_count)
        if closed:
            vote = format_html(
                '<span class="eqa-vote-closed" title="{}">▲ {}</span>',
                mark_safe(voting_closed),  # noqa: S308
                count,
            )
        else:
            vote = format_html(
                _VOTE_FORM,
                url=question_url("expertqa:vote", q.pk),
                csrf=csrf,
                voted=" eqa-voted" if q.voted else "",
                pressed="true" if q.voted else "false",
                label=mark_safe(  # noqa: S308 - the translation, and a number
                    ngettext("Upvote, %(counter)s vote", "Upvote, %(counter)s votes", count)
                    % {"counter": count}
                ),
                count=count,
            )
        if q.state in plain_states:
            state_label = plain_states[q.state]
        elif q.state == C.DEFERRED:
            state_label = gettext("Deferred to %(date)s") % {
                "date": conditional_escape(date_format(q.deferred_to, day))
            }
        elif q.state == C.OVERDUE:
            state_label = gettext("Overdue since %(date)s") % {
                "date": conditional_escape(date_format(q.deferred_to, day))
            }
        else:
            state_label = gettext("Waiting")
        duplicates = ""
        if q.n_duplicates:
            n = int(q.n_duplicates)
            duplicates = " · " + ngettext(
                "%(counter)s duplicate merged in", "%(counter)s duplicates merged in", n
            ) % {"counter": n}
        deferral = ""
        if q.deferred_to:
            deferral = format_html(
                '<p class="eqa-deferral">{}</p>',
                mark_safe(  # noqa: S308 - the translation's markup, its values escaped
                    gettext("%(name)s will answer by <strong>%(date)s</strong>: %(note)s")
                    % {
                        "name": conditional_escape(person_name(q.deferred_by)),
                        "date": conditional_escape(date_format(q.deferred_to, long_day)),
                        "note": conditional_escape(q.deferral_note),
                    }
                ),
            )
        answers = "\n".join(
            format_html(
                _ANSWER,
                chip=person_chip_html(a.author),
                at=at(a.created_at),
                body=mark_safe(a.body_html),  # noqa: S308 - sanitised when written
            )
            for a in q.answer_list
        )
        pk = int(q.pk)
        tools = [answer_tool.format(pk, sort, csrf)] if answer_tool else []
        if defer_tool and not q.answered_at:
            tools.append(defer_tool.format(pk, sort, csrf))
        if moderator_tools:
            tools.append(moderator_tools.format(pk, sort, csrf))
        rows.append(
            format_html(
                _ROW,
                pk=int(q.pk),
                state=q.state,
                vote=vote,
                body=mark_safe(q.body_html),  # noqa: S308 - sanitised when written
                asker=q.asker,
                you=mark_safe(you) if q.is_mine and q.is_anonymous else "",  # noqa: S308
                iso=dateformat_format(template_localtime(q.created_at), "c"),
                asked=at(q.created_at),
                duplicates=mark_safe(duplicates),  # noqa: S308
                state_label=mark_safe(state_label),  # noqa: S308
                deferral=deferral,
                answers=mark_safe(answers),  # noqa: S308
                tools=mark_safe("\n".join(tools)),  # noqa: S308 - written above, values escaped
            )
        )
    return mark_safe("\n".join(rows))  # noqa: S308


_CARD = (
    '<li class="card eqa-session-card{cancelled}">\n'
    "<div>\n"
    '<h3><a href="{url}">{title}</a></h3>\n'
    '<p class="muted">{kind} · {topic} · {community}{series}</p>\n'
    '<p class="muted">{experts}</p>\n'
    "{recording}\n"
    "</div>\n"
    "<div>\n"
    '<p><span class="eqa-state eqa-state-{state}">{state_label}</span>\n'
    '<time datetime="{iso}">{starts}</time>–{ends}</p>\n'
    "{record}\n"
    "</div>\n"
    "</li>"
)


@register.simple_tag
def session_cards(sessions) -> SafeString:
    """expertqa/_session_card.html for each session of a list, written out in Python: the
    session list showed a dozen cards or more, and the template's includes, translations and
    dates were a third of the page's time. tests/expertqa/test_session_cards.py keeps the two
    equal; change them together. Each session carries its `state`, its experts as
    `expert_list` (selectors.add_expert_list) and, when its record is shown, the counts of
    selectors.add_record_counts."""
    # Translations of the template's literals are markup the template trusts: not escaped.
    state_labels = {
        "kept": gettext("Commitment kept"),
        "open": gettext("Open now"),
        "cancelled": gettext("Cancelled"),
        "scheduled": gettext("Scheduled"),
        "closed": gettext("Closed"),
    }
    recording = format_html(
        '<p><a href="{{}}" rel="noopener">{}</a></p>', gettext("Recording or slides")
    )
    answered_or_deferred = gettext("Answered or deferred")
    starts_format = gettext("D j M, H:i")
    cards = []
    for s in sessions:
        series = ""
        if s.series_id:
            series = format_html(
                ' · <a href="{}">{}</a>', s.series.get_absolute_url(), s.series.title
            )
        experts = gettext("With %(names)s") % {
            "names": conditional_escape(", ".join(_person_name(u) for u in s.expert_list))
        }
        starts = template_localtime(s.starts_at)
        record = ""
        n_questions = getattr(s, "n_questions", None)
        if n_questions is not None and s.state not in ("scheduled", "cancelled"):
            parts = []
            if n_questions:
                parts.append(
                    format_html(
                        '<progress value="{}" max="{}" aria-label="{}"></progress>',
                        s.n_answered + s.n_delivered + s.n_deferred,
                        n_questions,
                        mark_safe(answered_or_deferred),  # noqa: S308
                    )
                )
            counts = [
                ngettext("%(counter)s question", "%(counter)s questions", n_questions)
                % {"counter": n_questions}
            ]
            if n_questions:
                counts.append(gettext("%(n)s answered") % {"n": s.n_answered + s.n_delivered})
                counts.append(gettext("%(n)s deferred") % {"n": s.n_deferred})
                if s.n_overdue:
                    counts.append(gettext("%(n)s overdue") % {"n": s.n_overdue})
                if s.state == "closed" and s.n_open:
                    counts.append(gettext("%(n)s owed") % {"n": s.n_open})
            parts.append("\n" + " · ".join(counts))
            record = '<p class="eqa-mini-record">' + "".join(parts) + "</p>"
        cards.append(
            format_html(
                _CARD,
                cancelled=" eqa-is-cancelled" if s.cancelled_at else "",
                url=question_url("expertqa:detail", s.pk),
                title=s.title,
                kind=s.get_kind_display(),
                topic=s.topic.name,
                community=s.community.name,
                series=series,
                experts=mark_safe(experts),  # noqa: S308 - the translation, the names escaped
                recording=format_html(recording, s.recording_url) if s.recording_url else "",
                state=s.state,
                state_label=mark_safe(state_labels[s.state])  # noqa: S308
                if s.state in state_labels
                else capfirst(s.state),
                iso=dateformat_format(starts, "c"),
                starts=date_format(starts, starts_format),
                ends=date_format(template_localtime(s.ends_at), "H:i"),
                record=mark_safe(record),  # noqa: S308 - numbers and translations
            )
        )
    return mark_safe("\n".join(cards))  # noqa: S308
