"""Service records as .xlsx, for officials and evaluators who read them in Excel: names only, never ID numbers.

Names are written as ``accounts.privacy`` shows them to the user who exports (masked for the evaluator).
"""

from django.utils.translation import gettext as _
from openpyxl import Workbook

from accounts.privacy import Kind, PeopleView
from reports.spreadsheets import header_cells, set_widths
from stations.models import Station

MAX_ROWS = 100_000  # a station logs a few thousand records a year; a larger export is cut and says so


def records_workbook(*, station: Station, records, people: PeopleView) -> Workbook:
    """One row per record of ``records`` (prefetched beneficiaries, staff and volunteers), in their order.

    People's names as ``people`` (the exporting user's view) shows them.
    """
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Service records"))
    headings = [
        _("Date"),
        _("Kind"),
        _("Project"),
        _("Beneficiaries"),
        _("Others present"),
        _("Staff"),
        _("Volunteers (hours)"),
        _("Duration (minutes)"),
        _("Place"),
        _("Summary"),
        _("Attachments"),
        _("Logged by"),
    ]
    set_widths(sheet, [12, 12, 28, 30, 10, 20, 24, 10, 20, 60, 8, 12])
    sheet.append(header_cells(sheet, headings))
    written = 0
    for record in records.iterator(chunk_size=2000):
        if written == MAX_ROWS:
            sheet.append([_("Only the first %(n)s records are listed: narrow the period.") % {"n": MAX_ROWS}])
            break
        sheet.append(
            [
                record.date,
                record.get_kind_display(),
                record.project.name if record.project_id else "",
                "、".join(people.name(person) for person in record.beneficiaries.all()),
                record.headcount,
                "、".join(people.name(person) for person in record.staff.all()),
                "、".join(f"{people.name(share.volunteer)} {share.hours:g}" for share in record.volunteers.all()),
                record.duration_minutes,
                record.place,
                record.summary,
                record.files,
                people.name_text(Kind.STAFF, logged_by(record)),
            ]
        )
        written += 1
    return workbook


def logged_by(record) -> str:
    """Who logged ``record``: their full name, or their user name."""
    if not record.created_by_id:
        return ""
    return record.created_by.get_full_name() or record.created_by.username
