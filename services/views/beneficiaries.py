"""The people a station serves: list, forms and the logged view of a whole ID number."""

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy
from django.views.generic import CreateView, ListView, UpdateView

from accounts.mixins import (
    ObjectStationMixin,
    PersonFormMixin,
    RolePermissionRequiredMixin,
    ScopedQuerysetMixin,
    StationPageMixin,
)
from accounts.people import people_search
from config.params import query_text
from staffing.views import WholeIdNumberView
from stations.views import sorted_by

from ..forms import (
    BeneficiaryForm,
)
from ..models import Beneficiary, ServiceRecord, TargetGroup
from ..models import BeneficiaryIdNumberView as IdNumberLog
from .common import PAGE_SIZE, StationTabMixin, count_of


class BeneficiaryListView(RolePermissionRequiredMixin, StationTabMixin, ScopedQuerysetMixin, ListView):
    """The people a station serves, 25 a page: search by name, pinyin or whole ID number; key targets, groups."""

    model = Beneficiary
    permission_required = "services.view_beneficiary"
    template_name = "services/beneficiary_list.html"
    paginate_by = PAGE_SIZE
    tab = "beneficiaries"
    sorts = {"name": "name", "registered_on": "registered_on", "community": "community__code"}

    def scoped_queryset(self, queryset):
        people = queryset.filter(station=self.station)
        self.q = query_text(self.request.GET, "q", max_length=50)
        people = people_search(people, self.q, user=self.request.user)
        self.key = self.request.GET.get("key") == "1"
        if self.key:
            people = people.filter(key_target=True)
        self.group = query_text(self.request.GET, "group", max_length=40)
        if self.group:
            people = people.filter(target_groups__code=self.group)
        self.show_all = self.request.GET.get("show") == "all"
        if not self.show_all:
            people = people.filter(active=True)
        self.sort, ordering = sorted_by(self.request, self.sorts, ["-key_target", "name"])
        return (
            people.select_related("community")
            .prefetch_related(Prefetch("target_groups", queryset=TargetGroup.objects.order_by("order")))
            .annotate(records=count_of(ServiceRecord.beneficiaries.through, "beneficiary"))
            .order_by(*ordering, "pk")
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            q=self.q,
            key=self.key,
            group=self.group,
            show_all=self.show_all,
            sort=self.sort,
            groups=TargetGroup.objects.order_by("order"),
            **kwargs,
        )


class BeneficiaryFormMixin(PersonFormMixin):
    model = Beneficiary
    form_class = BeneficiaryForm
    template_name = "services/beneficiary_form.html"
    list_url_name = "services:beneficiaries"

    def get_context_data(self, **kwargs):
        return super().get_context_data(tab="beneficiaries", **kwargs)


class BeneficiaryCreateView(RolePermissionRequiredMixin, StationPageMixin, BeneficiaryFormMixin, CreateView):
    permission_required = "services.add_beneficiary"
    success_message = gettext_lazy("%(object)s registered.")


class BeneficiaryUpdateView(
    RolePermissionRequiredMixin, ObjectStationMixin, ScopedQuerysetMixin, BeneficiaryFormMixin, UpdateView
):
    permission_required = "services.change_beneficiary"
    success_message = gettext_lazy("%(object)s saved.")


class BeneficiaryIdNumberView(WholeIdNumberView):
    model = Beneficiary
    log_model = IdNumberLog
    subject = "beneficiary"
    back_url_name = "services:beneficiaries"
