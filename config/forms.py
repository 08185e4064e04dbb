"""What every browser form of the portal shares: a select's empty choice reads "请选择" (Please choose), not dashes;
and, for the longer forms, their fields in titled groups (``FieldsetsMixin``, laid out by
``includes/_fieldsets.html``).

Every form class of the portal's apps derives from ``PortalFormMixin`` (a test walks them all), so a new form
cannot forget it.
"""

from django import forms
from django.db.models.fields import BLANK_CHOICE_DASH
from django.utils.translation import gettext_lazy as _

from config.params import bound_numbers_and_dates

DASHES = BLANK_CHOICE_DASH[0][1]  # Django's "---------"
BLANK_LABEL = _("Please choose")


def blank_choice_labels(form: forms.BaseForm) -> None:
    """Name the empty choice of every select of ``form`` "Please choose" where Django left its dashes.

    A label the form set on purpose ("Every project", "Not under a project") stays.
    """
    for field in form.fields.values():
        if isinstance(field, forms.ModelChoiceField):
            if field.empty_label == DASHES:
                field.empty_label = BLANK_LABEL
        elif isinstance(field, forms.ChoiceField):
            choices = list(field.choices)
            if choices and choices[0][0] in ("", None) and choices[0][1] == DASHES:
                field.choices = [("", BLANK_LABEL), *choices[1:]]


class PortalFormMixin:
    """The base of the portal's forms (before ``forms.Form`` / ``forms.ModelForm``): see ``blank_choice_labels``."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        blank_choice_labels(self)
        bound_numbers_and_dates(self)


class FieldsetsMixin:
    """``fieldsets()``: the bound fields in titled groups, for the page to lay out (``includes/_fieldsets.html``)."""

    FIELDSETS: list[tuple[str, list[str]]] = []

    def fieldsets(self) -> list[tuple[str, list]]:
        return [(legend, [self[name] for name in names if name in self.fields]) for legend, names in self.FIELDSETS]
