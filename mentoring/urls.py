from django.urls import path

from . import mentor_requests, views
from .relationship import views as relationship

app_name = "mentoring"

urlpatterns = [
    path("", views.home, name="home"),
    path("me/", views.mine, name="mine"),
    path("programmes/new/", views.programme_create, name="programme_create"),
    path("programmes/<int:pk>/", views.programme_detail, name="programme"),
    path("programmes/<int:pk>/edit/", views.programme_edit, name="programme_edit"),
    path("programmes/<int:pk>/enrol/<str:role>/", views.enrol, name="enrol"),
    path("programmes/<int:pk>/coordinate/", views.coordinate, name="coordinate"),
    path("programmes/<int:pk>/run/", views.run_matching, name="run"),
    path("programmes/<int:pk>/swap/", views.match_swap, name="swap"),
    path("programmes/<int:pk>/publish/", views.publish, name="publish"),
    path("programmes/<int:pk>/export.csv", views.export_csv, name="export"),
    path("programmes/<int:pk>/call/", views.volunteer_call, name="call"),
    path("programmes/<int:pk>/request/<int:mentor_id>/", views.request_mentor, name="request"),
    path("matches/<int:pk>/", views.match_detail, name="match"),
    path("matches/<int:pk>/lock/", views.match_lock, name="lock"),
    path("matches/<int:pk>/accept/", views.match_accept, name="accept"),
    path("matches/<int:pk>/decline/", views.match_decline, name="decline"),
    path("matches/<int:pk>/complete/", views.match_complete, name="complete"),
    path("matches/<int:pk>/meetings/", views.meeting_add, name="meeting_add"),
    path("matches/<int:pk>/agreement/", relationship.agreement, name="agreement"),
    path("matches/<int:pk>/goals/", relationship.goal_add, name="goal_add"),
    path("goals/<int:pk>/status/", relationship.goal_status, name="goal_status"),
    path("matches/<int:pk>/schedule/", relationship.meeting_schedule, name="meeting_schedule"),
    path("meetings/<int:pk>/invite.ics", relationship.meeting_ics, name="meeting_ics"),
    path("matches/<int:pk>/notes/", relationship.note_add, name="note_add"),
    path("matches/<int:pk>/extend/", relationship.extend, name="extend"),
    path("matches/<int:pk>/become-mentor/", relationship.become_mentor, name="become_mentor"),
    path("checkins/<int:pk>/", relationship.checkin, name="checkin"),
    path("programmes/<int:pk>/outcomes.csv", relationship.outcomes_csv, name="outcomes"),
    path("enrolments/<int:pk>/availability/", views.availability, name="availability"),
    path("enrolments/<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("people/<int:user_id>/", mentor_requests.request_person, name="request_person"),
    path("ask/", views.adhoc_new, name="adhoc_new"),
    path("ask/<int:pk>/", views.adhoc_detail, name="adhoc"),
    path("ask/<int:pk>/help/", views.adhoc_help, name="adhoc_help"),
    path("ask/volunteer/", views.adhoc_volunteer, name="adhoc_volunteer"),
]
