from django.urls import path

from . import views

app_name = "courses"

urlpatterns = [
    path("", views.course_list, name="list"),
    path("new/", views.course_create, name="create"),
    path("<int:pk>/", views.course_detail, name="detail"),
    path("<int:pk>/edit/", views.course_edit, name="edit"),
    path("<int:pk>/calendar.ics", views.course_calendar_file, name="ics"),
    path("<int:pk>/enrol/", views.course_enrol, name="enrol"),
    path("<int:pk>/introduce/", views.course_introduce, name="introduce"),
    path("<int:pk>/roster/", views.course_roster, name="roster"),
    path("<int:pk>/readings/new/", views.reading_new, name="reading_new"),
    path("<int:pk>/readings/<int:item_pk>/", views.reading_detail, name="reading"),
    path("<int:pk>/prompts/new/", views.prompt_new, name="prompt_new"),
    path("<int:pk>/prompts/<int:prompt_pk>/open/", views.prompt_open, name="prompt_open"),
    path("<int:pk>/after/", views.course_after, name="after"),
    path("<int:pk>/complete/", views.course_complete, name="complete"),
    path("<int:pk>/facilitator/", views.facilitator, name="facilitator"),
    path("<int:pk>/guide/", views.guide, {"load": views.guided_course}, name="guide"),
    path(
        "<int:pk>/guide/prompt/",
        views.guide_prompt,
        {"load": views.guided_course},
        name="guide_prompt",
    ),
    path(
        "guide/challenges/<int:pk>/",
        views.guide,
        {"load": views.guided_challenge},
        name="challenge_guide",
    ),
    path(
        "guide/challenges/<int:pk>/prompt/",
        views.guide_prompt,
        {"load": views.guided_challenge},
        name="challenge_guide_prompt",
    ),
    path("spotlights/<int:pk>/remove/", views.spotlight_remove, name="spotlight_remove"),
]
