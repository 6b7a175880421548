"""Admin triage of creators: columns, filters, counts, every bulk action, suggestions, export/import."""

from __future__ import annotations

import csv
import io

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from campaigns.models import CampaignProfile
from profiles.models import Profile, TagSuggestion
from tests.factories import CampaignFactory, CommunityFactory, ProfileFactory, TagFactory

CHANGELIST = reverse("admin:profiles_profile_changelist")


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def _act(client, action: str, profiles, **extra):
    data = {"action": action, "_selected_action": [p.pk for p in profiles], **extra}
    return client.post(CHANGELIST, data, follow=True)


@pytest.fixture
def three(db):
    return [
        ProfileFactory(handle="alpha", followers_count=5_000, engagement_rate=1.5),
        ProfileFactory(handle="beta", followers_count=50_000, engagement_rate=3.0, review_status="approved"),
        ProfileFactory(handle="gamma", followers_count=500_000, engagement_rate=None),
    ]


def test_analyst_sees_triage_columns_and_counts_per_review_status(client_as, analyst, three):
    response = client_as(analyst).get(CHANGELIST)
    assert response.status_code == 200
    html = response.content.decode()
    for header in ("followers", "engagement", "growth 30d", "category", "language", "review", "tags"):
        assert f">{header}" in html.lower() or header in html.lower()
    counts = {c["value"]: c["count"] for c in response.context["review_counts"]}
    assert counts["unreviewed"] == 2 and counts["approved"] == 1 and counts["rejected"] == 0
    # An unknown engagement rate is shown as unknown, never as 0.
    gamma_row = html[html.index("gamma") :]
    assert "—" in gamma_row[:3000]


def test_changelist_orders_biggest_first_with_reddit_users_last(client_as, analyst, three):
    ProfileFactory(handle="redditor", platform="reddit", followers_count=None, total_karma=10)
    response = client_as(analyst).get(CHANGELIST)
    handles = [p.handle for p in response.context["cl"].result_list]
    assert handles == ["gamma", "beta", "alpha", "redditor"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("followers_count_from=10000&followers_count_to=100000", {"beta"}),
        ("engagement_rate_from=2", {"beta"}),
        ("review_status__exact=approved", {"beta"}),
        ("tagged=yes", {"alpha"}),
        ("tagged=no", {"beta", "gamma"}),
        ("suggestions=pending", {"gamma"}),
        ("q=gam", {"gamma"}),
    ],
)
def test_filters_narrow_the_list(client_as, analyst, three, query, expected):
    alpha, _, gamma = three
    alpha.tags.add(TagFactory())
    TagSuggestion.objects.create(tag=TagFactory(), profile=gamma, confidence=0.9)
    response = client_as(analyst).get(f"{CHANGELIST}?{query}")
    assert response.status_code == 200
    assert {p.handle for p in response.context["cl"].result_list} == expected


def test_changelist_query_count_does_not_grow_with_rows(client_as, analyst, django_assert_max_num_queries):
    client = client_as(analyst)
    tag = TagFactory()
    for i in range(5):
        ProfileFactory(handle=f"few{i}").tags.add(tag)
    client.get(CHANGELIST)  # fills the 30-second caches (review counts, languages) both runs then use
    with CaptureQueriesContext(connection) as few:
        assert client.get(CHANGELIST).status_code == 200
    for i in range(45):
        profile = ProfileFactory(handle=f"many{i}")
        profile.tags.add(tag)
        TagSuggestion.objects.create(tag=TagFactory(), profile=profile, confidence=0.5)
    with CaptureQueriesContext(connection) as many:
        assert client.get(CHANGELIST).status_code == 200
    assert len(many.captured_queries) == len(few.captured_queries)
    # session, user, 2× permissions, row estimate, count, the page, its tags, action-bar tags,
    # campaigns and lists, and the sidebar's two badges; cached: review counts and languages
    assert len(many.captured_queries) <= 13


def test_approve_reports_how_many_changed(client_as, analyst, three):
    response = _act(client_as(analyst), "approve", three)
    assert "Set review status to Approved: 2 profiles changed." in _messages(response)
    assert set(Profile.objects.values_list("review_status", flat=True)) == {"approved"}
    assert Profile.objects.get(handle="alpha").reviewed_at is not None


def test_reject_and_watchlist_and_set_any_status(client_as, analyst, three):
    client = client_as(analyst)
    _act(client, "reject", three[:1])
    _act(client, "watchlist", three[1:2])
    response = _act(client, "set_status", three[2:], status="rejected")
    assert "Set review status to Rejected: 1 profiles changed." in _messages(response)
    assert dict(Profile.objects.values_list("handle", "review_status")) == {
        "alpha": "rejected",
        "beta": "watchlist",
        "gamma": "rejected",
    }


def test_set_status_without_a_status_changes_nothing(client_as, analyst, three):
    response = _act(client_as(analyst), "set_status", three)
    assert "Choose a status in the action bar first." in _messages(response)
    assert Profile.objects.filter(review_status="approved").count() == 1


def test_set_niche(client_as, analyst, three):
    response = _act(client_as(analyst), "set_niche", three[:2], niche="Vegan baking")
    assert "Set niche to “Vegan baking”: 2 profiles changed." in _messages(response)
    assert Profile.objects.filter(niche="Vegan baking").count() == 2


def test_add_and_remove_tag_count_only_real_changes(client_as, analyst, three):
    client = client_as(analyst)
    tag = TagFactory(name="Skincare")
    three[0].tags.add(tag)
    response = _act(client, "add_tag", three, tag=tag.pk)
    assert any("Add tag" in m and "2 profiles changed" in m for m in _messages(response))
    assert Profile.objects.filter(tags=tag).count() == 3
    response = _act(client, "remove_tag", three[:2], tag=tag.pk)
    assert any("Remove tag" in m and "2 profiles changed" in m for m in _messages(response))
    assert list(Profile.objects.filter(tags=tag).values_list("handle", flat=True)) == ["gamma"]


def test_accept_and_reject_ai_suggestions_in_bulk(client_as, analyst, three):
    client = client_as(analyst)
    tag_a, tag_b = TagFactory(), TagFactory()
    s1 = TagSuggestion.objects.create(tag=tag_a, profile=three[0], confidence=0.8)
    s2 = TagSuggestion.objects.create(tag=tag_b, profile=three[1], confidence=0.6)
    response = _act(client, "accept_suggestions", three[:1])
    assert "Accept AI tag suggestions: 1 profiles changed." in _messages(response)
    s1.refresh_from_db()
    assert s1.status == "accepted" and s1.decided_by == analyst and tag_a in three[0].tags.all()
    _act(client, "reject_suggestions", three[1:2])
    s2.refresh_from_db()
    assert s2.status == "rejected" and not three[1].tags.exists()


def test_one_click_accept_from_the_detail_page(client_as, analyst, three):
    suggestion = TagSuggestion.objects.create(tag=TagFactory(name="Vlog"), profile=three[0], confidence=0.77)
    client = client_as(analyst)
    page = client.get(reverse("admin:profiles_profile_change", args=[three[0].pk]))
    assert "77%" in page.content.decode()
    url = reverse("admin:profiles_tagsuggestion_decide", args=[suggestion.pk, "accept"])
    assert url in page.content.decode()
    assert client.get(url).status_code == 405
    response = client.post(url, HTTP_REFERER="/admin/")
    assert response.status_code == 302
    suggestion.refresh_from_db()
    assert suggestion.status == "accepted" and suggestion.tag in three[0].tags.all()


def test_stranger_cannot_decide_suggestions(client_as, stranger, three):
    suggestion = TagSuggestion.objects.create(tag=TagFactory(), profile=three[0], confidence=0.5)
    response = client_as(stranger).post(reverse("admin:profiles_tagsuggestion_decide", args=[suggestion.pk, "accept"]))
    assert response.status_code == 302 and "/login/" in response["Location"]
    suggestion.refresh_from_db()
    assert suggestion.status == "pending"


def test_add_to_campaign(client_as, analyst, three):
    campaign = CampaignFactory(owner=analyst, name="Spring")  # hers, in her team: she may change it
    CampaignProfile.objects.create(campaign=campaign, profile=three[0])
    response = _act(client_as(analyst), "add_to_campaign", three, campaign=campaign.pk)
    assert "Add to campaign “Spring”: 2 profiles changed." in _messages(response)
    assert CampaignProfile.objects.filter(campaign=campaign).count() == 3


def test_add_to_campaign_of_another_team_is_refused(client_as, analyst, three):
    campaign = CampaignFactory(name="Someone else's")  # of its owner's own team
    response = _act(client_as(analyst), "add_to_campaign", three, campaign=campaign.pk)
    assert "Choose a campaign of your current team that you may change." in _messages(response)
    assert not CampaignProfile.objects.filter(campaign=campaign).exists()


def test_scrape_now_and_analyse_now_reach_the_broker(
    client_as, analyst, three, broker, django_capture_on_commit_callbacks
):
    client = client_as(analyst)
    with django_capture_on_commit_callbacks(execute=True):
        response = _act(client, "scrape_now", three[:2])
    assert "Queue a scrape: 2 profiles changed." in _messages(response)
    sent = broker.messages("scraping")
    assert sorted(m["args"][0] for m in sent) == sorted(p.pk for p in three[:2])
    assert {m["task"] for m in sent} == {"scraping.tasks.scrape_profile"}
    with django_capture_on_commit_callbacks(execute=True):
        _act(client, "analyse_now", three[:1])
    assert [m["args"] for m in broker.messages("ai")] == [[three[0].pk]]


def test_export_csv_holds_only_the_filtered_rows(client_as, analyst, three):
    three[0].tags.add(TagFactory(name="Tutorial"))
    response = client_as(analyst).post(
        reverse("admin:profiles_profile_export") + "?followers_count_to=60000", {"format": "0", "resource": "0"}
    )
    assert response.status_code == 200, response.content[:500]
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert {row["handle"] for row in rows} == {"alpha", "beta"}
    alpha = next(row for row in rows if row["handle"] == "alpha")
    assert "Tutorial" in alpha["tags"] and alpha["engagement_rate"] == "1.5"
    gamma_unknown = client_as(analyst).post(reverse("admin:profiles_profile_export"), {"format": "0", "resource": "0"})
    gamma = next(
        r for r in csv.DictReader(io.StringIO(gamma_unknown.content.decode("utf-8-sig"))) if r["handle"] == "gamma"
    )
    assert gamma["engagement_rate"] == ""  # unknown stays empty, not 0


def test_export_xlsx(client_as, analyst, three):
    response = client_as(analyst).post(reverse("admin:profiles_profile_export"), {"format": "1", "resource": "0"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    handles = {row[2] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert handles == {"alpha", "beta", "gamma"}


def _import(client, text: str):
    """Upload through the admin, run the queued job here (the worker's part is tested with a real
    worker in profiles/tests/test_admin_spreadsheets.py), then read the job's page."""
    from profiles import imports
    from profiles.models import ImportJob

    upload = SimpleUploadedFile("handles.csv", text.encode(), content_type="text/csv")
    queued = client.post(reverse("admin:profiles_profile_import"), {"file": upload, "resource": "0"})
    assert queued.status_code == 302, queued.content[:500]
    job = ImportJob.objects.latest("created_at")
    imports.run(job.pk)
    return client.get(queued["Location"])


def test_import_csv_of_handles_to_track(client_as, analyst, three):
    three[1].niche = "Kept"
    three[1].scrape_enabled = False
    three[1].save()
    response = _import(client_as(analyst), "platform,handle,niche\ninstagram,@newcomer,Food\ninstagram,BETA,\n")
    assert response.status_code == 200
    newcomer = Profile.objects.get(handle="newcomer")
    assert newcomer.review_status == "watchlist" and newcomer.scrape_enabled and newcomer.niche == "Food"
    beta = Profile.objects.get(handle="beta")
    assert beta.scrape_enabled and beta.review_status == "approved" and beta.niche == "Kept"
    assert Profile.objects.filter(handle__iexact="beta").count() == 1


def test_import_rejects_bad_rows_without_writing_any(client_as, analyst, three):
    response = _import(client_as(analyst), "platform,handle\ninstagram,fine_one\nmyspace,tom\n")
    assert "Unknown platform &#x27;myspace&#x27;" in response.content.decode()
    assert not Profile.objects.filter(handle="fine_one").exists()


def test_profile_detail_shows_analytics_posts_and_scrape_history(client_as, analyst, django_assert_max_num_queries):
    from tests.factories import PostFactory, ProfileSnapshotFactory

    profile = ProfileFactory(handle="detailed")
    for _ in range(3):
        ProfileSnapshotFactory(profile=profile)
    for _ in range(5):
        PostFactory(author=profile)
    client = client_as(analyst)
    with django_assert_max_num_queries(40):
        response = client.get(reverse("admin:profiles_profile_change", args=[profile.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-chart="chart-growth-' in html and 'data-chart="chart-engagement-' in html
    assert "posts per weekday and hour" in html and "Recent posts" in html and "Scrape history" in html
    assert html.count('class="cs-post"') == 5


@pytest.mark.parametrize(
    ("changelist", "factory_names", "index"),
    [
        (CHANGELIST, ("handle", ProfileFactory), "profile_unique_handle_per_platform"),
        (reverse("admin:profiles_community_changelist"), ("name", CommunityFactory), "community_unique_name"),
    ],
)
def test_sorting_by_the_name_column_is_case_insensitive_and_read_from_the_unique_index(
    client_as, analyst, changelist, factory_names, index
):
    field, factory = factory_names
    for name in ("beta", "Alpha", "gamma", "Delta"):
        factory(**{field: name})
    client = client_as(analyst)
    # Column 1 is the name column (0 is the selection checkbox); "-" sorts descending.
    ascending = client.get(changelist, {"o": "1"}).context["cl"]
    assert [getattr(row, field) for row in ascending.result_list] == ["Alpha", "beta", "Delta", "gamma"]
    descending = client.get(changelist, {"o": "-1"}).context["cl"]
    assert [getattr(row, field) for row in descending.result_list] == ["gamma", "Delta", "beta", "Alpha"]
    if connection.vendor == "postgresql":
        # At 1,000,000 creators a sort of the whole table took 3.3 s; the index hands over the first 50 rows.
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_sort = off")
        explained = descending.queryset[:50].explain()
        assert f"Index Scan Backward using {index}" in explained, explained


def test_subreddit_changelist_lists_biggest_first_unknown_last_from_an_index(client_as, analyst):
    for name, subscribers in (("small", 10), ("unknown", None), ("big", 1_000)):
        CommunityFactory(name=name, subscribers=subscribers)
    changelist = client_as(analyst).get(reverse("admin:profiles_community_changelist")).context["cl"]
    assert [c.name for c in changelist.result_list] == ["big", "small", "unknown"]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_sort = off")
        explained = changelist.queryset[:50].explain()
        assert "community_subscribers_nl" in explained, explained


# Columns of the creators changelist (0 is the selection checkbox) and the index each sort reads.
SORTED_COLUMNS = [
    (2, "followers_count", "profile_followers_nl"),
    (3, "engagement_rate", "profile_engagement_nl"),
    (4, "follower_growth_30d", "profile_growth_nl"),
    (8, "last_scraped_at", "profile_scraped_nl"),
]


@pytest.mark.parametrize(("column", "field", "index"), SORTED_COLUMNS)
def test_number_columns_sort_highest_first_unknown_last_from_their_index(client_as, analyst, column, field, index):
    from datetime import timedelta

    from django.utils import timezone

    now = timezone.now()
    values = {
        "followers_count": [5, None, 50, 500],
        "engagement_rate": [0.5, None, 5.0, 50.0],
        "follower_growth_30d": [-1.0, None, 1.0, 10.0],
        "last_scraped_at": [now - timedelta(days=3), None, now - timedelta(days=2), now - timedelta(days=1)],
    }[field]
    for n, value in enumerate(values):
        ProfileFactory(handle=f"sorted{n}", **{field: value})
    client = client_as(analyst)
    first_click = client.get(CHANGELIST, {"o": str(column)}).context["cl"]
    assert [row.handle for row in first_click.result_list] == ["sorted3", "sorted2", "sorted0", "sorted1"]
    second_click = client.get(CHANGELIST, {"o": f"-{column}"}).context["cl"]
    assert [row.handle for row in second_click.result_list] == ["sorted1", "sorted0", "sorted2", "sorted3"]
    if connection.vendor == "postgresql":
        # At 1,000,000 creators each of these sorts took 1.2-1.6 s; the index hands over the first 50 rows.
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_sort = off")
        for cl in (first_click, second_click):
            explained = cl.queryset[:50].explain()
            assert index in explained, explained


@pytest.mark.parametrize(
    ("column", "field", "value", "indexes"),
    [
        (5, "ai_primary_content_type", "fitness", ("profile_category",)),
        (6, "review_status", "approved", ("profile_review_status", "profile_review_status_desc")),
    ],
)
def test_category_and_review_columns_sort_from_an_index_with_the_key(client_as, analyst, column, field, value, indexes):
    ProfileFactory(**{field: value})
    client = client_as(analyst)
    if connection.vendor != "postgresql":
        pytest.skip("the index plans are PostgreSQL's")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
    # Django orders a clicked column by (column, -pk): an index ending in -id serves it without a sort.
    explained = client.get(CHANGELIST, {"o": str(column)}).context["cl"].queryset[:50].explain()
    assert f"Index Scan using {indexes[0]}" in explained and "Sort" not in explained, explained
    if len(indexes) > 1:
        explained = client.get(CHANGELIST, {"o": f"-{column}"}).context["cl"].queryset[:50].explain()
        assert f"Index Scan using {indexes[1]}" in explained and "Sort" not in explained, explained


def test_estimated_count_only_for_a_whole_large_table(three, monkeypatch):
    from django.db import connection

    from config.admin import EstimatedCountPaginator

    monkeypatch.setattr(EstimatedCountPaginator, "EXACT_BELOW", 1)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE profiles_profile")
        cursor.execute("UPDATE pg_class SET reltuples = 123456 WHERE relname = 'profiles_profile'")
    assert EstimatedCountPaginator(Profile.objects.all(), 50).count == 123456
    assert EstimatedCountPaginator(Profile.objects.filter(followers_count__gt=10_000), 50).count == 2
    monkeypatch.setattr(EstimatedCountPaginator, "EXACT_BELOW", 200_000)
    assert EstimatedCountPaginator(Profile.objects.all(), 50).count == 3


def test_bulk_add_to_a_list_and_a_contact_typed_in_the_inline(client_as, analyst, three):
    from profiles.models import Contact, List
    from tests.factories import team_of

    shortlist = List.objects.create(team=team_of(analyst), user=analyst, name="Client A")
    client = client_as(analyst)

    response = _act(client, "add_to_list", three[:2], target_list=shortlist.pk)
    again = _act(client, "add_to_list", three, target_list=shortlist.pk)
    unchosen = _act(client, "add_to_list", three)

    assert any("Add to “Client A”: 2 profiles added" in m for m in _messages(response))
    assert any("1 profiles added" in m for m in _messages(again))
    assert any("Choose a list" in m for m in _messages(unchosen))
    assert shortlist.entries.count() == 3

    # The creator's change page carries the contacts inline, whose form validates like the API.
    from profiles.admin.lists import ContactForm

    assert "contacts-TOTAL_FORMS" in client.get(f"/admin/profiles/profile/{three[0].pk}/change/").content.decode()
    bad = ContactForm(data={"kind": "phone", "value": "12"}, instance=Contact(profile=three[0]))
    good = ContactForm(data={"kind": "phone", "value": "+44 20 7946 0958"}, instance=Contact(profile=three[0]))
    assert not bad.is_valid() and "value" in bad.errors
    assert good.is_valid() and good.save().source == "analyst" and good.instance.value == "+442079460958"
