"""Every form field in every page has a label: a <label for=>, a wrapping <label>, or aria-label.

Each page of the product is rendered as the people who see its forms (an anonymous visitor, an
employee, a community manager, an L&D admin and a mentoring coordinator), plain and as htmx
fragments, and its HTML parsed for inputs, selects and textareas nobody could name.
"""

import pytest

from tests.crawl import build_world, parse_forms, real_kwargs, routes

pytestmark = pytest.mark.django_db


def test_every_form_field_in_every_page_has_a_label(client):
    world = build_world()
    problems = set()
    pages = 0
    for label, user in world["users"].items():
        client.logout()
        if user is not None:
            client.force_login(user)
        seen = set()
        for route in routes():
            if route.path.startswith(("admin/", "accounts/logout")):
                continue
            for kwargs in real_kwargs(route, world, user):
                url = route.url(kwargs)
                if url is None or url in seen:
                    continue
                seen.add(url)
                for headers in ({}, {"HX-Request": "true"}):
                    response = client.get(url, headers=headers)
                    if response.status_code != 200 or not response.get(
                        "Content-Type", ""
                    ).startswith("text/html"):
                        continue
                    pages += 1
                    for field in parse_forms(response.content.decode()).unlabelled():
                        problems.add(
                            f"{url}{' (htmx)' if headers else ''} as {label}: "
                            f"<{field.kind} name={field.name!r} id={field.id!r}> "
                            f"(line {field.line}) has no label"
                        )
    assert pages > 100
    assert not problems, "\n".join(sorted(problems))
