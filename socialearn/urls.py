from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from socialearn.people import views as people_views

from . import views

# The admin signs people in through the site's login, so its throttling covers the admin too.
admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    # set_language (POST, CSRF-protected): the language switch of signed-out pages.
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("calendar/", views.calendar_month, name="calendar"),
    path("calendar/subscription/", views.calendar_subscription, name="calendar_subscription"),
    path("calendar/feed/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
    path("search/", people_views.search_page, name="search"),
    path("search/suggest/", people_views.search_suggest, name="search_suggest"),
    path("people/", include("socialearn.people.urls")),
    path("scim/v2/", include("socialearn.people.identity.scim_urls")),
    path("inbox/", include("socialearn.notifications.urls")),
    path("nudges/", include("socialearn.nudges.urls")),
    path("insights/", include("socialearn.insights.urls")),
    path("communities/", include("communities.urls")),
    path("mentoring/", include("mentoring.urls")),
    path("sessions/", include("expertqa.urls")),
    path("challenges/", include("challenges.urls")),
    path("courses/", include("challenges.courses.urls")),
]
