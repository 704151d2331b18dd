from django.urls import path

from . import views

urlpatterns = [
    path("networks/<slug:slug>/", views.network, name="network"),
    path("networks/<slug:slug>/propose/", views.propose, name="propose"),
    path("networks/<slug:slug>/series/new/", views.series_new, name="series_new"),
    path("proposals/<int:pk>/", views.proposal_detail, name="proposal"),
    path("proposals/<int:pk>/accept/", views.proposal_accept, name="proposal_accept"),
    path("proposals/<int:pk>/decline/", views.proposal_decline, name="proposal_decline"),
    path("<int:pk>/recording/", views.recording_edit, name="recording"),
]
