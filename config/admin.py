"""The admin bases every app's admin builds on: fast changelists, read-only records, spreadsheets.

Imports no app and registers nothing, so admin autodiscovery may import it harmlessly.

Importing this module also patches unfold's changelist site-wide (``_result_headers_once`` below).
The patch runs once, the first time anything imports this module; every app's admin module imports
its bases from here and admin autodiscovery imports those before the first request, so no admin page
renders without it.
"""

from __future__ import annotations

from django.contrib.admin import helpers
from django.core.paginator import Paginator
from django.db import connection
from django.utils.functional import cached_property
from django.utils.html import escape
from django.utils.safestring import mark_safe
from import_export.admin import ImportExportModelAdmin
from import_export.formats.base_formats import CSV, XLSX
from unfold import admin as unfold_admin
from unfold.admin import ModelAdmin, TabularInline
from unfold.contrib.import_export.forms import ExportForm, ImportForm
from unfold.decorators import display
from unfold.templatetags import unfold_list

# Site-wide: unfold's changelist rebuilds every column header once per *row* (items_for_result calls
# result_headers), so a 50-row, 9-column page computed 450 headers to use 9. Memoised per changelist,
# the profile list at 100,000 creators renders in about half the time (bench/bench_pages.py).
_unfold_result_headers = unfold_list.result_headers


def _result_headers_once(cl):
    headers = cl.__dict__.get("_cs_headers")
    if headers is None:
        headers = cl.__dict__["_cs_headers"] = list(_unfold_result_headers(cl))
    return iter(headers)


unfold_list.result_headers = _result_headers_once


class FastRowsMixin:
    """Render each row's selection checkbox from one pre-rendered template string.

    unfold renders a widget template per row (about 4 ms each under load at 50 rows); the markup is
    identical apart from the primary key, so it is rendered once and the key substituted.
    """

    _checkbox_html = unfold_admin.checkbox.render(helpers.ACTION_CHECKBOX_NAME, "__PK__")

    @display(description=mark_safe(unfold_admin.checkbox.render("action_toggle_all", 1)))
    def action_checkbox(self, obj):
        return mark_safe(self._checkbox_html.replace("__PK__", escape(str(obj.pk))))


class EstimatedCountPaginator(Paginator):
    """Exact counts for filtered lists; PostgreSQL's row estimate for a whole large table.

    ``COUNT(*)`` over a million posts is a full scan on every page view just to print the total.
    Unfiltered, the planner's estimate (``pg_class.reltuples``, refreshed by autovacuum) is within a
    few percent and free; below ``EXACT_BELOW`` rows, or with any filter, the count is exact.
    """

    EXACT_BELOW = 50_000

    @cached_property
    def count(self) -> int:
        query = getattr(self.object_list, "query", None)
        if query is not None and not query.where and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass", [query.model._meta.db_table]
                )
                row = cursor.fetchone()
            if row and row[0] >= self.EXACT_BELOW:
                return int(row[0])
        return super().count


class ReadOnlyAdmin(ModelAdmin):
    """Records of what happened (scrape runs, log lines, alerts, AI batches, fetches): every field shown,
    none added or edited by hand. Only superusers delete them, to clean up."""

    def get_readonly_fields(self, request, obj=None):
        excluded = set(self.exclude or ())
        return [field.name for field in self.opts.fields if field.name not in excluded]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


class ReadOnlyInline(TabularInline):
    """History rows beside an object (snapshots, log lines, comments, suggestions): its ``fields``
    are shown, never edited, added or deleted here."""

    extra = 0
    max_num = 0
    can_delete = False

    def get_readonly_fields(self, request, obj=None):
        return list(self.fields)

    def has_add_permission(self, request, obj=None):
        return False


class ExportImportMixin(ImportExportModelAdmin):
    """CSV/XLSX export in unfold's forms; CSV import for whoever may change the model."""

    import_form_class = ImportForm
    export_form_class = ExportForm
    export_formats = [CSV, XLSX]
    import_formats = [CSV]

    def has_import_permission(self, request):
        return request.user.has_perm(f"{self.opts.app_label}.change_{self.opts.model_name}")
