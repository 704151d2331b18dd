"""Widgets for long lists of choices, written out in one pass: the same markup as Django's
own Jinja2 widget templates, which the site's form renderer uses."""

import pytest
from django import forms
from django.forms.renderers import Jinja2

from socialearn.forms import LongCheckboxes, LongSelect, LongSelectMultiple
from socialearn.people.models import Topic
from tests.factories import TopicFactory

ATTRS = {"data-picker": "tags", "data-picker-url": "/people/topic-suggestions/?a=1&b=<2>"}
CHOICES = [(1, "Data & analysis"), (2, "<Kotlin>"), (3, 'Say "hello"'), (4, "O'Neil's way")]


@pytest.mark.parametrize("value", [None, [], [2], ["1", "3", "4"]])
@pytest.mark.parametrize(
    "attrs",
    [
        {"id": "id_expertise"},
        {"id": "id_x", "class": "a&b", "aria-describedby": "id_x_helptext", "disabled": True},
        {},
        {"id": ""},
    ],
)
def test_checkboxes_are_the_stock_widgets(value, attrs):
    renderer = Jinja2()
    stock = forms.CheckboxSelectMultiple(attrs=ATTRS, choices=CHOICES)
    long = LongCheckboxes(attrs=ATTRS, choices=CHOICES)
    assert long.render("expertise", value, attrs, renderer) == stock.render(
        "expertise", value, attrs, renderer
    )


@pytest.mark.django_db
def test_checkboxes_of_a_model_choice_field_are_the_stock_widgets():
    chosen = [TopicFactory(name=name) for name in ("Négociation", "R&D <lab>", "Python")]
    TopicFactory(name="Zebra's")

    class Pick(forms.Form):
        stock = forms.ModelMultipleChoiceField(
            Topic.objects.order_by("name"), widget=forms.CheckboxSelectMultiple(attrs=ATTRS)
        )
        long = forms.ModelMultipleChoiceField(
            Topic.objects.order_by("name"), widget=LongCheckboxes(attrs=ATTRS)
        )

    form = Pick(initial={"stock": chosen[:2], "long": chosen[:2]})
    stock, long = str(form["stock"]), str(form["long"])
    assert long == stock.replace("id_stock", "id_long").replace('name="stock"', 'name="long"')
    assert long.count(" checked") == 2


def test_grouped_choices_are_left_to_the_stock_widget():
    grouped = [("Fruit", [(1, "Apple"), (2, "Pear")]), (3, "Other")]
    renderer = Jinja2()
    stock = forms.CheckboxSelectMultiple(choices=grouped)
    long = LongCheckboxes(choices=grouped)
    attrs = {"id": "id_g"}
    assert long.render("g", [2], attrs, renderer) == stock.render("g", [2], attrs, renderer)


SELECT_CHOICES = [("", "---------"), *CHOICES, (5, "Data & analysis")]


@pytest.mark.parametrize("value", [None, "", 2, "3", [], [2], ["1", "3", "4"]])
@pytest.mark.parametrize(
    "attrs",
    [
        {"id": "id_topic"},
        {"id": "id_x", "class": "a&b", "aria-describedby": "id_x_helptext", "required": True},
        {},
    ],
)
@pytest.mark.parametrize(
    ("long_widget", "stock_widget"),
    [(LongSelect, forms.Select), (LongSelectMultiple, forms.SelectMultiple)],
)
def test_selects_are_the_stock_widgets(value, attrs, long_widget, stock_widget):
    renderer = Jinja2()
    stock = stock_widget(attrs={"size": 5, **ATTRS}, choices=SELECT_CHOICES)
    long = long_widget(attrs={"size": 5, **ATTRS}, choices=SELECT_CHOICES)
    assert long.render("topic", value, attrs, renderer) == stock.render(
        "topic", value, attrs, renderer
    )


@pytest.mark.django_db
def test_selects_of_a_model_choice_field_are_the_stock_widgets():
    chosen = [TopicFactory(name=name) for name in ("Négociation", "R&D <lab>", "Python")]
    TopicFactory(name="Zebra's")
    topics = Topic.objects.order_by("name")

    class Pick(forms.Form):
        stock_one = forms.ModelChoiceField(topics)
        long_one = forms.ModelChoiceField(topics, widget=LongSelect)
        stock = forms.ModelMultipleChoiceField(topics, widget=forms.SelectMultiple(attrs=ATTRS))
        long = forms.ModelMultipleChoiceField(topics, widget=LongSelectMultiple(attrs=ATTRS))

    form = Pick(
        initial={
            "stock_one": chosen[1],
            "long_one": chosen[1],
            "stock": chosen[:2],
            "long": chosen[:2],
        }
    )
    for stock, long in (("stock_one", "long_one"), ("stock", "long")):
        written = str(form[long])
        assert written == str(form[stock]).replace(f"id_{stock}", f"id_{long}").replace(
            f'name="{stock}"', f'name="{long}"'
        )
    assert str(form["long"]).count(" selected") == 2


def test_grouped_select_choices_are_left_to_the_stock_widget():
    grouped = [("Fruit", [(1, "Apple"), (2, "Pear")]), (3, "Other")]
    renderer = Jinja2()
    attrs = {"id": "id_g"}
    for long, stock in ((LongSelect, forms.Select), (LongSelectMultiple, forms.SelectMultiple)):
        assert long(choices=grouped).render("g", [2], attrs, renderer) == stock(
            choices=grouped
        ).render("g", [2], attrs, renderer)
