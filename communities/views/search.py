"""Searching posts, and the similar questions shown while a question is typed."""

from django.contrib.auth.decorators import login_required
from django.template.response import TemplateResponse

from ..search import similar_questions as similar
from .access import _community


@login_required
def search(request):
    """ "Search posts" is the one search, filtered to threads and replies."""
    from socialearn.people.views import search_response

    return search_response(request, default_kind="threads")


@login_required
def similar_questions(request, slug: str):
    """Up to five questions like the title being typed, that the asker may read, answered first
    among the closest. A fragment for the new-thread form."""
    community, viewer = _community(request, slug)
    title = request.GET.get("title", "").replace("\x00", "")[:200]
    questions = similar(request.user, title) if viewer.is_member else []
    return TemplateResponse(
        request, "communities/_similar.html", {"questions": questions, "community": community}
    )
