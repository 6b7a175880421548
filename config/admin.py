"""The admin bases every app's admin builds on: fast changelists, read-only records, spreadsheets.

Imports no domain app (only ``accounts``, which sits below every app) and registers nothing, so admin
autodiscovery may import it harmlessly.

Importing this module also patches unfold site-wide: its changelist headers
(``_result_headers_once``) and its read-only URL fields (``_readonly_contents``, which would render any
stored scheme, ``javascript:`` included, as a link). The patches run once, the first time anything imports this module; every app's admin module imports
its bases from here and admin autodiscovery imports those before the first request, so no admin page
renders without it.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import lookup_field
from django.core.exceptions import ObjectDoesNotExist
from django.core.paginator import Paginator
from django.db import connection, models
from django.http import HttpResponseRedirect
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

from accounts.operators import is_operator
from config.links import is_web_url
from config.querysets import CHANGE, DELETE, writer_team_ids
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


# --- Who sees and edits which rows: the API's and the pages' rules, applied to admin ---------------


def _scoped(queryset: models.QuerySet, user, action: str) -> models.QuerySet:
    """``queryset.restrict(user, action=…)`` when the model is scoped (team or own rows), else as is."""
    restrict = getattr(queryset, "restrict", None)
    return restrict(user, action=action) if restrict is not None else queryset


class TeamScopedAdminMixin:
    """Team-owned rows (campaigns and their creators and posts, favorites, saved searches, access
    grants, lookups) by the one rule the API and the pages apply: ``restrict(user, team, action)`` of
    the model's queryset (``config.querysets.TeamOwnedQuerySet``).

    The model permissions (the groups) still say what kind of change a user may make at all; on top:

    * lists, detail and history pages, search, autocomplete, exports and raw-id popups show only the
      rows the user may read (another team's row is "does not exist", as the API's 404);
    * change and delete need the rule's ``change``/``delete`` on that row (a teammate's row is read
      only, 403 on a POST), and so does every bulk action that changes or deletes: one refused row
      refuses the whole action, with the count in the message;
    * foreign-key choices (and raw-id values) offer only scoped rows the user may change, teams the
      user may write in, and the user as author; team and author are fixed once a row exists.
    """

    def get_queryset(self, request):
        return _scoped(super().get_queryset(request), request.user, "view")

    def _may(self, request, obj, action: str) -> bool:
        return obj is None or _scoped(type(obj)._default_manager.filter(pk=obj.pk), request.user, action).exists()

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._may(request, obj, CHANGE)

    def has_delete_permission(self, request, obj=None):
        if not super().has_delete_permission(request, obj):
            return False
        # A superuser deleting a user, a team or a creator removes their rows in every team with them
        # (Django's delete page asks each related row's admin); their own deletes follow the rule.
        return (request.user.is_superuser and self._cascading(request)) or self._may(request, obj, DELETE)

    def _cascading(self, request) -> bool:
        """Whether this request is a view of another model (asking about this one's rows it would delete)."""
        name = getattr(request.resolver_match, "url_name", "") or ""
        own = f"{self.opts.app_label}_{self.opts.model_name}_"
        return not (name.startswith(own) and name[len(own) :] in ("change", "delete", "changelist", "history"))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        kwargs["queryset"] = choices_for(db_field, request, self.model)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        fixed = [name for name in ("team", getattr(self.model, "author_field", "user")) if _has_field(self.model, name)]
        return [*super().get_readonly_fields(request, obj), *(fixed if obj is not None else [])]

    def save_model(self, request, obj, form, change):
        author = getattr(self.model, "author_field", "user")
        if not change and _has_field(self.model, author) and getattr(obj, f"{author}_id", None) is None:
            setattr(obj, author, request.user)
        super().save_model(request, obj, form, change)

    def response_action(self, request, queryset):
        func = self.get_actions(request).get(request.POST.get("action", ""), (None,))[0]
        needs = getattr(func, "allowed_permissions", ())
        action = DELETE if "delete" in needs else CHANGE if {"change", "add"} & set(needs) else None
        if action is not None:
            rows = queryset
            if request.POST.get("select_across", "0") == "0":
                rows = queryset.filter(pk__in=request.POST.getlist(helpers.ACTION_CHECKBOX_NAME))
            refused = rows.exclude(pk__in=_scoped(self.model._default_manager.all(), request.user, action).values("pk"))
            count = refused.count()
            if count:
                self.message_user(
                    request,
                    f"{count} of the selected rows may only be changed by their author or the team's owners "
                    "and managers: nothing was done.",
                    messages.ERROR,
                )
                return HttpResponseRedirect(request.get_full_path())
        return super().response_action(request, queryset)


class TeamChildInlineMixin:
    """Rows edited inside a team-owned parent (a campaign's creators and posts): changed only by
    whoever may change the parent."""

    def _may(self, request, obj) -> bool:
        return obj is None or _scoped(type(obj)._default_manager.filter(pk=obj.pk), request.user, CHANGE).exists()

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and self._may(request, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._may(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._may(request, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        kwargs["queryset"] = choices_for(db_field, request, self.model)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


def choices_for(db_field, request, model) -> models.QuerySet:
    """What a foreign key of a team-owned row may point at, for this user: rows of a scoped model the
    user may change (a campaign to add a creator to), teams they may write in, themselves as author."""
    target = db_field.remote_field.model
    queryset = target._default_manager.all()
    user = request.user
    if db_field.name == "team" and target._meta.label_lower == "accounts.team":
        return queryset if user.is_superuser else queryset.filter(pk__in=writer_team_ids(user))
    if db_field.name == getattr(model, "author_field", "user") and target is type(user):
        return queryset.filter(pk=user.pk)
    return _scoped(queryset, user, CHANGE)


def _has_field(model, name: str) -> bool:
    return any(field.name == name for field in model._meta.fields)


class OperationsAdminMixin:
    """Operations models (scrapers, scrape runs, system logs, the beat schedule, alerts): the Staff role
    (``accounts.operators.is_operator``) on top of the model permissions. Staff status alone, which
    analysts have for their admin work, opens none of them."""

    def has_module_permission(self, request):
        return is_operator(request.user) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return is_operator(request.user) and super().has_view_permission(request, obj)

    def has_add_permission(self, request, *args):
        return is_operator(request.user) and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None):
        return is_operator(request.user) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return is_operator(request.user) and super().has_delete_permission(request, obj)
