"""The personal dashboard is assembled from sections each feature offers.

The project package may import features (it sits on top); each feature exposes
`dashboard_section(request, *, readable) -> dict | None` in its `dashboard.py`, returning
{"title", "template", "context", "order"}. Sections that return None are left out.
`readable` is the communities the viewer may read (communities_visible_to, as their ids),
built and compiled once for the page (compiled_readable): several sections show only what
lives in them.
"""

import importlib

from communities.selectors import compiled_readable

FEATURE_DASHBOARDS = [
    "communities.dashboard",
    "expertqa.dashboard",
    "mentoring.dashboard",
    "challenges.dashboard",
    "socialearn.people.dashboard",
]


def dashboard_sections(request) -> list[dict]:
    sections = []
    readable = compiled_readable(request.user)
    for module_name in FEATURE_DASHBOARDS:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError:
            continue
        section = module.dashboard_section(request, readable=readable)
        if section:
            sections.extend(section if isinstance(section, list) else [section])
    return sorted(sections, key=lambda s: s.get("order", 100))
