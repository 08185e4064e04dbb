"""Report jobs: one row per report asked for, its state, and the archived PDF (DOMAIN.md section 7)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from stations.models import Region, Station

from .choices import ReportKind, ReportStatus


class ReportQuerySet(models.QuerySet):
    def visible_to(self, user) -> "ReportQuerySet":
        """Reports whose subject lies in the user's scope, whoever asked for them; an evaluation's report only for
        those who see the evaluation (another agency's evaluator of the same station does not)."""
        from evaluation.models import Evaluation

        return self.filter(
            Q(station__in=Station.objects.visible_to(user)) | Q(region__in=Region.objects.visible_to(user))
        ).filter(Q(evaluation__isnull=True) | Q(evaluation__in=Evaluation.objects.visible_to(user)))


def report_file_path(report: "Report", filename: str) -> str:
    # Derived from the report alone, so a retry or a rebuild overwrites the same file.
    return f"reports/{report.kind}/{report.scope_key.replace(':', '-')}/{report.period or 'current'}/{report.pk}.pdf"


class Report(models.Model):
    """A report job: what (kind), about what (station or region), for when (period), and how it went.

    ``scope_key`` names the subject ("station:12", "region:330402000000") so that one unique
    constraint makes "the same report is produced once" hold even under concurrent requests.
    """

    kind = models.CharField(_("kind"), max_length=30, choices=ReportKind.choices)
    station = models.ForeignKey(
        Station,
        verbose_name=_("station"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="reports",
    )
    region = models.ForeignKey(
        Region,
        verbose_name=_("region"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="reports",
    )
    evaluation = models.ForeignKey(
        "evaluation.Evaluation",
        verbose_name=_("evaluation"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="reports",
        help_text=_("The evaluation an evaluation result report is of (its station is the report's station)."),
    )
    scope_key = models.CharField(max_length=40, editable=False)
    period = models.CharField(_("period"), max_length=10, blank=True, help_text=_("e.g. 2026-10 or 2026-Q3"))
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ReportStatus.choices,
        default=ReportStatus.PENDING,
        db_index=True,
    )
    error = models.TextField(_("error"), blank=True)
    file = models.FileField(_("file"), upload_to=report_file_path, blank=True, max_length=255)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reports",
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    sent_at = models.DateTimeField(
        _("sent at"), null=True, blank=True, help_text=_("When the job was handed to the task queue.")
    )
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(
        _("last heartbeat"), null=True, blank=True, help_text=_("When the worker rendering the job last said it lives.")
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    batch = models.ForeignKey(
        "ReportBatch",
        verbose_name=_("batch"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reports",
        help_text=_("The scheduled run that produced the report (none when asked for by a person)."),
    )

    objects = ReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "scope_key", "period"], name="report_once_per_scope_period"),
            models.CheckConstraint(
                name="report_has_one_subject",
                condition=Q(station__isnull=False, region__isnull=True) | Q(station__isnull=True, region__isnull=False),
            ),
        ]
        indexes = [models.Index(fields=["status", "started_at"], name="report_status_started")]

    def __str__(self) -> str:
        subject = self.station or self.region
        return f"{self.get_kind_display()} · {subject} {self.period}".strip()

    def save(self, *args, **kwargs) -> None:
        if self.evaluation_id:
            self.scope_key = f"evaluation:{self.evaluation_id}"
        else:
            self.scope_key = f"station:{self.station_id}" if self.station_id else f"region:{self.region_id}"
        super().save(*args, **kwargs)


# --- rollups (issue 11): pre-aggregated figures the dashboards and the periodic reports read -------------------


class RegionAncestors(models.Model):
    """The region ancestors of a station's township, stored on each rollup row.

    A region's figures are then one aggregate over an index on (its level's column, month), and its children's one
    GROUP BY that index's neighbour column. A join on ``Region.path LIKE 'prefix%'`` would read every township
    row under the region and join it to the rollup first: a cost growing with the townships, which a national
    dashboard cannot afford. The price is a rebuild of the rows when a township moves (rare, done by the admin).
    """

    province = models.ForeignKey(Region, null=True, on_delete=models.CASCADE, related_name="+", db_index=False)
    city = models.ForeignKey(Region, null=True, on_delete=models.CASCADE, related_name="+", db_index=False)
    county = models.ForeignKey(Region, null=True, on_delete=models.CASCADE, related_name="+", db_index=False)
    township = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="+", db_index=False)

    class Meta:
        abstract = True


def money_field() -> models.DecimalField:
    return models.DecimalField(max_digits=14, decimal_places=2, default=0)


class StationMonth(RegionAncestors):
    """One station's figures for one month (``month`` is its first day), computed from the records.

    Service kinds are columns, not a child table: the kinds are a fixed vocabulary in code (``ServiceKind``), and
    columns make a region's counts by kind one row of one aggregate, where a child table would need a second
    GROUP BY over eight times the rows. A new kind is a migration either way (a test checks every kind has one).
    Spending by line and by source are columns for the same reason. Compliance is the staffing standard on the
    month's last day (today's while the month runs); ``fail_<rule>`` says which rules it failed.
    """

    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="+")
    month = models.DateField()
    records = models.PositiveIntegerField(default=0)
    kind_case = models.PositiveIntegerField(default=0)
    kind_group = models.PositiveIntegerField(default=0)
    kind_community = models.PositiveIntegerField(default=0)
    kind_visit = models.PositiveIntegerField(default=0)
    kind_referral = models.PositiveIntegerField(default=0)
    kind_consultation = models.PositiveIntegerField(default=0)
    kind_training = models.PositiveIntegerField(default=0)
    kind_other = models.PositiveIntegerField(default=0)
    people_served = models.PositiveIntegerField(default=0, help_text="Named beneficiaries served, distinct.")
    headcount = models.PositiveIntegerField(default=0)
    service_minutes = models.PositiveBigIntegerField(default=0)
    key_targets = models.PositiveIntegerField(default=0)
    key_targets_visited = models.PositiveIntegerField(default=0)
    volunteer_hours = models.DecimalField(max_digits=10, decimal_places=1, default=0)
    compliance_on = models.DateField(null=True)
    compliance_checked = models.BooleanField(default=False)
    compliant = models.BooleanField(default=False)
    fail_full_time_staff = models.BooleanField(default=False)
    fail_certified_staff = models.BooleanField(default=False)
    fail_volunteers = models.BooleanField(default=False)
    fail_professional_share = models.BooleanField(default=False)
    fail_operator_rating = models.BooleanField(default=False)
    fail_site_area = models.BooleanField(default=False)
    fail_salary_floor = models.BooleanField(default=False)
    # Each rule as ``staffing.rules.stations_compliance`` checked it on ``compliance_on``, for the compliance page
    # and its export: [{"code", "required", "actual", "ok"}], figures as JSON numbers or decimal strings.
    checks = models.JSONField(default=list)
    spent = money_field()
    line_personnel = money_field()
    line_activities = money_field()
    line_management = money_field()
    line_other = money_field()
    source_city_fiscal = money_field()
    source_township_fiscal = money_field()
    source_welfare_lottery = money_field()
    source_social_assistance = money_field()
    source_paired_assistance = money_field()
    source_federations = money_field()
    source_donations = money_field()
    source_community_foundation = money_field()
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("station month rollup")
        verbose_name_plural = _("station month rollups")
        constraints = [models.UniqueConstraint(fields=["station", "month"], name="station_month_once")]
        indexes = [
            # A region's figures: one range scan on its level's column; children: GROUP BY the next column.
            models.Index(fields=["province", "month", "city"], name="station_month_province"),
            models.Index(fields=["city", "month", "county"], name="station_month_city"),
            models.Index(fields=["county", "month", "township"], name="station_month_county"),
            models.Index(fields=["township", "month", "station"], name="station_month_township"),
            models.Index(fields=["month"], name="station_month_month"),
        ]

    def __str__(self) -> str:
        return f"{self.station_id} {self.month:%Y-%m}"


class StationPeriod(RegionAncestors):
    """Named people served by one station in a quarter or a year, distinct: they do not add across months.

    A beneficiary belongs to one station (``Beneficiary.station``), so these do add across stations.
    """

    QUARTER, YEAR = "quarter", "year"

    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=7, choices=[(QUARTER, "quarter"), (YEAR, "year")])
    first = models.DateField()
    people_served = models.PositiveIntegerField(default=0)
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("station period rollup")
        verbose_name_plural = _("station period rollups")
        constraints = [models.UniqueConstraint(fields=["station", "kind", "first"], name="station_period_once")]
        indexes = [
            models.Index(fields=["province", "kind", "first", "city"], name="station_period_province"),
            models.Index(fields=["city", "kind", "first", "county"], name="station_period_city"),
            models.Index(fields=["county", "kind", "first", "township"], name="station_period_county"),
            models.Index(fields=["township", "kind", "first", "station"], name="station_period_township"),
        ]

    def __str__(self) -> str:
        return f"{self.station_id} {self.kind} {self.first}"


class StationYear(RegionAncestors):
    """One station's year: the total of the approved budget in force (``funding.rules.execution``) and the grade of
    its published annual or final result of that year (``evaluation.rules.grading.station_results``)."""

    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    budget = money_field()
    grade = models.CharField(max_length=10, blank=True)
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("station year rollup")
        verbose_name_plural = _("station year rollups")
        constraints = [models.UniqueConstraint(fields=["station", "year"], name="station_year_once")]
        indexes = [
            models.Index(fields=["province", "year", "city"], name="station_year_province"),
            models.Index(fields=["city", "year", "county"], name="station_year_city"),
            models.Index(fields=["county", "year", "township"], name="station_year_county"),
            models.Index(fields=["township", "year", "station"], name="station_year_township"),
        ]

    def __str__(self) -> str:
        return f"{self.station_id} {self.year}"


class TownshipYear(RegionAncestors):
    """A township's two-level split for a year (``funding.rules.split.township_funding_splits``): C and T, None
    while pending. The split is a township's (capped per township), so it is stored per township, not per station.
    """

    year = models.PositiveSmallIntegerField()
    pending = models.BooleanField(default=False)
    city_share = models.DecimalField(max_digits=14, decimal_places=2, null=True)
    township_share = models.DecimalField(max_digits=14, decimal_places=2, null=True)
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("township year rollup")
        verbose_name_plural = _("township year rollups")
        constraints = [models.UniqueConstraint(fields=["township", "year"], name="township_year_once")]
        indexes = [
            models.Index(fields=["province", "year", "city"], name="township_year_province"),
            models.Index(fields=["city", "year", "county"], name="township_year_city"),
            models.Index(fields=["county", "year", "township"], name="township_year_county"),
        ]

    def __str__(self) -> str:
        return f"{self.township_id} {self.year}"


class RegionRollup(models.Model):
    """The sums of the station rollups below a region (province, city, county or township), stored per region.

    A region's dashboard reads its own row(s) and its children's (``parent`` = the region; the nation's children
    are the rows without a parent), never the station rows below: the nation's year is 31 x 12 rows instead of
    480,000 (DOMAIN.md section 8). Written by ``reports.rollups.regions.regions_refresh`` after every write of the
    station rows of its months, in the same transaction; the station rows stay the truth it is summed from.
    """

    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="+")
    parent = models.ForeignKey(Region, null=True, on_delete=models.CASCADE, related_name="+", db_index=False)
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


def count_field() -> models.PositiveIntegerField:
    return models.PositiveIntegerField(default=0)


class RegionMonth(RegionRollup):
    """A region's month: ``StationMonth``'s figures summed, and of compliance the count of stations checked,
    compliant and failing each rule."""

    month = models.DateField()
    records = count_field()
    kind_case = count_field()
    kind_group = count_field()
    kind_community = count_field()
    kind_visit = count_field()
    kind_referral = count_field()
    kind_consultation = count_field()
    kind_training = count_field()
    kind_other = count_field()
    people_served = count_field()
    headcount = count_field()
    service_minutes = models.PositiveBigIntegerField(default=0)
    key_targets = count_field()
    key_targets_visited = count_field()
    volunteer_hours = models.DecimalField(max_digits=14, decimal_places=1, default=0)
    checked = count_field()
    compliant = count_field()
    fail_full_time_staff = count_field()
    fail_certified_staff = count_field()
    fail_volunteers = count_field()
    fail_professional_share = count_field()
    fail_operator_rating = count_field()
    fail_site_area = count_field()
    fail_salary_floor = count_field()
    spent = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    line_personnel = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    source_city_fiscal = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    source_township_fiscal = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    source_welfare_lottery = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    source_social_assistance = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    source_paired_assistance = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    source_federations = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    source_donations = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    source_community_foundation = models.DecimalField(max_digits=16, decimal_places=2, default=0)

    class Meta:
        verbose_name = _("region month rollup")
        verbose_name_plural = _("region month rollups")
        constraints = [models.UniqueConstraint(fields=["region", "month"], name="region_month_once")]
        indexes = [models.Index(fields=["parent", "month"], name="region_month_parent")]

    def __str__(self) -> str:
        return f"{self.region_id} {self.month:%Y-%m}"


class RegionPeriod(RegionRollup):
    """A region's quarter or year: the people served, each counted once per station (``StationPeriod`` summed)."""

    kind = models.CharField(max_length=7, choices=StationPeriod._meta.get_field("kind").choices)
    first = models.DateField()
    people_served = count_field()

    class Meta:
        verbose_name = _("region period rollup")
        verbose_name_plural = _("region period rollups")
        constraints = [models.UniqueConstraint(fields=["region", "kind", "first"], name="region_period_once")]
        indexes = [models.Index(fields=["parent", "kind", "first"], name="region_period_parent")]

    def __str__(self) -> str:
        return f"{self.region_id} {self.kind} {self.first}"


class RegionYear(RegionRollup):
    """A region's year: the approved budgets, the stations per published grade (``StationYear``) and its
    townships' splits (``TownshipYear``: the settled ones' shares, the pending ones counted)."""

    year = models.PositiveSmallIntegerField()
    budget = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    grade_excellent = count_field()
    grade_good = count_field()
    grade_pass = count_field()
    grade_fail = count_field()
    city_share = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    township_share = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    pending = count_field()

    class Meta:
        verbose_name = _("region year rollup")
        verbose_name_plural = _("region year rollups")
        constraints = [models.UniqueConstraint(fields=["region", "year"], name="region_year_once")]
        indexes = [models.Index(fields=["parent", "year"], name="region_year_parent")]

    def __str__(self) -> str:
        return f"{self.region_id} {self.year}"


class RegionCoverage(RegionRollup):
    """A region's townships, those with a station in operation and its stations in operation, as of the latest
    refresh of its stations' compliance (a station saved marks it) or the nightly repair."""

    townships = count_field()
    covered = count_field()
    stations = count_field()

    class Meta:
        verbose_name = _("region coverage rollup")
        verbose_name_plural = _("region coverage rollups")
        constraints = [models.UniqueConstraint(fields=["region"], name="region_coverage_once")]
        indexes = [models.Index(fields=["parent"], name="region_coverage_parent")]

    def __str__(self) -> str:
        return f"{self.region_id}"


class RollupDirty(models.Model):
    """A station-month whose records changed since its rollup was computed; the frequent task recomputes it.

    Written in the rule function's transaction (an upsert that moves ``marked_at``), so a mark is never lost: the
    refresh deletes a mark only if ``marked_at`` is still the one it read. ``part`` says what changed, so the
    refresh recomputes only the figures it feeds (``reports.rollups.refresh.PART_FIGURES``); ``all`` for anything.
    """

    ALL, SERVICES, STAFFING, SPENDING, BUDGET, GRADES = "all", "services", "staffing", "spending", "budget", "grades"
    RECORDS = "records"
    PARTS = [(ALL, "all"), (SERVICES, "services"), (RECORDS, "records"), (STAFFING, "staffing"), (SPENDING, "spending")]
    PARTS += [(BUDGET, "budget"), (GRADES, "grades")]

    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="+")
    month = models.DateField()
    part = models.CharField(max_length=8, choices=PARTS, default=ALL)
    marked_at = models.DateTimeField()

    class Meta:
        verbose_name = _("rollup to refresh")
        verbose_name_plural = _("rollups to refresh")
        constraints = [models.UniqueConstraint(fields=["station", "month", "part"], name="rollup_dirty_once")]
        indexes = [models.Index(fields=["marked_at"], name="rollup_dirty_marked")]

    def __str__(self) -> str:
        return f"{self.station_id} {self.month:%Y-%m}"


# --- batches (issue 11): a run producing one periodic report per station and region ------------------------------


class ReportBatchQuerySet(models.QuerySet):
    def visible_to(self, user) -> "ReportBatchQuerySet":
        """Batches of a region the user's own region covers (itself or below it); the nation's batch (no region)
        and every other only for the administrator. Station staff and evaluators see none."""
        from accounts.scope import scope_of

        scope = scope_of(user)
        if scope.everything:
            return self.all()
        if scope.region is not None:
            return self.filter(region__path__startswith=scope.region.path)
        return self.none()


class ReportBatch(models.Model):
    """One run of the periodic reports of ``kind`` for ``period`` over ``region`` (None: the nation).

    ``total`` is the number of report jobs it covers (set once they exist); what is done or failed is read from the
    jobs' statuses (``reports.batches.batch_progress``), never counted by the workers, so no update races.
    """

    kind = models.CharField(_("kind"), max_length=30, choices=ReportKind.choices)
    period = models.CharField(_("period"), max_length=10)
    region = models.ForeignKey(
        Region,
        verbose_name=_("region"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="report_batches",
        help_text=_("Empty: every region."),
    )
    scope_key = models.CharField(max_length=40, editable=False)
    total = models.PositiveIntegerField(_("reports"), default=0)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("started by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="report_batches",
    )
    trigger = models.CharField(_("started by"), max_length=60, default="beat", help_text=_("e.g. beat, admin"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    objects = ReportBatchQuerySet.as_manager()

    class Meta:
        verbose_name = _("report batch")
        verbose_name_plural = _("report batches")
        ordering = ["-created_at", "-pk"]
        permissions = [("retry_reportbatch", "Can retry the failed reports of a batch")]
        constraints = [models.UniqueConstraint(fields=["kind", "scope_key", "period"], name="report_batch_once")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.period} · {self.region or _('Nation')}"

    def save(self, *args, **kwargs) -> None:
        # "nation" or "region:<id>": one run per kind, place and period, also when beat fires twice.
        self.scope_key = f"region:{self.region_id}" if self.region_id else "nation"
        super().save(*args, **kwargs)
