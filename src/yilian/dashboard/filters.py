"""The dashboard's picker: a year and a division, read from the query string.

A missing or unusable value falls back to its default (this year, the zone), so a shared
or bookmarked link never ends in an error page.
"""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy

from yilian.dashboard import labels, stats


class ScopeForm(forms.Form):
    year = forms.TypedChoiceField(label=gettext_lazy("年度"), coerce=int)
    division = forms.ChoiceField(label=gettext_lazy("地区"), required=False)

    def __init__(self, data=None) -> None:
        super().__init__(data)
        self.fields["year"].choices = [(y, str(y)) for y in stats.years()]
        self.fields["division"].choices = labels.division_choices(stats.ZONE)


def read_scope(query) -> tuple[ScopeForm, stats.Scope]:
    """The form to show (bound to what was asked, or to the defaults) and its scope."""
    defaults = {"year": timezone.localdate().year, "division": stats.ZONE}
    asked = {key: query[key] for key in defaults if key in query}
    form = ScopeForm({**defaults, **asked})
    if not form.is_valid():
        form = ScopeForm(defaults)
        form.is_valid()
    return form, stats.Scope(form.cleaned_data["year"], form.cleaned_data["division"])
