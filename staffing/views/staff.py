"""Adding and changing a station's staff members, and the logged view of a whole ID number of staff and volunteers."""

from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import CreateView, UpdateView

from accounts.mixins import (
    ObjectStationMixin,
    PersonFormMixin,
    RolePermissionRequiredMixin,
    ScopedQuerysetMixin,
    StationPageMixin,
)

from ..forms import StaffMemberForm
from ..models import IdNumberView, StaffMember, Volunteer
from .common import FULL_ID_NUMBER


class StaffFormMixin(PersonFormMixin):
    model = StaffMember
    form_class = StaffMemberForm
    template_name = "staffing/staff_form.html"
    list_url_name = "staffing:roster"


class StaffCreateView(RolePermissionRequiredMixin, StationPageMixin, StaffFormMixin, CreateView):
    """A new staff member of the station in the address."""

    permission_required = "staffing.add_staffmember"
    success_message = gettext_lazy("%(object)s added to the roster.")


class StaffUpdateView(RolePermissionRequiredMixin, ObjectStationMixin, ScopedQuerysetMixin, StaffFormMixin, UpdateView):
    """A staff member's record; leaving is recorded here (``left_on``), the record stays."""

    permission_required = "staffing.change_staffmember"
    success_message = gettext_lazy("%(object)s saved.")


class WholeIdNumberView(RolePermissionRequiredMixin, ScopedQuerysetMixin, View):
    """POST only: the whole ID number of one person, shown once, to holders of its own permission; logged."""

    permission_required = FULL_ID_NUMBER
    http_method_names = ["post"]
    log_model = IdNumberView  # the audit table of whole-number views
    subject: str  # the ``log_model`` field naming whose number is seen
    back_url_name: str  # the station's page to go back to

    def post(self, request, *args, **kwargs):
        person = get_object_or_404(self.get_queryset().select_related("station"), pk=kwargs["pk"])
        self.log_model.objects.create(viewer=request.user, **{self.subject: person})
        back = reverse(self.back_url_name, args=[person.station_id])
        response = render(
            request, "staffing/id_number.html", {"person": person, "station": person.station, "back": back}
        )
        response["Cache-Control"] = "no-store"
        return response


class StaffIdNumberView(WholeIdNumberView):
    model = StaffMember
    subject = "staff_member"
    back_url_name = "staffing:roster"


class VolunteerIdNumberView(WholeIdNumberView):
    model = Volunteer
    subject = "volunteer"
    back_url_name = "staffing:volunteers"
