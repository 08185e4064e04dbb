"""The portal's list pages, one component: filter bar, sortable columns, pager, totals row and Excel export.

A list view declares its columns once (``Column``); the same declaration draws the sortable header, orders the
queryset from ``?sort=``, and writes the Excel export (``?export=xlsx``: every row the filters keep, not one page,
in the house look of ``reports/spreadsheets.py``, which writes formula-like text as text). The page template includes ``includes/list_filter.html`` and
``includes/list_table.html`` and keeps only the markup of one row (``row_template``). Query counts stay fixed:
the page runs the count, the page of rows and, when the view has totals, one aggregate.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Q
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook

from accounts.people import people_search
from config.params import query_text
from reports.spreadsheets import header_cells, set_widths, workbook_response

EXPORT_PARAM, EXPORT_FORMAT = "export", "xlsx"


@dataclass(frozen=True)
class Column:
    """One column of a list page.

    ``order_by``: the database ordering (a field or several) that ``?sort=<key>`` applies, or a function of a row
    for lists sorted in Python; ``None`` for a column that does not sort. ``value``: the Excel cell, as a dotted
    attribute path or a function of the row; ``None`` keeps the column out of the export.
    """

    key: str
    label: str
    order_by: str | tuple[str, ...] | Callable[[Any], Any] | None = None
    css: str = ""
    value: str | Callable[[Any], Any] | None = None
    width: int = 16
    label_hidden: bool = False  # e.g. the actions column: named for screen readers only
    on_page: bool = True  # False: in the export only

    @property
    def sortable(self) -> bool:
        return self.order_by is not None

    def cell(self, row) -> Any:
        """The value this column writes to the spreadsheet for ``row`` (text, number or date)."""
        if callable(self.value):
            value = self.value(row)
        else:
            value = row
            for part in self.value.split("."):
                value = getattr(value, part, None)
                if value is None:
                    return ""
                if callable(value):  # get_status_display and the like
                    value = value()
        return str(value) if isinstance(value, Promise) else value


def sorted_by(request, sorts: dict[str, str], default: list[str]) -> tuple[str, list[str]]:
    """The ``sort`` parameter if it names a sortable column (``-`` for descending), and its ordering."""
    key = request.GET.get("sort", "")
    field = sorts.get(key.removeprefix("-"))
    if field is None:
        return "", default
    return key, [f"-{field}" if key.startswith("-") else field, *default]


def search(queryset, text: str, fields: Iterable[str]):
    """Rows of ``queryset`` where any of ``fields`` contains ``text`` (case-insensitive); all rows for no text."""
    text = text.strip()
    if not text:
        return queryset
    condition = Q()
    for field in fields:
        condition |= Q(**{f"{field}__icontains": text})
    return queryset.filter(condition)


class ListPageMixin:
    """Filters, search, sorting, totals and the Excel export of a ``ListView`` from its ``columns``.

    In ``scoped_queryset`` the view calls ``self.listed(queryset)`` (filters and search) and orders with
    ``self.ordered(queryset)``; lists computed in Python go through ``self.sorted_rows(rows)``.
    """

    columns: tuple[Column, ...] = ()
    default_ordering: tuple[str, ...] = ("pk",)
    filterset_class = None  # a django-filter FilterSet, shared with the API
    search_fields: tuple[str, ...] = ()  # ``?q=`` searches these when the filterset has no ``q`` of its own
    # Lists of people: ``?q=`` is ``accounts.people.people_search`` (name, pinyin, whole ID number; no oracle) on
    # the person at this path ("" when the rows are people), ``search_fields`` then the other fields searched.
    people_search_path: str | None = None
    search_placeholder: str = ""
    has_search = False  # True: the view reads ``?q=`` itself (``search_text``)
    filter_labels: dict[str, str] = {}  # the filter fields shown, in order, with their labels
    keep_params: tuple[str, ...] = ()  # other query parameters the filter bar carries (a view switch, say)
    export_filename: str = ""  # ``%(date)s`` is today; empty: no export
    empty_message: str = gettext_lazy("Nothing matches these filters.")
    empty_icon = "search"  # the Bootstrap icon of the empty state

    def get_columns(self) -> list[Column]:
        return list(self.columns)

    # --- reading ----------------------------------------------------------------------------------------------

    def listed(self, queryset):
        """``queryset`` cut by the filters (``filterset_class``) and the search box."""
        self.filterset = None
        if self.filterset_class is not None:
            self.filterset = self.filterset_class(self.request.GET, queryset=queryset, request=self.request)
            queryset = self.filterset.qs
        if self.people_search_path is not None:
            queryset = people_search(
                queryset,
                self.search_text,
                user=self.request.user,
                path=self.people_search_path,
                also=self.search_fields,
            )
        elif self.search_fields:
            queryset = search(queryset, self.search_text, self.search_fields)
        return queryset

    @property
    def search_text(self) -> str:
        return query_text(self.request.GET, "q")

    @property
    def sort(self) -> str:
        """The asked ``?sort=`` if it names a sortable column, else ``""``."""
        key = self.request.GET.get("sort", "")
        column = self.column_by_key().get(key.removeprefix("-"))
        return key if column is not None and column.sortable else ""

    def column_by_key(self) -> dict[str, Column]:
        return {column.key: column for column in self.get_columns()}

    def ordered(self, queryset):
        """``queryset`` in the asked column's order (ties broken by ``default_ordering``)."""
        ordering = list(self.default_ordering)
        if self.sort:
            fields = self.column_by_key()[self.sort.removeprefix("-")].order_by
            fields = [fields] if isinstance(fields, str) else list(fields)
            descending = self.sort.startswith("-")
            ordering = [f"-{field}" if descending else field for field in fields] + ordering
        return queryset.order_by(*ordering)

    def sorted_rows(self, rows: list) -> list:
        """Rows computed in Python, in the asked column's order (``order_by`` a function of a row)."""
        if not self.sort:
            return rows
        key = self.column_by_key()[self.sort.removeprefix("-")].order_by
        return sorted(rows, key=key, reverse=self.sort.startswith("-"))

    def prepare_rows(self, rows: list) -> list:
        """Hook: figures computed in Python for the rows shown (one page) or exported (all)."""
        return rows

    def get_totals(self, queryset) -> dict[str, Any]:
        """Hook: the totals row over every filtered row, by column key (one aggregate query); ``{}`` for none."""
        return {}

    # --- export -----------------------------------------------------------------------------------------------

    @property
    def export_asked(self) -> bool:
        return bool(self.export_filename) and self.request.GET.get(EXPORT_PARAM) == EXPORT_FORMAT

    def get(self, request, *args, **kwargs):
        if self.export_asked:
            self.object_list = self.get_queryset()
            return self.export_response(list(self.object_list))
        return super().get(request, *args, **kwargs)

    def export_response(self, rows: list):
        """Every filtered row as .xlsx, with the page's column headings and a totals row when the page has one."""
        columns = [column for column in self.get_columns() if column.value is not None]
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(str(self.export_sheet_title()))
        set_widths(sheet, [column.width for column in columns])
        sheet.append(header_cells(sheet, [str(column.label) for column in columns]))
        for row in self.prepare_rows(rows):
            sheet.append([column.cell(row) for column in columns])
        totals = self.get_totals(self.object_list)
        if totals:
            sheet.append(self.totals_cells(columns, totals, plain=True))
        return workbook_response(workbook, self.get_export_filename())

    def get_export_filename(self) -> str:
        return str(self.export_filename) % {"date": date.today().isoformat()}

    def export_sheet_title(self) -> str:
        return str(self.export_filename).split("%", 1)[0].strip()[:31] or "Sheet"

    # --- page -------------------------------------------------------------------------------------------------

    @staticmethod
    def totals_cells(columns: list[Column], totals: dict[str, Any], plain: bool = False) -> list:
        """The totals row aligned with ``columns``: "Total" in the first cell, blanks where nothing adds up."""
        cells = [totals.get(column.key, "") for column in columns]
        if cells and cells[0] == "":
            cells[0] = _("Total")
        if plain:
            return cells
        return [{"value": cell, "css": column.css} for cell, column in zip(cells, columns, strict=True)]

    def header_cells(self) -> list[dict]:
        """The header cells: label, alignment, and for sortable columns the link that sorts by them."""
        params = self.request.GET.copy()
        params.pop("page", None)
        params.pop(EXPORT_PARAM, None)
        cells = []
        for column in self.get_columns():
            if not column.on_page:
                continue
            direction, url = "", ""
            if column.sortable:
                direction = "asc" if self.sort == column.key else "desc" if self.sort == f"-{column.key}" else ""
                params["sort"] = f"-{column.key}" if direction == "asc" else column.key
                url = f"?{params.urlencode()}"
            cells.append({"column": column, "direction": direction, "url": url})
        return cells

    def get_filter_form(self):
        """The form the filter bar draws: the filterset's (``listed``), or a view's own."""
        filterset = getattr(self, "filterset", None)
        return filterset.form if filterset is not None else None

    def filter_fields(self):
        """(bound fields shown in the filter bar, (name, value) pairs carried as hidden inputs)."""
        shown, hidden = [], []
        form = self.get_filter_form()
        if form is not None:
            for name, label in self.filter_labels.items():
                if name in form.fields and name != "q":
                    bound = form[name]  # cached by the validation already: its label is set on it
                    bound.label = label
                    shown.append(bound)
            for name in form.fields:
                if name not in self.filter_labels and name != "q":
                    hidden += [(name, value) for value in self.request.GET.getlist(name) if value]
        for name in self.keep_params:
            hidden += [(name, value) for value in self.request.GET.getlist(name) if value]
        if self.sort:
            hidden.append(("sort", self.sort))
        return shown, hidden

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["object_list"] = self.prepare_rows(list(context["object_list"]))
        shown, hidden = self.filter_fields()
        form = self.get_filter_form()
        page_columns = [column for column in self.get_columns() if column.on_page]
        totals = self.get_totals(self.object_list)
        params = self.request.GET.copy()
        params.pop("page", None)
        params[EXPORT_PARAM] = EXPORT_FORMAT
        context.update(
            sort=self.sort,
            list_header=self.header_cells(),
            list_totals=self.totals_cells(page_columns, totals) if totals else None,
            filter_fields=shown,
            filter_hidden=hidden,
            filter_form=form,
            search=self.has_search
            or bool(self.search_fields)
            or self.people_search_path is not None
            or bool(form and "q" in form.fields),
            search_text=self.search_text,
            search_placeholder=self.search_placeholder,
            export_url=f"?{params.urlencode()}" if self.export_filename else "",
            empty_message=self.empty_message,
            empty_icon=self.empty_icon,
            reset_url=self.request.path,
        )
        return context
