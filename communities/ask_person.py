"""Asking a named colleague a question from their profile: a question thread in a community
the asker chooses, @mentioning the person so the mention notifies them.

Only communities both can read are offered: the asker must be an active member (to post),
and the person must be able to read it (a public community, or a private one they belong
to), or the mention would reach nobody."""

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from socialearn.forms import InputLimits
from socialearn.people.models import person_name

from . import services
from .forms import post_body
from .mentions import handles
from .models import Community, Membership, Thread


def communities_to_ask_in(asker, person) -> QuerySet[Community]:
    """Active communities the asker may post in and the person may read."""

    def member(user):
        return Exists(
            Membership.objects.filter(
                community=OuterRef("pk"), user=user, status=Membership.Status.ACTIVE
            )
        )

    return (
        Community.objects.filter(status=Community.Status.ACTIVE)
        .filter(member(asker))
        .filter(Q(visibility=Community.Visibility.PUBLIC) | member(person))
        .order_by("name")
    )


def mention_handle(person) -> str:
    """The @handle that mentions the person: the part of their email before the @."""
    return (person.email or "").split("@", 1)[0].lower()


class AskPersonForm(InputLimits, forms.Form):
    community = forms.ModelChoiceField(
        queryset=Community.objects.none(),
        label=_("Community to ask in"),
        empty_label=None,
        help_text=_("Others there can learn from the answer too."),
        error_messages={"invalid_choice": _("Choose one of the communities offered.")},
    )
    title = forms.CharField(label=_("Your question"), max_length=200)
    body = post_body(label=_("Details"), widget=forms.Textarea(attrs={"rows": 6}), required=False)

    def __init__(self, *args, communities: QuerySet, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities


@login_required
def ask_person(request, user_id: int):
    person = get_object_or_404(
        get_user_model().objects.select_related("profile"), pk=user_id, is_active=True
    )
    name = person_name(person)
    if person.pk == request.user.pk:
        messages.info(
            request, gettext("That is you: ask a question in one of your communities instead.")
        )
        return redirect("people:profile", user_id=person.pk)
    communities = communities_to_ask_in(request.user, person)
    form = AskPersonForm(request.POST or None, communities=communities)
    handle = mention_handle(person)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        body = (data["body"] or "").strip()
        mention = f"@{handle}"
        if handle not in handles(body):
            body = f"{mention} {body}".strip()
        try:
            thread = services.thread_create(
                community=data["community"],
                author=request.user,
                kind=Thread.Kind.QUESTION,
                title=data["title"],
                body=body,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if thread.status == Thread.Status.PUBLISHED:
                messages.success(
                    request, gettext("Question posted: %(name)s is notified.") % {"name": name}
                )
            else:
                messages.warning(
                    request,
                    gettext("Your question is held for a manager's review: %(reason)s")
                    % {"reason": thread.hold_reason},
                )
            return redirect(thread)
    return TemplateResponse(
        request,
        "communities/ask_person.html",
        {
            "form": form,
            "person": person,
            "name": name,
            "has_communities": communities.exists(),
        },
    )
