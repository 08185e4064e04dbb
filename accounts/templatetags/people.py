"""People on pages, as ``accounts.privacy`` says the signed-in user sees them: the one way templates show a person.

    {% load people %}
    {% seen person as p %}{{ p.name }} {{ p.id_number }} {% if p.shows.phone %}{{ p.phone }}{% endif %}
    {% person_name case.beneficiary %}          a person's name, masked for whom the table says
    {% text_name "staff" event.worker %}        a name written as text (a trainer, a supervisor)
    {% people_show "staff" "annual_salary" as salary %}   how a column is shown ("" when not at all)

A template that reads ``person.name``, ``.birth_date``, ``.phone``, ``.address``, ``.id_number`` or
``.annual_salary`` of a person directly is refused by ``tests/accounts/test_privacy_pages.py``.
"""

from django import template

from accounts.privacy import Kind, people_view

register = template.Library()


def view_of(context):
    """The people view of the page's user (the least one without a request, as in a PDF rendered elsewhere)."""
    user = context.get("viewer")
    if user is None:
        request = context.get("request")
        user = getattr(request, "user", None)
    return people_view(user)


@register.simple_tag(takes_context=True)
def seen(context, person):
    """``person`` as the page's user sees them (``None`` stays ``None``)."""
    return None if person is None else view_of(context).seen(person)


@register.simple_tag(takes_context=True)
def person_name(context, person) -> str:
    """The name of ``person`` as the page's user sees it."""
    return "" if person is None else view_of(context).name(person)


@register.simple_tag(takes_context=True)
def text_name(context, kind: str, name: str) -> str:
    """A name kept as text, treated as the name of a person of ``kind``."""
    return view_of(context).name_text(Kind(kind), name)


@register.simple_tag(takes_context=True)
def people_show(context, kind: str, field: str) -> str:
    """How the page's user sees ``field`` of people of ``kind``: ``whole``, ``masked``, ``age``, ``own`` or ``""``."""
    return str(view_of(context).shows(Kind(kind), field))
