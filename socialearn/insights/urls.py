from django.urls import path

from . import views

app_name = "insights"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("nudges/", views.nudges, name="nudges"),
    path("export/<slug:table>.csv", views.overview_export, name="export"),
    path("<slug:kind>/<int:object_id>/", views.scope, name="scope"),
    path(
        "<slug:kind>/<int:object_id>/export/<slug:table>.csv",
        views.scope_export,
        name="scope_export",
    ),
]
