"""The site's form renderer writes what Django's own Jinja2 templates write, empty error
lists (answered without their template) included."""

import pytest
from django.forms.renderers import Jinja2
from django.forms.utils import ErrorDict, ErrorList

from socialearn.form_renderer import FastFormRenderer


def _lists(renderer) -> list:
    return [
        ErrorList(renderer=renderer),
        ErrorList(["Too long & <short>"], renderer=renderer),
        ErrorList(["One", "Two"], error_class="nonfield", renderer=renderer, field_id="id_x"),
        ErrorDict(renderer=renderer),
        ErrorDict({"name": ErrorList(["Needed"], renderer=renderer)}, renderer=renderer),
    ]


@pytest.mark.parametrize("way", ["render", "as_ul", "as_text"])
def test_error_lists_and_dicts_are_written_as_the_stock_templates_write_them(way):
    ours = [getattr(errors, way)() for errors in _lists(FastFormRenderer())]
    stock = [getattr(errors, way)() for errors in _lists(Jinja2())]
    assert ours == stock
    assert ours[0] == ours[3] == ""
