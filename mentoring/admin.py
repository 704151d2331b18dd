from django.contrib import admin

from .models import AdhocRequest, AdhocVolunteer, Enrolment, Match, MatchingRun, Meeting, Programme


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
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


@admin.register(Enrolment)
class EnrolmentAdmin(admin.ModelAdmin):
    list_display = ["user", "programme", "role", "capacity", "status", "unavailable", "created_at"]
    list_filter = ["role", "status", "programme"]
    search_fields = ["user__email", "user__profile__display_name"]
    raw_id_fields = ["user"]
    list_select_related = ["user", "programme"]


@admin.register(Match)
class MatchAdmin(admin.ModelAdmin):
    list_display = ["__str__", "programme", "status", "score", "locked", "offered_at", "started_at"]
    list_filter = ["status", "source", "programme"]
    raw_id_fields = ["mentor", "protege", "declined_by"]
    list_select_related = ["programme", "mentor__user", "protege__user"]
    # Reasons and meetings belong to the pair; notes are never shown in lists.
    exclude = ["message"]


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ["match", "met_on"]
    raw_id_fields = ["match"]

    def get_exclude(self, request, obj=None):
        # Conversations of unrecorded programmes are never stored; never show the field.
        if obj is not None and obj.match.programme.offline_unrecorded:
            return ["notes"]
        return super().get_exclude(request, obj)


admin.site.register(MatchingRun)
admin.site.register(AdhocRequest)
admin.site.register(AdhocVolunteer)
