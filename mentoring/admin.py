from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from socialearn.people.admin_columns import email_column, person_column
from socialearn.people.admin_safety import SafeModelAdmin

from . import selectors, services
from .models import (
    AdhocRequest,
    AdhocVolunteer,
    Agreement,
    CheckIn,
    Enrolment,
    Goal,
    Match,
    MatchingRun,
    MatchNote,
    Meeting,
    Programme,
)


class ProgrammeAdminForm(forms.ModelForm):
    forget_conversations = forms.BooleanField(
        label=_("Delete the stored notes"),
        required=False,
        help_text=_(
            "Making a programme offline and unrecorded deletes the meeting notes and "
            "request notes its pairs have stored."
        ),
    )

    def clean(self):
        data = super().clean()
        switching = data.get("offline_unrecorded") and not self.initial.get("offline_unrecorded")
        if switching and self.instance.pk and not data.get("forget_conversations"):
            stored = selectors.programme_stored_conversations(self.instance)
            if any(stored.values()):
                values = {
                    "notes": stored["notes"],
                    "messages": stored["messages"],
                    "words": stored["words"],
                }
                self.add_error(
                    "forget_conversations",
                    (
                        _(
                            "Going offline and unrecorded deletes %(notes)s meeting note(s) "
                            "and %(messages)s request note(s), and %(words)s other text(s) "
                            "pairs wrote (goals, agendas, their notes, survey comments) of "
                            "this programme. Tick this box to delete them."
                        )
                        if stored["words"]
                        else _(
                            "Going offline and unrecorded deletes %(notes)s meeting note(s) "
                            "and %(messages)s request note(s) of this programme. "
                            "Tick this box to delete them."
                        )
                    )
                    % values,
                )
        return data


class CountedOnScoreboard:
    """Programmes, enrolments and matches changed here are counted again on the recruitment
    scoreboard (its services do the same for changes made on the site)."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)  # type: ignore[misc]
        services.scoreboard_changed()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)  # type: ignore[misc]
        services.scoreboard_changed()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)  # type: ignore[misc]
        services.scoreboard_changed()


@admin.register(Programme)
class ProgrammeAdmin(CountedOnScoreboard, SafeModelAdmin):
    form = ProgrammeAdminForm
    list_display = [
        "name",
        "matching_mode",
        "enrolment_opens_on",
        "enrolment_closes_on",
        "offline_unrecorded",
    ]
    list_filter = ["matching_mode", "offline_unrecorded"]
    search_fields = ["name"]
    autocomplete_fields = ["topics", "coordinators", "created_by"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if obj.offline_unrecorded and "offline_unrecorded" in form.changed_data:
            services.programme_conversations_forget(programme=obj)


@admin.register(Enrolment)
class EnrolmentAdmin(CountedOnScoreboard, SafeModelAdmin):
    list_display = [
        person_column("user", "person"),
        email_column("user"),
        "programme",
        "role",
        "capacity",
        "status",
        "unavailable",
        "created_at",
    ]
    list_filter = ["role", "status", "programme"]
    search_fields = ["user__profile__display_name", "user__email", "programme__name"]
    autocomplete_fields = ["user", "programme", "topics"]
    list_select_related = ["user__profile", "programme"]


@admin.register(Match)
class MatchAdmin(CountedOnScoreboard, SafeModelAdmin):
    list_display = [
        person_column("mentor__user", "mentor"),
        person_column("protege__user", "protégé"),
        "programme",
        "status",
        "score",
        "locked",
        "offered_at",
        "started_at",
    ]
    list_filter = ["status", "source", "locked", "programme"]
    search_fields = [
        "mentor__user__profile__display_name",
        "protege__user__profile__display_name",
        "mentor__user__email",
        "protege__user__email",
        "programme__name",
    ]
    autocomplete_fields = ["programme", "mentor", "protege", "declined_by"]
    list_select_related = ["programme", "mentor__user__profile", "protege__user__profile"]
    date_hierarchy = "offered_at"
    # Reasons and meetings belong to the pair; notes are never shown in lists.
    exclude = ["message"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name in ("mentor", "protege", "declined_by"):
            # Each chosen enrolment is shown by name and programme: fetched with them.
            kwargs["queryset"] = Enrolment.objects.select_related("user__profile", "programme")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Meeting)
class MeetingAdmin(SafeModelAdmin):
    # What a pair wrote is theirs: superusers only, and nothing at all once the programme is
    # offline and unrecorded (its notes are deleted then).
    private_fields = ("notes", "agenda")
    list_display = ["match", "programme", "met_on", "starts_at"]
    list_filter = ["match__programme"]
    search_fields = [
        "match__mentor__user__profile__display_name",
        "match__protege__user__profile__display_name",
    ]
    autocomplete_fields = ["match", "scheduled_by"]
    list_select_related = [
        "match__programme",
        "match__mentor__user__profile",
        "match__protege__user__profile",
    ]
    date_hierarchy = "met_on"

    @admin.display(description="programme", ordering="match__programme__name")
    def programme(self, obj):
        return obj.match.programme

    def get_exclude(self, request, obj=None):
        exclude = list(super().get_exclude(request, obj) or [])
        if obj is not None and obj.match.programme.offline_unrecorded:
            exclude += [name for name in ("notes", "agenda") if name not in exclude]
        return exclude

    def save_model(self, request, obj, form, change):
        if obj.match.programme.offline_unrecorded:
            obj.notes = obj.agenda = ""  # this programme never stores what was said
        super().save_model(request, obj, form, change)


@admin.register(MatchingRun)
class MatchingRunAdmin(SafeModelAdmin):
    list_display = ["programme", "status", "started_at", "matched"]
    list_filter = ["status", "programme"]
    search_fields = ["programme__name"]
    autocomplete_fields = ["programme", "started_by"]
    list_select_related = ["programme"]


@admin.register(AdhocRequest)
class AdhocRequestAdmin(SafeModelAdmin):
    list_display = [
        person_column("user", "asked by"),
        email_column("user"),
        "topic",
        "created_at",
        person_column("helper", "helped by"),
        "answered_at",
    ]
    list_filter = [("answered_at", admin.EmptyFieldListFilter), "topic"]
    search_fields = ["user__profile__display_name", "user__email", "topic__name"]
    autocomplete_fields = ["user", "topic", "helper"]
    list_select_related = ["user__profile", "topic", "helper__profile"]
    date_hierarchy = "created_at"


@admin.register(AdhocVolunteer)
class AdhocVolunteerAdmin(SafeModelAdmin):
    list_display = [person_column("user", "person"), email_column("user"), "topic", "created_at"]
    list_filter = ["topic"]
    search_fields = ["user__profile__display_name", "user__email", "topic__name"]
    autocomplete_fields = ["user", "topic"]
    list_select_related = ["user__profile", "topic"]


class _PairWordsAdmin(SafeModelAdmin):
    """A model of the pair's relationship: what they wrote is private (superusers only), and
    in an offline and unrecorded programme it is never shown nor saved, even to them."""

    words: tuple[str, ...] = ()
    list_filter = ["match__programme"]
    search_fields = [
        "match__mentor__user__profile__display_name",
        "match__protege__user__profile__display_name",
    ]
    autocomplete_fields = ["match"]
    list_select_related = [
        "match__programme",
        "match__mentor__user__profile",
        "match__protege__user__profile",
    ]

    def get_exclude(self, request, obj=None):
        exclude = list(super().get_exclude(request, obj) or [])
        if obj is not None and obj.match.programme.offline_unrecorded:
            exclude += [name for name in self.words if name not in exclude]
        return exclude

    def save_model(self, request, obj, form, change):
        if obj.match.programme.offline_unrecorded:
            for name in self.words:
                setattr(obj, name, "")
        super().save_model(request, obj, form, change)


@admin.register(Agreement)
class AgreementAdmin(_PairWordsAdmin):
    list_display = ["match", "frequency", "mode", "weeks", "ends_on", "extensions"]
    date_hierarchy = "ends_on"


@admin.register(Goal)
class GoalAdmin(_PairWordsAdmin):
    private_fields = words = ("title",)
    list_display = ["match", "source", "target_on", "status"]
    list_filter = ["status", "source", "match__programme"]
    autocomplete_fields = ["match", "created_by"]


@admin.register(MatchNote)
class MatchNoteAdmin(_PairWordsAdmin):
    private_fields = words = ("body",)
    list_display = ["match", "shared", "created_at"]
    autocomplete_fields = ["match", "meeting", "author"]


@admin.register(CheckIn)
class CheckInAdmin(_PairWordsAdmin):
    private_fields = words = ("comment",)
    list_display = ["match", "side", "stage", "sent_at", "answered_at", "satisfaction"]
    list_filter = ["stage", "side", "match__programme"]
    autocomplete_fields = ["match", "user"]
