"""The site's URLs plus reference pages for the "≥ 0.25 of /healthz" budget discussion:
what Django itself costs a signed-in request on this machine, with nothing of the product's.
Only tests/perf/minimal_page.py serves these (its own settings module); the site never does.
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.template import RequestContext, Template
from django.urls import path

from socialearn.people.models import Profile
from socialearn.urls import urlpatterns as site

PAGE = Template('{% extends "base.html" %}{% block content %}<p>{{ name }}</p>{% endblock %}')


@login_required
def signed_in(request):
    """Session, authentication and one query: no template."""
    name = Profile.objects.filter(user=request.user).values_list("display_name", flat=True)
    return HttpResponse(name.first() or "")


@login_required
def signed_in_page(request):
    """The same and the base template (its menu asks its one query)."""
    name = Profile.objects.filter(user=request.user).values_list("display_name", flat=True)
    return HttpResponse(PAGE.render(RequestContext(request, {"name": name.first()})))


urlpatterns = [
    path("bench/signed-in/", signed_in),
    path("bench/signed-in-page/", signed_in_page),
    *site,
]
