"""The admin bases every app's admin builds on: fast changelists, read-only records, spreadsheets.

Imports no app and registers nothing, so admin autodiscovery may import it harmlessly.

Importing this module also patches unfold site-wide: its changelist headers
(``_result_headers_once``) and its read-only URL fields (``_readonly_contents``, which would render any
stored scheme, ``javascript:`` included, as a link). The patches run once, the first time anything imports this module; every app's admin module imports
its bases from here and admin autodiscovery imports those before the first request, so no admin page
renders without it.
"""

from __future__ import annotations

from django.contrib.admin import helpers
from django.contrib.admin.utils import lookup_field
from django.core.exceptions import ObjectDoesNotExist
from django.core.paginator import Paginator
from django.db import connection, models
from django.utils.functional import cached_property
from django.utils.html import conditional_escape, escape
from django.utils.safestring import mark_safe
from import_export import resources
from import_export.admin import ImportExportModelAdmin
from import_export.formats.base_formats import CSV, XLSX
from unfold import admin as unfold_admin
from unfold import fields as unfold_fields
from unfold.admin import ModelAdmin, TabularInline
from unfold.contrib.import_export.forms import ExportForm, ImportForm
from unfold.decorators import display
from unfold.templatetags import unfold_list

from config.links import is_web_url
from config.spreadsheets import escaped

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

# Site-wide: unfold renders a read-only URLField as <a href="{value}"> whatever its scheme. A URL that
# is not http(s) (config/links.py) is shown as text instead; changelist cells are already plain text.
_unfold_readonly_contents = unfold_fields.UnfoldAdminReadonlyField._get_contents


def _readonly_contents(self):
    try:
        field, _attr, value = lookup_field(self.field["field"], self.form.instance, self.model_admin)
    except (AttributeError, ValueError, ObjectDoesNotExist):
        return _unfold_readonly_contents(self)
    if isinstance(field, models.URLField) and value and not is_web_url(value):
        return conditional_escape(value)
    return _unfold_readonly_contents(self)


unfold_fields.UnfoldAdminReadonlyField._get_contents = _readonly_contents


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


class FormulaSafeFormat:
    """Every exported cell passes ``escape_formula`` (import-export's own setting strips only "=")."""

    def export_data(self, dataset, **kwargs):
        return super().export_data(escaped(dataset), **kwargs)


class SafeCSV(FormulaSafeFormat, CSV):
    pass


class SafeXLSX(FormulaSafeFormat, XLSX):
    pass


class ExportImportMixin(ImportExportModelAdmin):
    """CSV/XLSX export of ``resource_classes`` in unfold's forms, every cell formula-escaped.

    Import is separate and off unless an admin names ``import_resource_classes`` (each an
    ``AnalystImportResource``): the export format carries scraped fields, and importing it would
    overwrite them. The admin that imports also provides the view (profiles' runs in the worker).
    """

    import_form_class = ImportForm
    export_form_class = ExportForm
    export_formats = [SafeCSV, SafeXLSX]
    import_formats = [CSV]
    import_resource_classes: list[type] = []

    def get_export_resource_classes(self, request):
        return self.get_resource_classes(request)

    def get_import_resource_classes(self, request):
        return list(self.import_resource_classes)

    def has_import_permission(self, request):
        return bool(self.import_resource_classes) and request.user.has_perm(
            f"{self.opts.app_label}.change_{self.opts.model_name}"
        )


class AnalystImportResource(resources.ModelResource):
    """An import that writes only what an analyst owns: the columns of ``Meta.fields``.

    A file with any other column (a full export with follower counts, flags or handles to rewrite)
    is refused as a whole, naming the columns, rather than half-applied.
    """

    def before_import(self, dataset, **kwargs):
        allowed = {field.column_name for field in self.get_import_fields()}
        headers = [str(h).strip() for h in (dataset.headers or []) if h is not None and str(h).strip()]
        refused = sorted(set(headers) - allowed)
        if refused:
            raise ValueError(
                f"Columns not accepted: {', '.join(refused)}. An import sets only "
                f"{', '.join(sorted(allowed))}; scraped data comes from the platforms, never from a file."
            )
        super().before_import(dataset, **kwargs)
