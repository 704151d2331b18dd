from django.contrib import admin
from django.urls import include, path

from socialearn.people import views as people_views

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("search/", people_views.search_page, name="search"),
    path("search/suggest/", people_views.search_suggest, name="search_suggest"),
    path("people/", include("socialearn.people.urls")),
    path("inbox/", include("socialearn.notifications.urls")),
    path("insights/", include("socialearn.insights.urls")),
    path("communities/", include("communities.urls")),
    path("mentoring/", include("mentoring.urls")),
    path("sessions/", include("expertqa.urls")),
    path("challenges/", include("challenges.urls")),
]
