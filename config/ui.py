"""The admin theme's per-request settings: our static assets and the sidebar (import paths in ``UNFOLD``)."""

from django.http import HttpRequest
from django.templatetags.static import static
from django.urls import reverse_lazy

from accounts.operators import is_operator


def admin_css(request: HttpRequest) -> str:
    return static("css/creatorscope.css")


def chart_js(request: HttpRequest) -> str:
    # Vendored from the chart.js npm package (MIT, static/vendor/chartjs/LICENSE.md): no CDN at run time.
    return static("vendor/chartjs/chart.umd.min.js")


def charts_js(request: HttpRequest) -> str:
    return static("js/charts.js")


def _can(permission: str):
    if permission.startswith(OPERATIONS_APPS):  # operations: the Staff role too (config.admin.OperationsAdminMixin)
        return lambda request: is_operator(request.user) and request.user.has_perm(permission)
    return lambda request: request.user.has_perm(permission)


OPERATIONS_APPS = ("scraping.view_scrape", "scraping.view_systemlog", "monitoring.", "django_celery_beat.")


def _item(title: str, icon: str, url_name: str, permission: str) -> dict:
    return {"title": title, "icon": icon, "link": reverse_lazy(url_name), "permission": _can(permission)}


def unreviewed_communities(request: HttpRequest) -> int | str:
    from profiles.models import Community

    return Community.objects.filter(review_status="unreviewed").count() or ""


def pending_suggestions(request: HttpRequest) -> int | str:
    from profiles.models import TagSuggestion

    return TagSuggestion.objects.filter(status="pending").count() or ""


def sidebar(request: HttpRequest) -> list[dict]:
    """The admin sidebar grouped by the analyst's day: triage first, operations for staff last."""
    return [
        {
            "title": "Triage",
            "items": [
                _item("Creators", "person_search", "admin:profiles_profile_changelist", "profiles.view_profile"),
                {
                    **_item("Subreddits", "forum", "admin:profiles_community_changelist", "profiles.view_community"),
                    "badge": "config.ui.unreviewed_communities",
                },
                {
                    **_item(
                        "AI tag suggestions",
                        "auto_awesome",
                        "admin:profiles_tagsuggestion_changelist",
                        "profiles.view_tagsuggestion",
                    ),
                    "badge": "config.ui.pending_suggestions",
                },
                _item("Posts", "photo_library", "admin:posts_post_changelist", "posts.view_post"),
            ],
        },
        {
            "title": "Taxonomy",
            "items": [
                _item("Tags", "sell", "admin:profiles_tag_changelist", "profiles.view_tag"),
                _item(
                    "Tag categories", "category", "admin:profiles_tagcategory_changelist", "profiles.view_tagcategory"
                ),
            ],
        },
        {
            "title": "Campaigns",
            "items": [
                _item("Campaigns", "campaign", "admin:campaigns_campaign_changelist", "campaigns.view_campaign"),
                _item(
                    "Campaign creators",
                    "group",
                    "admin:campaigns_campaignprofile_changelist",
                    "campaigns.view_campaignprofile",
                ),
            ],
        },
        {
            "title": "Operations",
            "items": [
                _item("Scrapers", "travel_explore", "admin:scraping_scraper_changelist", "scraping.view_scraper"),
                _item("Scrape runs", "history", "admin:scraping_scraperun_changelist", "scraping.view_scraperun"),
                _item("System log", "receipt_long", "admin:scraping_systemlog_changelist", "scraping.view_systemlog"),
                _item("Alerts", "notifications", "admin:monitoring_alert_changelist", "monitoring.view_alert"),
                _item(
                    "AI batches",
                    "psychology",
                    "admin:intelligence_analysisbatch_changelist",
                    "intelligence.view_analysisbatch",
                ),
                _item("Media downloads", "download", "admin:media_remotesource_changelist", "media.view_remotesource"),
                _item(
                    "Scheduled jobs",
                    "schedule",
                    "admin:django_celery_beat_periodictask_changelist",
                    "django_celery_beat.view_periodictask",
                ),
            ],
        },
        {
            "title": "Accounts",
            "items": [
                _item("Users", "person", "admin:auth_user_changelist", "auth.view_user"),
                _item("Groups", "groups", "admin:auth_group_changelist", "auth.view_group"),
            ],
        },
    ]
