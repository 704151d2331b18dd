from django import forms
from django.contrib.auth import get_user_model
from django.urls import reverse_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from socialearn import limits
from socialearn.forms import InputLimits, LongSelectMultiple
from socialearn.people.forms import TAG_PICKER
from socialearn.people.models import Topic

from . import permissions
from .mentions import validate_mentions
from .models import Community, Flag, Reaction, Thread
from .services.cohorts import DEFAULT_GROUP_SIZE

MARKDOWN_HELP = _(
    "Markdown works: **bold**, *italic*, `code`, lists and links. "
    "Mention someone with @ and the part of their email before the @, "
    "e.g. @ana.lopez for ana.lopez@example.com: they get a notification."
)


def post_body(**kwargs) -> forms.CharField:
    """The text of a thread or a reply: Markdown, a maximum length, a cap on @mentions, and
    name autocomplete as "@" is typed (static/js/pickers.js; plain text without it)."""
    kwargs.setdefault("help_text", MARKDOWN_HELP)
    field = forms.CharField(max_length=limits.POST_BODY, validators=[validate_mentions], **kwargs)
    field.widget.attrs["data-mentions"] = reverse_lazy("people:mention_suggest")
    return field


class CommunityForm(InputLimits, forms.ModelForm):
    topics = forms.ModelMultipleChoiceField(
        queryset=Topic.objects.all(),
        required=False,
        widget=LongSelectMultiple(attrs={"size": 6, **TAG_PICKER}),
        label=_("Topics"),
        help_text=_("Threads get these topics unless the author picks others."),
    )

    class Meta:
        model = Community
        fields = ["name", "kind", "purpose", "rules", "topics", "visibility", "anonymity"]
        labels = {
            "name": _("Name"),
            "kind": _("Kind"),
            "purpose": _("Purpose"),
            "rules": _("Rules"),
            "visibility": _("Visibility"),
            "anonymity": _("Anonymous posts"),
        }
        error_messages = {"purpose": {"required": _("Say what the community is for.")}}
        help_texts = {
            "purpose": _("Required. What the community is for, in a sentence or two."),
            "rules": _("Optional house rules shown on the community page."),
        }
        widgets = {
            "purpose": forms.Textarea(attrs={"rows": 3}),
            "rules": forms.Textarea(attrs={"rows": 3}),
            "visibility": forms.RadioSelect,
        }

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Onboarding communities and cohorts are offered to L&D admins only (the service
        # refuses them too); a community keeps the kind it has.
        current = self.instance.kind if self.instance.pk else ""
        kind = self.fields["kind"]
        kind.choices = permissions.kind_choices_for(user, current)
        kind.error_messages["invalid_choice"] = gettext(
            "Choose one of the kinds offered. Onboarding communities and course cohorts are "
            "set up by L&D admins."
        )

    def clean_purpose(self):
        purpose = self.cleaned_data["purpose"].strip()
        if not purpose:
            raise forms.ValidationError(gettext("Say what the community is for."))
        return purpose


class ThreadForm(InputLimits, forms.Form):
    kind = forms.ChoiceField(choices=Thread.Kind.choices, label=_("Kind of thread"))
    title = forms.CharField(max_length=200, label=_("Title"))
    body = post_body(label=_("Text"), widget=forms.Textarea(attrs={"rows": 8}), required=False)
    url = forms.URLField(
        label=_("Link"),
        required=False,
        max_length=500,
        help_text=_("For a resource: the address of what you share."),
    )
    topics = forms.ModelMultipleChoiceField(
        queryset=Topic.objects.all(),
        required=False,
        widget=LongSelectMultiple(attrs={"size": 5, **TAG_PICKER}),
        label=_("Topics"),
        help_text=_(
            "Help requests reach everyone following these topics and people who "
            "answered well on them. Leave empty to use the community's topics."
        ),
    )
    is_anonymous = forms.BooleanField(label=_("Post anonymously"), required=False)

    def __init__(self, *args, community: Community, **kwargs):
        super().__init__(*args, **kwargs)
        self.community = community
        if community.anonymity == Community.Anonymity.OFF:
            del self.fields["is_anonymous"]
        elif community.anonymity == Community.Anonymity.REVIEW:
            self.fields["is_anonymous"].help_text = gettext(
                "Your name is shown to the community's managers only. "
                "A manager reviews anonymous posts before they appear."
            )
        else:
            self.fields["is_anonymous"].help_text = gettext(
                "Your name is shown to the community's managers only."
            )

    def clean(self):
        data = super().clean()
        if data.get("kind") == Thread.Kind.RESOURCE and not data.get("url"):
            self.add_error("url", gettext("A resource needs its link."))
        if data.get("kind") != Thread.Kind.RESOURCE and not (data.get("body") or "").strip():
            self.add_error("body", gettext("Write a few words: what is it about?"))
        return data


class ThreadEditForm(InputLimits, forms.Form):
    title = forms.CharField(max_length=200, label=_("Title"))
    body = post_body(label=_("Text"), widget=forms.Textarea(attrs={"rows": 10}), required=False)
    url = forms.URLField(label=_("Link"), required=False, max_length=500, assume_scheme="https")
    note = forms.CharField(
        label=_("What did you change?"),
        required=False,
        max_length=200,
        help_text=_("For tips: a short note kept with the revision."),
    )


class ReplyForm(InputLimits, forms.Form):
    body = post_body(
        label=_("Your reply"),
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Write something before you send it.")},
    )
    is_anonymous = forms.BooleanField(label=_("Reply anonymously"), required=False)

    def __init__(self, *args, community: Community, **kwargs):
        super().__init__(*args, **kwargs)
        if community.anonymity == Community.Anonymity.OFF:
            del self.fields["is_anonymous"]


class ReplyEditForm(InputLimits, forms.Form):
    body = post_body(label=_("Reply"), widget=forms.Textarea(attrs={"rows": 5}))


class ReactionForm(forms.Form):
    kind = forms.ChoiceField(choices=Reaction.Kind.choices)


class FlagForm(InputLimits, forms.ModelForm):
    category = forms.ChoiceField(
        label=_("What is wrong with this post?"),
        choices=Flag.Category.choices,
        widget=forms.RadioSelect,
        initial=Flag.Category.OTHER,
        required=False,
    )

    class Meta:
        model = Flag
        fields = ["category", "reason"]
        labels = {"reason": _("A note for the managers")}
        help_texts = {"reason": _("Needed for “Something else”; optional otherwise.")}
        widgets = {"reason": forms.TextInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].required = False

    def clean(self):
        data = super().clean()
        # A note alone (an older form, a script) counts as "something else".
        data["category"] = data.get("category") or Flag.Category.OTHER
        if data["category"] == Flag.Category.OTHER and not (data.get("reason") or "").strip():
            self.add_error("reason", gettext("Tell the managers what is wrong with this post."))
        return data


class InviteForm(InputLimits, forms.Form):
    emails = forms.CharField(
        label=_("Email addresses"),
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Separated by commas or new lines."),
    )

    def clean_emails(self):
        raw = self.cleaned_data["emails"].replace(",", "\n").split()
        emails = {e.strip().lower() for e in raw if e.strip()}
        users = list(get_user_model().objects.filter(email__in=emails, is_active=True))
        missing = emails - {u.email.lower() for u in users}
        if missing:
            raise forms.ValidationError(
                gettext("Nobody here has these addresses: %(emails)s")
                % {"emails": ", ".join(sorted(missing))}
            )
        return users


class ModerationForm(InputLimits, forms.Form):
    action = forms.ChoiceField(
        choices=[
            (a, a)
            for a in ("approve", "hide", "restore", "lock", "unlock", "pin", "unpin", "dismiss")
        ]
    )
    reason = forms.CharField(required=False, max_length=500, label=_("Why (kept in the log)"))
    thread = forms.IntegerField(required=False)
    reply = forms.IntegerField(required=False)

    def clean(self):
        data = super().clean()
        if bool(data.get("thread")) == bool(data.get("reply")):
            raise forms.ValidationError(gettext("Choose one post."))
        return data


MAX_ROSTER_BYTES = 1_000_000
MAX_ROSTER_TEXT = 500_000  # characters pasted: some 15,000 addresses


class CohortUploadForm(InputLimits, forms.Form):
    course_name = forms.CharField(
        label=_("Course name"),
        max_length=90,
        help_text=_("Each cohort is named after the course and its main shared interest."),
    )
    group_size = forms.IntegerField(
        label=_("Target group size"),
        min_value=2,
        max_value=200,
        initial=DEFAULT_GROUP_SIZE,
        help_text=_("Groups get this many people, give or take one."),
    )
    roster_file = forms.FileField(
        label=_("Roster (CSV file)"),
        required=False,
        help_text=_("One email per line; a header row such as “email” is fine."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv,text/plain"}),
    )
    roster_text = forms.CharField(
        label=_("…or paste the emails"),
        required=False,
        max_length=MAX_ROSTER_TEXT,
        widget=forms.Textarea(attrs={"rows": 6, "placeholder": "ana@example.com\nben@example.com"}),
    )

    def clean_roster_file(self):
        upload = self.cleaned_data.get("roster_file")
        if not upload:
            return ""
        if upload.size > MAX_ROSTER_BYTES:
            raise forms.ValidationError(gettext("The file is larger than 1 MB; split the roster."))
        try:
            return upload.read().decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise forms.ValidationError(
                gettext("The file is not UTF-8 text; save it as “CSV UTF-8” and upload it again.")
            ) from exc

    def clean(self):
        data = super().clean()
        text = data.get("roster_file") or data.get("roster_text") or ""
        if not text.strip() and not self.errors.get("roster_file"):
            raise forms.ValidationError(
                gettext("Upload a CSV file or paste the participants’ emails.")
            )
        data["roster"] = text
        return data
