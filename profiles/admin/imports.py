"""Admin imports that run in the worker: the upload form, and the job's page with its progress.

``BackgroundImportMixin`` replaces django-import-export's two-step import (which parses and writes
the whole file inside the request) on an admin that names ``import_resource_classes``: the upload is
checked against ``IMPORT_MAX_BYTES`` / ``IMPORT_MAX_ROWS`` and handed to ``profiles.imports``; the
analyst lands on the job's page, which refreshes itself until the worker is done.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from unfold.decorators import display

from config.admin import ReadOnlyAdmin
from profiles import imports
from profiles.models import ImportJob


class ImportUploadForm(forms.Form):
    resource = forms.ChoiceField(label="Format")
    file = forms.FileField(help_text="CSV (UTF-8) with a header row.")

    def __init__(self, resource_classes, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.resource_classes = list(resource_classes)
        self.fields["resource"].choices = [
            (str(i), getattr(cls._meta, "name", None) or cls.__name__) for i, cls in enumerate(self.resource_classes)
        ]


class BackgroundImportMixin:
    """The import view of an ``ExportImportMixin`` admin, run by the worker instead of the request."""

    def import_action(self, request, **kwargs):
        if not self.has_import_permission(request):
            raise PermissionDenied
        resource_classes = self.get_import_resource_classes(request)
        form = ImportUploadForm(resource_classes, request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            resource_class = form.resource_classes[int(form.cleaned_data["resource"])]
            try:
                job = imports.start(
                    user=request.user,
                    resource_class=resource_class,
                    model_label=self.opts.label,
                    uploaded=form.cleaned_data["file"],
                )
            except imports.ImportRefused as exc:
                form.add_error("file", str(exc))
            else:
                self.message_user(request, f"Import {job.pk} queued: {job.rows_total:,} rows.")
                return HttpResponseRedirect(reverse("admin:profiles_importjob_change", args=[job.pk]))
        fields = [
            (getattr(cls._meta, "name", None) or cls.__name__, [f.column_name for f in cls().get_import_fields()])
            for cls in resource_classes
        ]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Import {self.opts.verbose_name_plural}",
            "form": form,
            "resource_fields": fields,
            "max_bytes": settings.IMPORT_MAX_BYTES,
            "max_rows": settings.IMPORT_MAX_ROWS,
        }
        return TemplateResponse(request, "admin/import_upload.html", context)

    def process_import(self, request, **kwargs):
        # django-import-export's second step writes a stored upload inside the request: never here.
        raise PermissionDenied


@admin.register(ImportJob)
class ImportJobAdmin(ReadOnlyAdmin):
    """Spreadsheet imports and their progress; each user sees their own (superusers see all)."""

    list_display = ["id", "file_name", "model_label", "status", "progress_display", "created", "updated", "failed"]
    list_filter = ["status"]
    exclude = ["data"]
    change_form_template = "admin/profiles/importjob/change_form.html"

    def get_queryset(self, request):
        queryset = super().get_queryset(request).defer("data")
        return queryset if request.user.is_superuser else queryset.filter(user=request.user)

    def has_view_permission(self, request, obj=None):
        # Whoever may import something may follow their own imports.
        return request.user.is_active and request.user.is_staff

    @display(description="progress")
    def progress_display(self, obj):
        return f"{obj.progress} %"
