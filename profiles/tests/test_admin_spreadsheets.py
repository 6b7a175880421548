"""Admin spreadsheets (finding 16.5-16.7): exports never carry a live formula; imports write only what an
analyst owns, within limits, in the worker."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
import tablib
from django.conf import settings
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from config.admin import AnalystImportResource, ExportImportMixin, FormulaSafeFormat, SafeCSV, SafeXLSX
from config.spreadsheets import escape_formula
from profiles import imports
from profiles.admin.resources import ProfileExportResource, ProfileImportResource
from profiles.models import ImportJob, Profile, ReviewStatus
from tests.factories import ProfileFactory
from tests.workers import celery_worker, wait_for

FORMULAS = ['=HYPERLINK("http://evil.example","x")', "+1+1", "-2+3", "@SUM(A1)", "\tcmd", "\r=1"]


def _spreadsheet_admins():
    return [ma for ma in admin.site._registry.values() if isinstance(ma, ExportImportMixin)]


def test_every_admin_export_format_escapes_formulae():
    admins = _spreadsheet_admins()
    assert len(admins) >= 4  # creators, subreddits, posts, campaign creators
    for model_admin in admins:
        for fmt in model_admin.get_export_formats():
            assert issubclass(fmt, FormulaSafeFormat), (model_admin, fmt)


@pytest.mark.parametrize("value", FORMULAS)
def test_formula_cells_get_an_apostrophe(value):
    assert escape_formula(value) == "'" + value


@pytest.mark.parametrize("value", ["-5", "+1.5", "-0.25e3", "plain", "", 12, None, "a=b"])
def test_numbers_and_text_stay_as_they_are(value):
    assert escape_formula(value) == value


def _hostile_dataset() -> tablib.Dataset:
    return tablib.Dataset(*[(value, 7) for value in FORMULAS], headers=["full_name", "followers_count"])


def test_xlsx_export_holds_no_formula_cell():
    workbook = openpyxl.load_workbook(io.BytesIO(SafeXLSX().export_data(_hostile_dataset())))
    cells = [cell for row in workbook.active.iter_rows() for cell in row]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
    values = [row[0] for row in workbook.active.iter_rows(min_row=2, values_only=True)]
    # (XLSX stores a carriage return as a line feed.)
    assert values == ["'" + v.replace("\r", "\n") for v in FORMULAS]


def test_csv_export_cells_start_with_no_formula_character():
    rows = list(csv.reader(io.StringIO(SafeCSV().export_data(_hostile_dataset()))))[1:]
    assert [row[0] for row in rows] == ["'" + v for v in FORMULAS]


@pytest.mark.django_db
def test_admin_export_of_scraped_formulae_is_escaped(admin_client):
    ProfileFactory(full_name='=HYPERLINK("http://evil.example","click")', niche="@cmd")
    url = reverse("admin:profiles_profile_export")
    fields = ProfileExportResource().get_export_fields()
    data = {"format": "1", "resource": "0", **{f"profileexportresource_{f.column_name}": "on" for f in fields}}
    # unfold's form names the selected columns by the resource's field names.
    data.update({f"profileexportresource_{f.attribute}": "on" for f in fields if f.attribute})

    response = admin_client.post(url, data)

    assert response.status_code == 200, response.content[:500]
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    cells = [cell for row in workbook.active.iter_rows() for cell in row]
    assert cells and not [cell.coordinate for cell in cells if cell.data_type == "f"]
    assert '\'=HYPERLINK("http://evil.example","click")' in [cell.value for cell in cells]


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_page_exports_escape_formulae_too(fmt):
    from profiles.exports import creators_dataset, file_response

    response = file_response(creators_dataset([ProfileFactory(full_name="=1+2", handle="eq")]), fmt, "shortlist")

    if fmt == "xlsx":
        sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
        assert not [c.coordinate for row in sheet.iter_rows() for c in row if c.data_type == "f"]
        assert "'=1+2" in [c.value for row in sheet.iter_rows() for c in row]
    else:
        assert "'=1+2" in response.content.decode()


# --- Imports: only analyst-owned fields (16.6) -------------------------------------------------------

IDENTITY = {"platform", "handle", "name"}


def test_every_admin_import_writes_only_analyst_fields():
    for model_admin in _spreadsheet_admins():
        for resource_class in model_admin.get_import_resource_classes(None):
            assert issubclass(resource_class, AnalystImportResource), resource_class
            columns = {f.column_name for f in resource_class().get_import_fields()}
            owned = set(model_admin.model.ANALYST_FIELDS) | IDENTITY
            assert columns <= owned, (resource_class, columns - owned)
        # The export format (with scraped fields) is never offered for import.
        assert not set(model_admin.get_import_resource_classes(None)) & set(
            model_admin.get_export_resource_classes(None)
        )


def _upload(text: str, name: str = "handles.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


@pytest.mark.django_db
def test_a_full_export_imported_back_is_refused_and_changes_nothing(admin_user):
    profile = ProfileFactory(platform="instagram", handle="natgeo", followers_count=1000, is_verified=True)
    text = "platform,handle,followers_count,is_verified,niche\ninstagram,natgeo,999999999,false,travel\n"
    job = imports.start(
        user=admin_user, resource_class=ProfileImportResource, model_label="profiles.Profile", uploaded=_upload(text)
    )

    imports.run(job.pk)

    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert "Columns not accepted: followers_count, is_verified" in job.errors[0]["message"]
    profile.refresh_from_db()
    assert (profile.followers_count, profile.is_verified, profile.niche) == (1000, True, profile.niche)


@pytest.mark.django_db
def test_handles_are_checked_like_the_api_and_one_bad_row_writes_nothing(admin_user):
    text = "platform,handle\ninstagram,good.handle\ninstagram,bad handle!\nreddit,ab\nmyspace,tom\n"
    job = imports.start(
        user=admin_user, resource_class=ProfileImportResource, model_label="profiles.Profile", uploaded=_upload(text)
    )

    imports.run(job.pk)

    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED and job.failed == 3
    assert [e["row"] for e in job.errors] == [3, 4, 5]
    assert "1-30 letters" in job.errors[0]["message"] and "Unknown platform" in job.errors[2]["message"]
    assert not Profile.objects.exists()


@pytest.mark.django_db
def test_an_import_sets_analyst_fields_and_keeps_what_it_does_not_name(admin_user):
    known = ProfileFactory(platform="instagram", handle="Known", niche="food", review_status=ReviewStatus.APPROVED)
    text = "platform,handle,notes,review_status\ninstagram,KNOWN,great fit,\ninstagram,@newone,,rejected\n"
    job = imports.start(
        user=admin_user, resource_class=ProfileImportResource, model_label="profiles.Profile", uploaded=_upload(text)
    )

    imports.run(job.pk)

    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE, job.errors
    assert (job.created, job.updated, job.rows_done, job.progress) == (1, 1, 2, 100)
    known.refresh_from_db()
    assert (known.handle, known.niche, known.notes, known.review_status) == ("Known", "food", "great fit", "approved")
    new = Profile.objects.get(handle="newone")
    assert new.review_status == "rejected" and new.scrape_enabled


# --- Limits (16.7) -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_uploads_over_the_size_or_row_limit_are_refused_before_any_row_is_read(admin_client, settings):
    settings.IMPORT_MAX_BYTES = 200
    url = reverse("admin:profiles_profile_import")
    big = "platform,handle\n" + "instagram,someone_long_handle\n" * 20

    response = admin_client.post(url, {"resource": "0", "file": _upload(big)})

    assert response.status_code == 200
    assert "imports take at most 200 bytes" in response.content.decode()
    settings.IMPORT_MAX_BYTES = 10_000
    settings.IMPORT_MAX_ROWS = 5
    response = admin_client.post(url, {"resource": "0", "file": _upload(big)})
    assert "The file has 20 rows; imports take at most 5" in response.content.decode()
    assert not ImportJob.objects.exists()


@pytest.mark.django_db
def test_the_request_only_queues_and_the_old_two_step_import_is_closed(admin_client):
    url = reverse("admin:profiles_profile_import")
    assert admin_client.get(url).status_code == 200

    response = admin_client.post(url, {"resource": "0", "file": _upload("platform,handle\ninstagram,queued_only\n")})

    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "admin:profiles_importjob_change", args=[job.pk]
    )
    assert job.status == ImportJob.Status.PENDING and not Profile.objects.exists()  # nothing written in the request
    page = admin_client.get(response["Location"]).content.decode()
    assert 'http-equiv="refresh"' in page and "Waiting for a worker" in page
    assert admin_client.post(reverse("admin:profiles_profile_process_import"), {}).status_code == 403


@pytest.mark.django_db
def test_exports_of_other_admins_offer_no_import(admin_client):
    for name in (
        "admin:profiles_community_import",
        "admin:posts_post_import",
        "admin:campaigns_campaignprofile_import",
    ):
        assert admin_client.get(reverse(name)).status_code == 403, name


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_an_upload_to_done(client, django_user_model):
    if not settings.CELERY_BROKER_URL.startswith("redis://"):
        pytest.skip("needs the Redis broker (REDIS_URL)")
    user = django_user_model.objects.create_superuser("importer", "i@example.com", "pw-import-123")
    client.force_login(user)
    rows = "".join(f"instagram,creator_{i}\n" for i in range(1200))
    env = {"REDIS_URL": settings.REDIS_URL, "CELERY_BROKER_URL": settings.CELERY_BROKER_URL, "IMPORT_BATCH_ROWS": "500"}

    with celery_worker("default", env):
        response = client.post(
            reverse("admin:profiles_profile_import"), {"resource": "0", "file": _upload("platform,handle\n" + rows)}
        )
        assert response.status_code == 302
        job = ImportJob.objects.get()
        assert wait_for(lambda: ImportJob.objects.get(pk=job.pk).is_finished, timeout=180)

    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE, job.errors
    assert (job.rows_total, job.rows_checked, job.rows_done, job.created) == (1200, 1200, 1200, 1200)
    assert Profile.objects.filter(discovered_via="csv import").count() == 1200
    page = client.get(reverse("admin:profiles_importjob_change", args=[job.pk])).content.decode()
    assert "Done · 100 %" in page and 'http-equiv="refresh"' not in page
