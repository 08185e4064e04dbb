import django_filters

from config.filters import IdFilter

from .models import Report


class ReportFilter(django_filters.FilterSet):
    station = IdFilter(field_name="station_id")
    region = IdFilter(field_name="region_id")

    class Meta:
        model = Report
        fields = ["kind", "status", "station", "region", "period"]
