"""The browser pages of a region policy (staffing standards, evaluation thresholds): the policies that may apply in
the user's scope, a new one, and an edit page with every saved version; and the region and year of its form.

``stations/policies.py`` is the mechanism (scope, the nearest policy, the API); this is its pages, shared by every
policy model. An app names its model, URL names and words in one mixin; its two page templates extend
``includes/policy_list.html`` and ``includes/policy_form.html`` and fill in the policy's own figures.
"""

from datetime import date

from django.urls import reverse
from django.utils.translation import gettext as _
from rest_framework.exceptions import PermissionDenied as ScopeDenied

from accounts.mixins import ScopedFormMixin, ScopedQuerysetMixin
from accounts.scope import scope_of
from config.params import query_year

from .choices import RegionLevel
from .models import Region

PAGE_SIZE = 25
POLICY_LEVELS = [RegionLevel.PROVINCE, RegionLevel.CITY, RegionLevel.COUNTY]
HISTORY_SHOWN = 50


def policy_regions(user):
    """Regions ``user`` may set policy for (and keep scorecards for): their own and below, down to counties."""
    regions = Region.objects.visible_to(user).filter(level__in=POLICY_LEVELS).order_by("path")
    scope = scope_of(user)
    if scope.everything:
        return regions
    if scope.region is None:
        return regions.none()
    return regions.filter(path__startswith=scope.region.path)


class RegionPolicyPagesMixin:
    """What the pages of one policy model name; set by the app's mixin, before these in the bases."""

    model: type  # a policy model: ``region``, ``year``, ``RegionPolicyQuerySet``, ``history``
    list_title: str  # "Staffing policies": the list's title and the form's way back
    list_url_name: str
    create_url_name: str
    edit_url_name: str

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            list_title=self.list_title,
            list_url=reverse(self.list_url_name),
            create_url=reverse(self.create_url_name),
            edit_url_name=self.edit_url_name,
            **kwargs,
        )


class RegionPolicyListMixin(RegionPolicyPagesMixin, ScopedQuerysetMixin):
    """The policies that may apply in the user's scope, newest year first (``?year=``), marked where editable, with
    the model's shipped defaults under them."""

    paginate_by = PAGE_SIZE
    intro: str
    empty_message: str

    def scoped_queryset(self, queryset):
        year = query_year(self.request.GET, default=None)
        self.year = "" if year is None else str(year)
        if year is not None:
            queryset = queryset.filter(year=year)
        return queryset.select_related("region").order_by("-year", "region__path")

    def prepare_rows(self, policies) -> None:
        """Figures worked out for each policy shown (staffing: the salary floor); none by default."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        model, user = self.model, self.request.user
        policies = context["object_list"]
        editable = set(
            model.objects.editable_by(user)
            .filter(pk__in=[policy.pk for policy in policies])
            .values_list("pk", flat=True)
        )
        for policy in policies:
            policy.editable = policy.pk in editable
        self.prepare_rows(policies)
        years = model.objects.visible_to(user).order_by("-year").values_list("year", flat=True).distinct()
        return {
            **context,
            "title": self.list_title,
            "intro": self.intro,
            "empty_message": self.empty_message,
            "year": self.year,
            "years": list(years),
            "defaults": model(),
            "can_add": user.has_perm(f"{model._meta.app_label}.add_{model._meta.model_name}"),
        }


class RegionPolicyFormMixin(RegionPolicyPagesMixin, ScopedFormMixin):
    """A policy's form: its region one the user may set policy for; a save outside them is refused and rolled back."""

    title_new: str  # "New staffing policy"
    title_of: str  # "Staffing policy of %(name)s"
    intro: str

    def get_success_url(self):
        return reverse(self.list_url_name)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "regions": policy_regions(self.request.user)}

    def save_form(self, form):
        policy = form.save()
        if not type(policy).objects.editable_by(self.request.user).filter(pk=policy.pk).exists():
            raise ScopeDenied(_("Only officials of this policy's region, or above it, can change it."))
        return policy

    def get_context_data(self, **kwargs):
        title = self.title_of % {"name": self.object} if self.object else self.title_new
        return super().get_context_data(title=title, intro=self.intro, **kwargs)


class RegionPolicyCreateMixin(RegionPolicyFormMixin):
    """A new policy for a region and year (this year to start with); its figures start at the shipped defaults."""

    def get_initial(self):
        return {"year": date.today().year}


class RegionPolicyUpdateMixin(RegionPolicyFormMixin, ScopedQuerysetMixin):
    """A policy the user may change (their region or below; any other is a 404), every saved version under it."""

    def scoped_queryset(self, queryset):
        return (queryset & self.model.objects.editable_by(self.request.user)).select_related("region")

    def get_context_data(self, **kwargs):
        history = self.object.history.select_related("history_user").order_by("-history_date", "-history_id")
        return super().get_context_data(history=history[:HISTORY_SHOWN], **kwargs)


class RegionPolicyFormFieldsMixin:
    """The region and year of a policy form (before ``forms.ModelForm``): the region one of ``regions``, both fixed
    once saved, and a second policy for the same region and year refused on the year with ``duplicate_message``."""

    duplicate_message: str  # "%(region)s already has a policy for %(year)s: edit it instead."

    def __init__(self, *args, regions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions
        if self.instance.pk:
            self.fields["region"].disabled = True
            self.fields["year"].disabled = True

    def clean(self):
        cleaned = super().clean()
        region, year = cleaned.get("region"), cleaned.get("year")
        if (
            not self.instance.pk
            and region
            and year
            and type(self.instance).objects.filter(region=region, year=year).exists()
        ):
            self.add_error("year", self.duplicate_message % {"region": region, "year": year})
        return cleaned
