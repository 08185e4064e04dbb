"""Evaluation pages: satisfaction surveys.

The station's staff create a survey, print its poster (QR code of the public link) and key in paper forms; the
officials and evaluators who reach the station read the results. The public link (``s/<token>/``) needs no sign-in:
one phone-sized form, one answer per device, rate-limited per address like the API's public endpoint.
"""

from datetime import date
from functools import cached_property

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Sum
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.generic import FormView, ListView, TemplateView

from accounts.mixins import RolePermissionRequiredMixin, ScopedQuerysetMixin, add_rule_errors
from config.lists import Column, ListPageMixin
from stations.models import Station

from ..api.surveys import (
    device_id_of,
    open_survey_or_404,
    public_survey_wait,
    public_url,
    remember_device,
    survey_state,
    with_figures,
)
from ..choices import SurveyChannel
from ..forms.surveys import AnswersForm, SurveyForm
from ..models import Survey
from ..rules.surveys import (
    DUPLICATE,
    mean_of,
    survey_create,
    survey_device_key,
    survey_qr_svg,
    survey_response_record,
    survey_results,
    survey_update,
)

STATE_LABELS = {
    "upcoming": gettext_lazy("Not yet open"),
    "open": gettext_lazy("Open"),
    "closed": gettext_lazy("Closed"),
}
STATE_BADGES = {"upcoming": "text-bg-secondary", "open": "text-bg-success", "closed": "text-bg-light border"}


def with_state(survey: Survey) -> Survey:
    """The survey with its state (label and badge) and mean, for the pages."""
    survey.state = survey_state(survey)
    survey.state_label = STATE_LABELS[survey.state]
    survey.state_badge = STATE_BADGES[survey.state]
    if hasattr(survey, "answer_count"):
        survey.mean = mean_of(survey.answer_sum or 0, survey.answer_count)
    return survey


class SurveyStationMixin:
    """The station in the address (``station_pk``), within the user's scope, else a 404."""

    @cached_property
    def station(self) -> Station:
        stations = Station.objects.visible_to(self.request.user).select_related("township")
        return get_object_or_404(stations, pk=self.kwargs["station_pk"])

    def get_context_data(self, **kwargs):
        kwargs.setdefault("station", self.station)
        return super().get_context_data(**kwargs)


class SurveyListView(RolePermissionRequiredMixin, SurveyStationMixin, ListPageMixin, ScopedQuerysetMixin, ListView):
    """The station's surveys, newest first, with their period, state, responses and mean; Excel export."""

    model = Survey
    permission_required = "evaluation.view_survey"
    template_name = "evaluation/surveys/list.html"
    paginate_by = 25
    default_ordering = ("-opens_on", "-pk")
    search_fields = ("title",)
    search_placeholder = gettext_lazy("Survey title")
    empty_message = gettext_lazy("No satisfaction survey yet.")
    empty_icon = "clipboard-heart"
    export_filename = gettext_lazy("satisfaction surveys %(date)s.xlsx")

    def get_export_filename(self) -> str:
        return _("%(station)s satisfaction surveys %(date)s.xlsx") % {
            "station": self.station.name,
            "date": date.today().isoformat(),
        }

    def get_columns(self) -> list[Column]:
        return [
            Column("title", _("Title"), "title", value="title", width=30),
            Column("year", _("Year"), "year", value="year", width=8),
            Column("opens_on", _("Open from"), "opens_on", value="opens_on", width=12),
            Column("closes_on", _("Open until"), "closes_on", value="closes_on", width=12),
            Column("state", _("State"), value=lambda survey: str(survey.state_label), width=10),
            Column("responses", _("Responses"), "response_count", css="text-end", value="response_count", width=10),
            Column("mean", _("Mean (1-5)"), css="text-end", value="mean", width=10),
            Column("actions", _("Actions"), label_hidden=True),
        ]

    def scoped_queryset(self, queryset):
        return self.ordered(with_figures(self.listed(queryset.filter(station=self.station))))

    def prepare_rows(self, rows: list) -> list:
        return [with_state(survey) for survey in rows]

    def get_totals(self, queryset) -> dict:
        """Responses and the mean over every answer of the surveys listed: one aggregate."""
        figures = Survey.objects.filter(pk__in=queryset.order_by().values("pk")).aggregate(
            response_total=Count("responses", distinct=True),
            answer_total=Count("responses__answers"),
            score_total=Sum("responses__answers__score"),
        )
        mean = mean_of(figures["score_total"] or 0, figures["answer_total"])
        return {"responses": figures["response_total"], "mean": "—" if mean is None else mean}


class SurveyFormPageMixin:
    """The survey form's page (create and edit): the rule's refusals land on their fields."""

    template_name = "evaluation/surveys/form.html"
    form_class = SurveyForm

    def form_valid(self, form):
        try:
            self.object = self.save(form)
        except ValidationError as error:
            add_rule_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, self.success_message % {"title": self.object.title})
        return HttpResponseRedirect(reverse("evaluation:survey-detail", args=[self.object.pk]))


class SurveyCreateView(RolePermissionRequiredMixin, SurveyStationMixin, SurveyFormPageMixin, FormView):
    """A new survey of the station: its year is the year it opens in."""

    permission_required = "evaluation.add_survey"
    success_message = gettext_lazy("Survey “%(title)s” created: print its poster or key in paper forms.")

    def get_initial(self):
        today = timezone.localdate()
        return {
            "title": _("%(year)d satisfaction survey") % {"year": today.year},
            "opens_on": today,
            "closes_on": date(today.year, 12, 31),
        }

    def save(self, form):
        data = form.cleaned_data
        return survey_create(
            station=self.station,
            year=data["opens_on"].year,
            title=data["title"],
            opens_on=data["opens_on"],
            closes_on=data["closes_on"],
            questions=form.question_texts(),
            user=self.request.user,
        )


class SurveyObjectMixin(ScopedQuerysetMixin):
    """A page of one survey in the user's scope (else 404), with its station."""

    model = Survey

    @cached_property
    def survey(self) -> Survey:
        return get_object_or_404(self.get_queryset().select_related("station__township"), pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        kwargs.setdefault("survey", with_state(self.survey))
        kwargs.setdefault("station", self.survey.station)
        return super().get_context_data(**kwargs)


class SurveyUpdateView(RolePermissionRequiredMixin, SurveyObjectMixin, SurveyFormPageMixin, FormView):
    """Change a survey's title and dates; its questions too while nobody has answered."""

    permission_required = "evaluation.change_survey"
    success_message = gettext_lazy("Survey “%(title)s” saved.")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "questions_fixed": self.survey.responses.exists()}

    def get_initial(self):
        survey = self.survey
        texts = survey.questions.order_by("order", "pk").values_list("text", flat=True)
        return {
            "title": survey.title,
            "opens_on": survey.opens_on,
            "closes_on": survey.closes_on,
            "questions": "\n".join(texts),
        }

    def save(self, form):
        data = form.cleaned_data
        if data["opens_on"].year != self.survey.year:
            raise ValidationError({"opens_on": _("The survey must open in the year it is for.")})
        return survey_update(
            survey=self.survey,
            user=self.request.user,
            title=data["title"],
            opens_on=data["opens_on"],
            closes_on=data["closes_on"],
            questions=form.question_texts(),
        )


def results_chart(results) -> list[dict]:
    """Each question's bar: its mean as a share of 5, and the share of each score among its answers."""
    bars = []
    for number, question in enumerate(results.questions, start=1):
        shares = [round(100 * n / question.responses, 1) if question.responses else 0 for n in question.counts]
        bars.append(
            {
                "number": number,
                "question": question,
                "width": float(question.mean or 0) / 5 * 100,
                "scores": [
                    {"score": s, "count": n, "share": share}
                    for s, n, share in zip(range(1, 6), question.counts, shares, strict=True)
                ],
            }
        )
    return bars


class SurveyDetailView(RolePermissionRequiredMixin, SurveyObjectMixin, TemplateView):
    """A survey's results per question as bars (mean of 5, and how many gave each score), its responses by
    channel; for the station's staff, the public link, the poster and the paper entry."""

    permission_required = "evaluation.view_survey"
    template_name = "evaluation/surveys/detail.html"

    def get_context_data(self, **kwargs):
        survey = self.survey
        results = survey_results(survey=survey)
        channels = dict(survey.responses.order_by().values_list("channel").annotate(n=Count("pk")))
        user = self.request.user
        return super().get_context_data(
            results=results,
            bars=results_chart(results),
            paper=channels.get(SurveyChannel.PAPER, 0),
            online=channels.get(SurveyChannel.ONLINE, 0),
            manages=user.has_perm("evaluation.change_survey"),
            public_link=public_url(self.request, survey) if user.has_perm("evaluation.change_survey") else "",
            **kwargs,
        )


class SurveyEnterView(RolePermissionRequiredMixin, SurveyObjectMixin, FormView):
    """Key in a stack of paper forms: a digit 1-5 a question (the cursor moves on by itself), Enter records the
    form and the next blank one is ready."""

    permission_required = ("evaluation.view_survey", "evaluation.add_surveyresponse")
    template_name = "evaluation/surveys/enter.html"
    form_class = AnswersForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "questions": self.survey.questions.order_by("order", "pk")}

    def form_valid(self, form):
        try:
            survey_response_record(
                survey=self.survey,
                answers=form.answers(),
                channel=SurveyChannel.PAPER,
                user=self.request.user,
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as error:
            add_rule_errors(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("Paper form recorded: %(n)d responses so far.") % {"n": self.survey.responses.count()},
        )
        return HttpResponseRedirect(reverse("evaluation:survey-enter", args=[self.survey.pk]))

    def get_context_data(self, **kwargs):
        return super().get_context_data(entered=self.survey.responses.count(), **kwargs)


class SurveyPosterView(RolePermissionRequiredMixin, SurveyObjectMixin, TemplateView):
    """An A4 poster to print: the station, the survey, the QR code of its public link and the link itself."""

    permission_required = "evaluation.change_survey"
    template_name = "evaluation/surveys/poster.html"

    def get_context_data(self, **kwargs):
        link = public_url(self.request, self.survey)
        # segno escapes the title it writes; the rest of the SVG is its own markup.
        qr = mark_safe(survey_qr_svg(url=link, title=_("QR code of the survey")))  # noqa: S308
        return super().get_context_data(link=link, qr=qr, **kwargs)


# --- the public link --------------------------------------------------------------------------------------------


@method_decorator(ensure_csrf_cookie, name="get")
class SurveyPublicView(TemplateView):
    """The respondent's form, sized for a phone: no sign-in, nothing personal asked, one answer per device."""

    template_name = "evaluation/surveys/public.html"

    @cached_property
    def survey(self) -> Survey:
        return open_survey_or_404(self.kwargs["token"])

    def form(self, data=None) -> AnswersForm:
        return AnswersForm(data, questions=self.survey.questions.order_by("order", "pk"), public=True)

    def get(self, request, *args, **kwargs):
        device_id, new = device_id_of(request)
        response = self.render_to_response(self.get_context_data(form=self.form()))
        if new:
            remember_device(response, request, device_id)
        return response

    def post(self, request, *args, **kwargs):
        survey = self.survey
        if (wait := public_survey_wait(request)) is not None:
            return render(request, "evaluation/surveys/public_busy.html", {"wait": int(wait) + 1}, status=429)
        form = self.form(request.POST)
        device_id, new = device_id_of(request)
        if form.is_valid():
            try:
                survey_response_record(
                    survey=survey,
                    answers=form.answers(),
                    channel=SurveyChannel.ONLINE,
                    device=survey_device_key(survey=survey, device_id=device_id),
                    comment=form.cleaned_data["comment"],
                )
            except ValidationError as error:
                if any(e.code == DUPLICATE for e in getattr(error, "error_dict", {}).get("device", [])):
                    return HttpResponseRedirect(
                        reverse("evaluation:survey-public-thanks", args=[survey.token]) + "?again=1"
                    )
                add_rule_errors(form, error)
            else:
                response = HttpResponseRedirect(reverse("evaluation:survey-public-thanks", args=[survey.token]))
                if new:
                    remember_device(response, request, device_id)
                return response
        response = self.render_to_response(self.get_context_data(form=form))
        if new:
            remember_device(response, request, device_id)
        return response

    def get_context_data(self, **kwargs):
        return super().get_context_data(survey=self.survey, station=self.survey.station, **kwargs)


class SurveyPublicThanksView(TemplateView):
    """Thanks after an answer (or for one already given on this device); a closed survey's link still thanks."""

    template_name = "evaluation/surveys/public_thanks.html"

    def get_context_data(self, **kwargs):
        survey = get_object_or_404(Survey.objects.select_related("station"), token=self.kwargs["token"])
        return super().get_context_data(
            survey=survey, station=survey.station, again=self.request.GET.get("again") == "1", **kwargs
        )


urlpatterns = [
    path("stations/<id:station_pk>/surveys/", SurveyListView.as_view(), name="survey-list"),
    path("stations/<id:station_pk>/surveys/new/", SurveyCreateView.as_view(), name="survey-create"),
    path("surveys/<id:pk>/", SurveyDetailView.as_view(), name="survey-detail"),
    path("surveys/<id:pk>/edit/", SurveyUpdateView.as_view(), name="survey-update"),
    path("surveys/<id:pk>/enter/", SurveyEnterView.as_view(), name="survey-enter"),
    path("surveys/<id:pk>/poster/", SurveyPosterView.as_view(), name="survey-poster"),
    path("s/<str:token>/", SurveyPublicView.as_view(), name="survey-public"),
    path("s/<str:token>/thanks/", SurveyPublicThanksView.as_view(), name="survey-public-thanks"),
]
