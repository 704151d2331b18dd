from django import forms
from django.contrib import admin

from socialearn.people.admin_safety import SafeModelAdmin

from . import selectors, services
from .models import AdhocRequest, AdhocVolunteer, Enrolment, Match, MatchingRun, Meeting, Programme


class ProgrammeAdminForm(forms.ModelForm):
    forget_conversations = forms.BooleanField(
        label="Delete the stored notes",
        required=False,
        help_text="Making a programme offline and unrecorded deletes the meeting notes and "
        "request notes its pairs have stored.",
    )

    def clean(self):
        data = super().clean()
        switching = data.get("offline_unrecorded") and not self.initial.get("offline_unrecorded")
        if switching and self.instance.pk and not data.get("forget_conversations"):
            stored = selectors.programme_stored_conversations(self.instance)
            if any(stored.values()):
                self.add_error(
                    "forget_conversations",
                    f"Going offline and unrecorded deletes {stored['notes']} meeting note(s) "
                    f"and {stored['messages']} request note(s) of this programme. "
                    "Tick this box to delete them.",
                )
        return data


@admin.register(Programme)
class ProgrammeAdmin(SafeModelAdmin):
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
    filter_horizontal = ["topics", "coordinators"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if obj.offline_unrecorded and "offline_unrecorded" in form.changed_data:
            services.programme_conversations_forget(programme=obj)


@admin.register(Enrolment)
class EnrolmentAdmin(SafeModelAdmin):
    list_display = ["user", "programme", "role", "capacity", "status", "unavailable", "created_at"]
    list_filter = ["role", "status", "programme"]
    search_fields = ["user__email", "user__profile__display_name"]
    raw_id_fields = ["user"]
    list_select_related = ["user", "programme"]


@admin.register(Match)
class MatchAdmin(SafeModelAdmin):
    list_display = ["__str__", "programme", "status", "score", "locked", "offered_at", "started_at"]
    list_filter = ["status", "source", "programme"]
    raw_id_fields = ["mentor", "protege", "declined_by"]
    list_select_related = ["programme", "mentor__user", "protege__user"]
    # Reasons and meetings belong to the pair; notes are never shown in lists.
    exclude = ["message"]


@admin.register(Meeting)
class MeetingAdmin(SafeModelAdmin):
    # What a pair wrote is theirs: superusers only, and nothing at all once the programme is
    # offline and unrecorded (its notes are deleted then).
    private_fields = ("notes",)
    list_display = ["match", "met_on"]
    raw_id_fields = ["match"]

    def get_exclude(self, request, obj=None):
        exclude = list(super().get_exclude(request, obj) or [])
        if obj is not None and obj.match.programme.offline_unrecorded and "notes" not in exclude:
            exclude.append("notes")
        return exclude

    def save_model(self, request, obj, form, change):
        if obj.match.programme.offline_unrecorded:
            obj.notes = ""  # this programme never stores what was said
        super().save_model(request, obj, form, change)


@admin.register(MatchingRun)
class MatchingRunAdmin(SafeModelAdmin):
    list_display = ["programme", "status", "started_at", "matched"]
    list_select_related = ["programme"]


@admin.register(AdhocRequest)
class AdhocRequestAdmin(SafeModelAdmin):
    pass


@admin.register(AdhocVolunteer)
class AdhocVolunteerAdmin(SafeModelAdmin):
    pass
