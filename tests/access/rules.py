"""Who may use which endpoint: one declared rule per URL name (and method), checked for the whole cast.

``RULES`` maps ``"<url name>"`` or ``"<url name> <METHOD>"`` (the method form wins) to a ``Rule``:
the status each member of ``ROLES`` must get. An endpoint of the URLconf without a rule fails
``test_every_endpoint_has_a_rule``; a rule naming a URL that is gone fails
``test_every_rule_names_an_endpoint``. Adding an endpoint is one line here (plus one in ``KWARGS``
when its path takes arguments, one in ``DATA`` when a write needs a body).

The statuses are the spec's (/work/plan/ACCOUNTS.md, "The rules everyone codes to"), not what any
branch does today. Rules whose ``team`` flag is set depend on team scoping (``accounts.teams``) and
are skipped until that module exists.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

# The cast. "author" is the analyst of the owning team who wrote every team-owned row, so that
# "analyst" is a teammate who did not (the spec's "other teammates -> 403"). "staff" holds the Staff
# role (operations) and no team. "admin_analyst" is an analyst of the owning team (not the author) with
# staff status, to work in admin, and every model permission of the Staff group but the operator one
# (accounts.operate): no operations through any door, and in admin the team rule as in the API.
ROLES = (
    "anonymous",
    "no_team",
    "viewer",
    "analyst",
    "manager",
    "owner",
    "author",
    "other",
    "staff",
    "admin_analyst",
    "superuser",
)
MEMBERS = ("viewer", "analyst", "manager", "owner", "author", "admin_analyst")  # of the owning team
WRITERS = ("analyst", "manager", "owner", "author", "admin_analyst")  # may add rows to the team
EDITORS = ("manager", "owner", "author")  # the row's author, or an owner / manager of its team
OUTSIDERS = ("no_team", "other", "staff")  # signed in, not in the owning team, not superuser
SIGNED_IN = ROLES[1:]
ADMINS = ("staff", "admin_analyst", "superuser")  # staff status: may enter admin


@dataclass(frozen=True)
class Door:
    """What a refusal looks like through one kind of door."""

    anonymous: int  # not signed in
    denied: int  # signed in, not allowed


API = Door(anonymous=401, denied=403)
PAGE = Door(anonymous=302, denied=403)  # to the sign-in page
ADMIN = Door(anonymous=302, denied=403)  # to the admin sign-in; non-staff are sent there too


@dataclass(frozen=True)
class Rule:
    name: str
    statuses: dict[str, int]
    team: bool = False  # needs team scoping (accounts.teams) to hold

    def but(self, **statuses: int) -> Rule:
        """The same rule with some roles' statuses changed (a one-off exception, named in place)."""
        unknown = set(statuses) - set(ROLES)
        assert not unknown, f"unknown roles {unknown}"
        return replace(self, statuses={**self.statuses, **statuses})


def _rule(name: str, door: Door, team: bool = False, **groups: int) -> Rule:
    """Statuses by group of roles (``_GROUPS``), later groups overriding earlier ones."""
    statuses = {"anonymous": door.anonymous}
    for roles, status in groups.items():
        for role in _GROUPS[roles]:
            statuses[role] = status
    assert set(statuses) == set(ROLES), f"{name}: no status for {set(ROLES) - set(statuses)}"
    return Rule(name, statuses, team)


_GROUPS: dict[str, tuple[str, ...]] = {
    "signed_in": SIGNED_IN,
    "members": MEMBERS,
    "writers": WRITERS,
    "editors": EDITORS,
    "outsiders": OUTSIDERS,
    "admins": ADMINS,
    **{role: (role,) for role in ROLES},
}


def public(ok: int = 200) -> Rule:
    return Rule("public", dict.fromkeys(ROLES, ok))


def signed_out() -> Rule:
    """Sign-in and sign-up forms: anonymous visitors; a signed-in visitor is sent on (302)."""
    return Rule("signed_out", {"anonymous": 200, **dict.fromkeys(SIGNED_IN, 302)})


def not_allowed() -> Rule:
    return Rule("not_allowed", dict.fromkeys(ROLES, 405))


def signed_in(door: Door, ok: int = 200) -> Rule:
    """Shared data (creators, communities, posts, tags) and the user's own views: any signed-in user."""
    return _rule("signed_in", door, signed_in=ok)


def staff_only(door: Door, ok: int = 200) -> Rule:
    """Operations (scrapers, runs, logs, monitor): the Staff role and superusers; nobody else, staff
    status or not (accounts.operators.is_operator)."""
    return _rule("staff_only", door, signed_in=door.denied, staff=ok, superuser=ok)


def team_read(door: Door, ok: int = 200) -> Rule:
    """A row of the owning team: every member reads it; other teams 404; superusers read everything."""
    return _rule("team_read", door, team=True, members=ok, outsiders=404, superuser=ok)


def team_create(door: Door, ok: int = 201) -> Rule:
    """A new team-owned row in the current team: owner/manager/analyst; viewers and users of no team 403."""
    return _rule("team_create", door, team=True, signed_in=door.denied, writers=ok, other=ok)


def team_child_create(door: Door, ok: int = 201) -> Rule:
    """A row added under the owning team's row (a creator in its campaign): adding changes the campaign,
    so its author or the team's owners/managers (campaigns/api/views.py); teammates 403, other teams 404."""
    return _rule(
        "team_child_create", door, team=True, members=door.denied, editors=ok, outsiders=404, superuser=door.denied
    )


def team_edit(door: Door, ok: int = 200) -> Rule:
    """Change or delete a team row: its author or an owner/manager; teammates 403; other teams 404.

    Superusers read every team's rows but edit none they are not a member of (403, the row is visible).
    """
    return _rule("team_edit", door, team=True, members=door.denied, editors=ok, outsiders=404, superuser=door.denied)


def own_only(door: Door, ok: int = 200) -> Rule:
    """A record of one user (API tokens, 30-day access grants while PROFILE_ACCESS_SCOPE="user"):
    its user alone; everyone else 404, superusers too (these are not team rows)."""
    return _rule("own_only", door, signed_in=404, author=ok)


def team_owner(door: Door, ok: int = 200) -> Rule:
    """The current team's owners alone (the audit trail); every other signed-in user 403."""
    return _rule("team_owner", door, team=True, signed_in=door.denied, owner=ok)


def team_manage(door: Door, ok: int = 200, outsiders: int = 404) -> Rule:
    """A team's management (members, invitations): its owners and managers; other members 403."""
    return _rule("team_manage", door, team=True, signed_in=outsiders, members=door.denied, manager=ok, owner=ok)


# --- Admin: the Django admin answers every non-staff user with the sign-in page (302) ---------------


def admin_site(ok: int = 200, staff: int | None = None, analyst: int | None = None) -> Rule:
    """A page of the admin site itself: whoever has staff status (``analyst``: the admin analyst, when
    not as ``staff``), and superusers."""
    staff = ok if staff is None else staff
    return _rule(
        "admin_site",
        ADMIN,
        signed_in=ADMIN.anonymous,
        staff=staff,
        admin_analyst=staff if analyst is None else analyst,
        superuser=ok,
    )


def _admin_status(caps: str, needs: str, ok: int) -> int:
    return ok if set(caps) & set(needs) else ADMIN.denied


# What each admin view of one row needs: read it, change it, delete it (None: no row).
_READ, _CHANGE, _DELETE = "read", "change", "delete"


def admin_model(
    label: str,
    staff: str = "",
    superuser: str = "vacd",
    rows: str = "",
    ops: bool = False,
    post_change: int = 200,
) -> dict[str, Rule]:
    """The rules of one ModelAdmin's views, from what staff and superusers may do with the model.

    ``staff`` / ``superuser`` hold the admin permissions each has, as letters: v(iew), a(dd),
    c(hange), d(elete); the admin analyst holds the staff letters (the Staff group's permissions).
    ``rows``: how admin scopes the model's rows, by the API's and the pages' rule
    (``config.admin.TeamScopedAdminMixin``):

    * ``"team"``: a team's row (the owning team's, written by "author"). Outsiders with the
      permission (staff, of no team) do not find it: the admin's "does not exist" redirect (302), as
      the API's 404. Its members read it; only its author and editors change or delete it, so the
      admin analyst (a teammate) and superusers (of no team) get 403 on a change or delete.
    * ``"own"``: one user's row (access grants in the user scope): everyone else does not find it.
    * ``"mine"``: one user's row that superusers also see (spreadsheet import jobs).

    ``ops``: an operations model (``config.admin.OperationsAdminMixin``): the admin analyst, with its
    model permissions but without the Staff role, is refused (403) everywhere.
    ``post_change``: what a POST of an empty change form answers (200, the form with its errors).
    """
    app, model = label.split(".")
    prefix = f"admin:{app}_{model}"
    analyst = "" if ops else staff

    def status(role: str, caps: str, needs: str, ok: int, row: str | None) -> int:
        found = _admin_status(caps, needs, ok)
        if found == ADMIN.denied or row is None or not rows:
            return found
        outsider = (
            role == "staff"
            or (rows == "own" and role != "author")
            or (rows == "mine" and role not in ("author", "superuser"))
        )
        if outsider:
            return 302  # not found among the rows it may see: "does not exist", back to the list
        if rows == "mine":
            return found  # the row's own user, or a superuser: the model permissions decide
        return found if row == _READ else ADMIN.denied

    def rule(name: str, needs: str, ok: int, row: str | None = None) -> Rule:
        return _rule(
            name,
            ADMIN,
            team=bool(rows) and row is not None,
            signed_in=ADMIN.anonymous,
            staff=status("staff", staff, needs, ok, row),
            admin_analyst=status("admin_analyst", analyst, needs, ok, row),
            superuser=status("superuser", superuser, needs, ok, row),
        )

    return {
        f"{prefix}_changelist": rule("admin_view", "vc", 200),
        f"{prefix}_add": rule("admin_add", "a", 200),
        f"{prefix}_change GET": rule("admin_view", "vc", 200, _READ),
        f"{prefix}_change POST": rule("admin_change", "c", post_change, _CHANGE),
        f"{prefix}_delete GET": rule("admin_delete", "d", 200, _DELETE),
        f"{prefix}_delete POST": rule("admin_delete", "d", 302, _DELETE),
        f"{prefix}_history": rule("admin_view", "vc", 200, _READ),
        # ``<object_id>/`` only redirects to the change page (the sign-in page for non-staff).
        f"admin/{app}/{model}/<path:object_id>/": _rule(
            "admin_redirect", ADMIN, signed_in=302, staff=302, admin_analyst=302, superuser=302
        ),
    }


# Staff's admin permissions come from the "Staff" group (profiles/groups.py); superusers have all,
# except where a ModelAdmin refuses a kind of change to everyone (read-only admins: v and d only).
_ADMIN_MODELS = [
    admin_model("auth.group"),
    admin_model("auth.user"),
    admin_model("accounts.team"),
    admin_model("accounts.apitoken", superuser="vd"),  # read-only; a delete revokes
    admin_model("accounts.auditentry", superuser="v"),  # not even superusers delete the trail
    admin_model(
        "accounts.invitation", superuser="vcd", post_change=302
    ),  # sent from the members page, never added here
    admin_model("scraping.lookup", staff="v", superuser="vd", rows="team"),  # read-only; superusers delete
    admin_model("account.emailaddress"),
    admin_model("mfa.authenticator"),
    admin_model("socialaccount.socialapp"),
    admin_model("socialaccount.socialaccount"),
    admin_model("socialaccount.socialtoken"),
    admin_model("usersessions.usersession"),
    # django-axes' records: read-only forms (a POST saves nothing and returns to the list), never added
    admin_model("axes.accessattempt", superuser="vcd", post_change=302),
    admin_model("axes.accesslog", superuser="vcd", post_change=302),
    admin_model("axes.accessfailurelog", superuser="vcd", post_change=302),
    admin_model("media.asset", staff="v"),
    admin_model("media.remotesource", staff="v", superuser="vd"),
    admin_model("profiles.tagcategory", staff="vac"),
    admin_model("profiles.tag", staff="vac"),
    admin_model("profiles.tagsuggestion", staff="vc"),
    admin_model("profiles.profile", staff="vc", superuser="vcd"),  # creators come from scrapes, not the admin
    admin_model("profiles.profilesnapshot", staff="v"),
    admin_model("profiles.audiencedemographics", staff="v"),
    admin_model("profiles.instagramconnection", staff="v", superuser="vcd", post_change=302),
    admin_model("profiles.datadeletionrequest", staff="v", superuser="vd"),
    admin_model("profiles.mention", staff="v"),
    admin_model("profiles.relatedprofile", staff="v"),
    admin_model("profiles.favorite", staff="vad", rows="team"),
    admin_model("profiles.profileaccess", staff="v", rows="own"),  # PROFILE_ACCESS_SCOPE="user"
    admin_model("profiles.searchhistory", staff="v", rows="team"),
    # Spreadsheet import jobs: each user sees their own (staff here did not start it), superusers all.
    admin_model("profiles.importjob", staff="v", superuser="vd", rows="mine"),
    admin_model("profiles.community", staff="vc", superuser="vcd"),
    admin_model("profiles.communitysnapshot", staff="v"),
    # Issue 21: suggestions come from the AI and links from analysis, never added by hand.
    admin_model("profiles.communityreviewsuggestion", staff="vc", superuser="vcd"),
    admin_model("profiles.profilelink", staff="vc", superuser="vcd"),
    admin_model("posts.post", staff="v"),
    admin_model("posts.commentsentiment", staff="v"),
    admin_model("campaigns.campaign", staff="vac", rows="team"),
    admin_model("campaigns.campaignpost", staff="vac", rows="team"),  # the campaign's rule
    admin_model("campaigns.campaignprofile", staff="vac", rows="team"),
    admin_model("intelligence.analysisbatch", staff="v", superuser="vd"),
    admin_model("intelligence.profileembedding", staff="v", superuser="vd"),
    # Operations: the Staff role on top of the model permissions (the admin analyst has those, not the role).
    admin_model("scraping.scraper", staff="vc", ops=True),
    admin_model("scraping.scraperun", staff="v", superuser="vd", ops=True),
    admin_model("scraping.systemlog", staff="v", superuser="vd", ops=True),
    admin_model("django_celery_beat.periodictask", staff="vacd", ops=True),
    admin_model("django_celery_beat.intervalschedule", staff="vacd", ops=True),
    admin_model("django_celery_beat.crontabschedule", staff="vacd", ops=True),
    admin_model("django_celery_beat.solarschedule", staff="vacd", ops=True),
    admin_model("django_celery_beat.clockedschedule", staff="vacd", ops=True),
    admin_model("monitoring.alert", staff="v", superuser="vd", ops=True),
    admin_model("profiles.list", staff="vacd", rows="team"),
    admin_model("watches.watch", staff="v"),
    admin_model("watches.event", staff="v", superuser="vd"),  # read-only: what was raised and sent
    admin_model("watches.alertsettings", staff="v"),
]

RULES: dict[str, Rule] = {
    # --- probes and metrics ---
    "health": public(),
    "ready": public(),
    # Closed to every session role: only METRICS_TOKEN or METRICS_ALLOWED_NETWORKS open it
    # (monitoring/tests/test_metrics_access.py).
    "prometheus-django-metrics": public(ok=403),
    "monitoring-dashboard": staff_only(PAGE),  # staff status alone: 403 with the reason
    # A read-only report on model quality, not an operation: staff status (staff_member_required).
    "ai-scorecard": admin_site(),
    # --- sign-in pages (django-allauth) ---
    # The open ones answer everyone; a signed-in visitor of the sign-in and sign-up forms is sent on (302).
    "account_login": signed_out(),  # a POST of an empty form: the form again, with its errors
    "account_signup": signed_out(),  # sign-up is closed (invitations only): the page says so
    "account_logout GET": signed_in(PAGE),  # the "sign out?" confirmation
    "account_logout POST": public(302),
    "account_inactive": public(),
    "account_reset_password": public(),  # a POST of an empty form: the form again
    "account_reset_password_done": public(),
    "account_reset_password_from_key": public(),  # a bad key: the page says the link is invalid
    "account_reset_password_from_key_done": public(),
    "account_email_verification_sent GET": public(),
    "account_email_verification_sent POST": not_allowed(),
    "account_confirm_email GET": public(),  # an unknown key: the page says the link is invalid
    "account_confirm_email POST": public(404),
    # Steps of a flow nobody started here (login by code, reauthentication by code, a second factor,
    # an SSO sign-up): each sends everyone back (302).
    "account_confirm_login_code": public(302),
    "account_request_reauthentication_code": public(302),
    "account_confirm_reauthentication_code": public(302),
    "mfa_authenticate": public(302),
    "mfa_reauthenticate": public(302),
    "mfa_reauthenticate_webauthn": public(302),
    "socialaccount_signup": public(302),
    "socialaccount_login_cancelled": public(),
    "socialaccount_login_error": public(401),  # allauth's "sign-in failed" page answers 401
    # allauth's legacy /accounts/social/ URLs: permanent redirects to /accounts/3rdparty/
    "accounts/social/login/cancelled/": public(301),
    "accounts/social/login/error/": public(301),
    "accounts/social/signup/": public(301),
    "accounts/social/connections/": public(301),
    # SSO providers: an unconfigured one is not found (the cast's configuration has none set up).
    "google_login": public(404),
    "google_callback": public(404),
    "google_login_by_token": public(404),
    "microsoft_login": public(404),
    "microsoft_callback": public(404),
    "openid_connect_login": public(404),
    "openid_connect_callback": public(404),
    # Account management: signed in.
    "account_reauthenticate": signed_in(PAGE),
    "account_email GET": signed_in(PAGE),
    "account_email POST": signed_in(PAGE, ok=302),  # no action named: back to the page
    "account_change_password": signed_in(PAGE),
    "account_set_password": signed_in(PAGE, ok=302),  # everyone has a password: to the change form
    "socialaccount_connections": signed_in(PAGE),
    "usersessions_list GET": signed_in(PAGE),
    "usersessions_list POST": signed_in(PAGE, ok=302),  # signs the other sessions out, back to the list
    "mfa_index": signed_in(PAGE),
    "mfa_list_webauthn": signed_in(PAGE),
    # Changing a second factor asks for a fresh sign-in first (the matrix's sessions have none): 302.
    "mfa_activate_totp": signed_in(PAGE, ok=302),
    "mfa_generate_recovery_codes": signed_in(PAGE, ok=302),
    "mfa_add_webauthn": signed_in(PAGE, ok=302),
    "mfa_remove_webauthn": signed_in(PAGE, ok=302),  # the bystander's key, behind the same step
    "mfa_edit_webauthn": signed_in(PAGE, ok=302),
    # Nobody in the cast has TOTP or recovery codes: nothing to show or turn off.
    "mfa_deactivate_totp": signed_in(PAGE, ok=404),
    "mfa_view_recovery_codes": signed_in(PAGE, ok=404),
    "mfa_download_recovery_codes": signed_in(PAGE, ok=404),
    # --- account pages: tokens, teams, invitations, the audit trail ---
    "accounts:tokens": signed_in(PAGE),
    "accounts:revoke_token": own_only(PAGE, ok=302),
    # Superusers read any team's trail they act in; the cast's superuser is in no team: "join one first", 403.
    "accounts:audit": team_owner(PAGE),
    "accounts:teams GET": signed_in(PAGE),
    "accounts:teams POST": _rule("team_switch", PAGE, team=True, signed_in=403, members=302),
    "accounts:create_team": signed_in(PAGE, ok=302),  # anyone signed in founds a team, as its owner
    "accounts:members GET": _rule("team_members", PAGE, team=True, signed_in=403, members=200, other=200),
    "accounts:members POST": team_manage(PAGE, ok=302, outsiders=403),
    "accounts:invitation GET": signed_in(PAGE),  # anonymous visitors: to sign up first
    "accounts:invitation POST": signed_in(PAGE, ok=400),  # the invitation names another address: refused
    # --- lookups ---
    "scraping:lookup_form": signed_in(PAGE),
    # Asking adds a row to the current team: writers; no handle, the form again with its error (400).
    "scraping:lookup_start": team_create(PAGE, ok=400),
    "scraping:lookup": team_read(PAGE),
    "scraping:lookup_progress": team_read(PAGE),
    # --- pages ---
    "profiles:home": public(302),  # to the search, or to the sign-in page
    "profiles:search": signed_in(PAGE),
    "profiles:favorites": signed_in(PAGE),
    "profiles:profile": signed_in(PAGE),
    # Opens the report's access explicitly (the confirmation page's button), then back to the page.
    "profiles:profile POST": signed_in(PAGE, ok=302),
    "profiles:favorite": team_create(PAGE, ok=302),
    # A refusal is a message on the redirect ("Choose a campaign you may change"), so every signed-in
    # user gets 302 here; api-campaign-creators POST carries the team rule.
    "profiles:add_to_campaign": signed_in(PAGE, ok=302),
    "profiles:review_queue": signed_in(PAGE),
    # Creator connect: a team member who may write starts it (302 to Meta); the callback without the
    # session's state is a 400; Meta's signed callbacks are public and refuse an unsigned body (400).
    "profiles:instagram_connect": team_create(PAGE, ok=302),
    "profiles:instagram_callback": signed_in(PAGE, ok=400),
    "profiles:instagram_deauthorize": public(400),
    "profiles:instagram_data_deletion": public(400),
    "profiles:instagram_deletion": public(),
    # The same through Facebook Login for Business; the choice page without a pending grant is a 400.
    "profiles:facebook_connect": team_create(PAGE, ok=302),
    "profiles:facebook_callback": signed_in(PAGE, ok=400),
    "profiles:facebook_choose": signed_in(PAGE, ok=400),
    "profiles:facebook_deauthorize": public(400),
    "profiles:facebook_data_deletion": public(400),
    "profiles:review_communities": signed_in(PAGE, ok=302),
    # A refusal is a message on the redirect, as for the queue's own buttons.
    "profiles:decide_review_suggestion": signed_in(PAGE, ok=302),
    "profiles:community": signed_in(PAGE),
    "profiles:decide_profile_link": signed_in(PAGE, ok=302),
    "profiles:bulk": team_create(PAGE, ok=302),  # ticked creators to favorites (writers of a team)
    "campaigns:list": signed_in(PAGE),
    "campaigns:create": team_create(PAGE, ok=302),
    "campaigns:detail": team_read(PAGE),
    "campaigns:update": team_edit(PAGE, ok=302),
    "campaigns:entry": team_edit(PAGE, ok=302),
    "campaigns:export": team_read(PAGE),
    "campaigns:remove_post": team_edit(PAGE, ok=302),
    # --- pages: contacts, lists, watches and the inbox (issue 20) ---
    "profiles:add_contact": team_create(PAGE, ok=302),  # a bad value is a message on the redirect
    "profiles:lists GET": signed_in(PAGE),
    "profiles:lists POST": team_create(PAGE, ok=200),  # no name: the page again with the message
    "profiles:add_to_list": team_create(PAGE, ok=302),  # no list chosen: a message on the redirect
    "profiles:list GET": team_read(PAGE),
    "profiles:list POST": team_edit(PAGE, ok=302),
    "profiles:list_export": team_read(PAGE),
    "watches:list GET": signed_in(PAGE),
    "watches:list POST": signed_in(PAGE, ok=302),  # each user's own alert settings
    "watches:add": team_create(PAGE, ok=302),  # invalid: a message on the redirect
    "watches:delete": team_edit(PAGE, ok=302),
    "watches:inbox GET": signed_in(PAGE),
    "watches:inbox POST": signed_in(PAGE, ok=302),
    "media-file": signed_in(PAGE),
    # --- API: tokens ---
    "api-auth-token": public().but(anonymous=400),  # each role posts its own password; anonymous none
    "api-auth-me": signed_in(API),
    "api-token-list GET": signed_in(API),
    "api-token-list POST": signed_in(API, ok=201),
    "api-token-detail": own_only(API, ok=204),
    # --- API: teams ---
    "api-team-list": signed_in(API),
    "api-team-detail": _rule("team_membership", API, team=True, signed_in=404, members=200),
    "api-team-invitations GET": team_manage(API),
    "api-team-invitations POST": team_manage(API, ok=201),
    # --- API: lookups (the team's, like campaigns) ---
    "api-lookup-list GET": signed_in(API),
    "api-lookup-list POST": team_create(API, ok=400),  # writers; no handle: 400 with its field's message
    "api-lookup-detail": team_read(API),
    # --- API: shared collected data ---
    "api-profile-list": signed_in(API),
    "api-profile-detail": signed_in(API),
    "api-profile-detail POST": signed_in(API),  # opens the report's access explicitly (issue 16)
    "api-profile-similar": signed_in(API),
    "api-profile-posts": signed_in(API),
    "api-profile-analytics": signed_in(API),
    "api-profile-ai-insights": signed_in(API),
    "api-community-list": signed_in(API),
    "api-community-detail": signed_in(API),
    # Reviewing subreddits needs profiles.change_community: every signed-in member of the cast is in
    # the Analyst group (or the Staff group), so all may.
    "api-community-review": signed_in(API),
    "api-community-bulk-review": signed_in(API),
    "api-community-categorize": signed_in(API, ok=202),
    "api-community-categorize-many": signed_in(API, ok=202),
    "api-tag-list": signed_in(API),
    "api-tag-detail": signed_in(API),
    "api-viral-post-list": signed_in(API),
    "api-brand-mentions": signed_in(API, ok=400),  # no brand named: 400 with its field's message
    # A creator's contacts: collected data, read by everyone; writers of a team add and correct them.
    "api-profile-contacts GET": signed_in(API),
    "api-profile-contacts POST": team_create(API),
    "api-profile-contact PATCH": team_create(API, ok=200),
    "api-profile-contact DELETE": team_create(API, ok=204),
    # --- API: team-owned rows (lists show the current team's rows: 200 for everyone signed in) ---
    "api-favorite-list GET": signed_in(API),
    "api-favorite-list POST": team_create(API),
    "api-favorite-detail GET": team_read(API),
    "api-favorite-detail PUT": team_edit(API),
    "api-favorite-detail PATCH": team_edit(API),
    "api-favorite-detail DELETE": team_edit(API, ok=204),
    "api-search-history-list GET": signed_in(API),
    "api-search-history-list POST": team_create(API),
    "api-search-history-detail GET": team_read(API),
    "api-search-history-detail DELETE": team_edit(API, ok=204),
    "api-profile-access-list": signed_in(API),
    "api-profile-access-detail": own_only(API),
    "api-campaign-list GET": signed_in(API),
    "api-campaign-list POST": team_create(API),
    "api-campaign-detail GET": team_read(API),
    "api-campaign-detail PUT": team_edit(API),
    "api-campaign-detail PATCH": team_edit(API),
    "api-campaign-detail DELETE": team_edit(API, ok=204),
    "api-campaign-metrics": team_read(API),
    "api-campaign-creators GET": team_read(API),
    "api-campaign-creators POST": team_child_create(API),
    "api-campaign-creator GET": team_read(API),
    "api-campaign-creator PATCH": team_edit(API),
    "api-campaign-creator DELETE": team_edit(API, ok=204),
    "api-campaign-posts GET": team_read(API),
    "api-campaign-posts POST": team_child_create(API),
    "api-campaign-post GET": team_read(API),
    "api-campaign-post DELETE": team_edit(API, ok=204),
    "api-list-list GET": signed_in(API),
    "api-list-list POST": team_create(API),
    "api-list-detail GET": team_read(API),
    "api-list-detail PUT": team_edit(API),
    "api-list-detail PATCH": team_edit(API),
    "api-list-detail DELETE": team_edit(API, ok=204),
    "api-list-export": team_read(API),
    "api-list-entries GET": team_read(API),
    "api-list-entries POST": team_child_create(API),
    "api-list-entry GET": team_read(API),
    "api-list-entry PATCH": team_edit(API),
    "api-list-entry DELETE": team_edit(API, ok=204),
    "api-watch-list GET": signed_in(API),
    "api-watch-list POST": team_create(API),
    "api-watch-detail GET": team_read(API),
    "api-watch-detail PUT": team_edit(API),
    "api-watch-detail PATCH": team_edit(API),
    "api-watch-detail DELETE": team_edit(API, ok=204),
    # --- API: one user's own inbox and alert settings ---
    "api-inbox-list": signed_in(API),
    "api-inbox-count": signed_in(API),
    "api-inbox-read-all": signed_in(API),
    "api-inbox-detail GET": own_only(API),
    "api-inbox-detail PATCH": own_only(API),
    "api-inbox-detail PUT": signed_in(API, ok=405),  # PATCH only
    "api-alert-settings GET": signed_in(API),
    "api-alert-settings PATCH": signed_in(API),
    # --- API: operations ---
    "api-ops-stats": staff_only(API),
    "api-ops-scrapes": staff_only(API, ok=202),
    "api-scraper-list": staff_only(API),
    "api-scraper-detail": staff_only(API),
    "api-scraper-start": staff_only(API),
    "api-scraper-stop": staff_only(API),
    "api-scrape-run-list": staff_only(API),
    "api-scrape-run-detail": staff_only(API),
    "api-system-log-list": staff_only(API),
    "api-system-log-detail": staff_only(API),
    "streaming-metrics GET": staff_only(API),
    "streaming-metrics POST": not_allowed(),
    # --- API documentation ---
    "schema": public(),
    "swagger-ui": public(),
    "redoc": public(),
    # --- admin site ---
    "admin:index": admin_site(),
    "admin:search": admin_site(),
    # Admin sign-in goes through allauth: anonymous visitors to /accounts/login/, signed-in non-staff 403.
    "admin:login GET": _rule("admin_login", ADMIN, signed_in=403, admins=302),
    "admin:login POST": _rule("admin_login", ADMIN, signed_in=403, admins=200),  # empty form again
    "admin:logout GET": admin_site(405),
    "admin:logout POST": admin_site(),  # the "signed out" page
    "admin:password_change": admin_site(),
    "admin:auth_user_password_change": admin_site(staff=403),  # another user's password: superusers only
    "admin:password_change_done": admin_site(),
    "admin:autocomplete": admin_site(403),  # no field named: refused even to superusers
    "admin:jsi18n": admin_site(),
    "admin:view_on_site": admin_site(404),  # a creator has no page of its own outside admin
    "admin:app_list": admin_site(),
    "admin/(?P<url>.*)$": admin_site(404),
    "admin:profiles_tagsuggestion_decide GET": admin_site(405),
    "admin:profiles_tagsuggestion_decide POST": admin_site(302),
    "admin:profiles_profile_enqueue": admin_site(302),  # a GET only says "needs a POST"
    "admin:profiles_profile_import": admin_site(),
    # The two-step import of django-import-export is closed: imports run in the worker (issue 16).
    "admin:profiles_profile_process_import": admin_site(403),
    "admin:profiles_profile_export": admin_site(),
    "admin:profiles_community_import": admin_site(403),  # export only: no analyst-owned import format
    "admin:profiles_community_process_import GET": admin_site(405),
    "admin:profiles_community_process_import POST": admin_site(403),
    "admin:profiles_community_export": admin_site(),
    "admin:posts_post_import": admin_site(403),  # posts come from scrapes: export only
    "admin:posts_post_process_import GET": admin_site(405),
    "admin:posts_post_process_import POST": admin_site(403),
    "admin:posts_post_export": admin_site(),
    "admin:campaigns_campaignprofile_import": admin_site(403),
    "admin:campaigns_campaignprofile_process_import GET": admin_site(405),
    "admin:campaigns_campaignprofile_process_import POST": admin_site(403),
    "admin:campaigns_campaignprofile_export": admin_site(),
    "admin:monitoring_run_now GET": admin_site(405, analyst=403),  # operations: the Staff role first
    "admin:monitoring_run_now POST": admin_site(302, analyst=403),
    **{key: rule for model_rules in _ADMIN_MODELS for key, rule in model_rules.items()},
    # A category still holding tags is protected: the delete page explains instead of deleting.
    "admin:profiles_tagcategory_delete POST": admin_model("profiles.tagcategory", staff="vac")[
        "admin:profiles_tagcategory_delete GET"
    ],
}


# --- Path arguments and request bodies, from the module's objects (``World``) ---------------------

Factory = Callable[[Any], dict[str, Any]]


def _pk(label: str) -> Factory:
    return lambda world: {"pk": world.objects[label].pk}


def _profile_path(world) -> dict[str, Any]:
    profile = world.objects["profiles.profile"]
    return {"platform": profile.platform, "handle": profile.handle}


def _deletion_code(world) -> dict[str, Any]:
    return {"code": world.objects["profiles.datadeletionrequest"].confirmation_code}


def _campaign(world) -> dict[str, Any]:
    return {"campaign_pk": world.objects["campaigns.campaign"].pk}


KWARGS: dict[str, Factory] = {
    "profiles:profile": _pk("profiles.profile"),
    "profiles:favorite": _pk("profiles.profile"),
    "profiles:add_to_campaign": _pk("profiles.profile"),
    "profiles:community": _pk("profiles.community"),
    "profiles:decide_review_suggestion": _pk("profiles.communityreviewsuggestion"),
    "profiles:decide_profile_link": _pk("profiles.profilelink"),
    "profiles:instagram_connect": _pk("profiles.profile"),
    "profiles:facebook_connect": _pk("profiles.profile"),
    "profiles:instagram_deletion": _deletion_code,
    "campaigns:detail": _pk("campaigns.campaign"),
    "campaigns:update": _pk("campaigns.campaign"),
    "campaigns:export": _pk("campaigns.campaign"),
    "campaigns:entry": lambda world: {
        "pk": world.objects["campaigns.campaign"].pk,
        "entry_pk": world.objects["campaigns.campaignprofile"].pk,
    },
    "campaigns:remove_post": lambda world: {
        "pk": world.objects["campaigns.campaign"].pk,
        "entry_pk": world.objects["campaigns.campaignpost"].pk,
    },
    "profiles:add_contact": _pk("profiles.profile"),
    "profiles:list": _pk("profiles.list"),
    "profiles:list_export": lambda world: {"pk": world.objects["profiles.list"].pk, "file_format": "csv"},
    "watches:delete": _pk("watches.watch"),
    "api-profile-contacts": _profile_path,
    "api-profile-contact": lambda world: {**_profile_path(world), "pk": world.objects["profiles.contact"].pk},
    "api-list-detail": _pk("profiles.list"),
    "api-list-export": _pk("profiles.list"),
    "api-list-entries": lambda world: {"list_pk": world.objects["profiles.list"].pk},
    "api-list-entry": lambda world: {
        "list_pk": world.objects["profiles.list"].pk,
        "pk": world.objects["profiles.listentry"].pk,
    },
    "api-watch-detail": _pk("watches.watch"),
    "api-inbox-detail": _pk("watches.event"),
    "media-file": lambda world: {"path": world.media_path},
    "api-profile-detail": _profile_path,
    "api-profile-similar": _profile_path,
    "api-profile-posts": _profile_path,
    "api-profile-analytics": _profile_path,
    "api-profile-ai-insights": _profile_path,
    "api-community-detail": lambda world: {"name": world.objects["profiles.community"].name},
    "api-community-categorize": lambda world: {"name": world.objects["profiles.community"].name},
    "api-community-review": lambda world: {"name": world.objects["profiles.community"].name},
    "api-favorite-detail": _pk("profiles.favorite"),
    "api-search-history-detail": _pk("profiles.searchhistory"),
    "api-profile-access-detail": _pk("profiles.profileaccess"),
    "api-tag-detail": lambda world: {"slug": world.objects["profiles.tag"].slug},
    "api-campaign-detail": _pk("campaigns.campaign"),
    "api-campaign-metrics": _pk("campaigns.campaign"),
    "api-campaign-creators": _campaign,
    "api-campaign-creator": lambda world: {**_campaign(world), **_pk("campaigns.campaignprofile")(world)},
    "api-campaign-posts": _campaign,
    "api-campaign-post": lambda world: {**_campaign(world), **_pk("campaigns.campaignpost")(world)},
    "api-scraper-detail": _pk("scraping.scraper"),
    "api-scraper-start": _pk("scraping.scraper"),
    "api-scraper-stop": _pk("scraping.scraper"),
    "api-scrape-run-detail": _pk("scraping.scraperun"),
    "api-system-log-detail": _pk("scraping.systemlog"),
    "admin:view_on_site": lambda world: {
        "content_type_id": world.content_type_id("profiles.profile"),
        "object_id": world.objects["profiles.profile"].pk,
    },
    "admin:app_list": lambda world: {"app_label": "profiles"},
    "admin/(?P<url>.*)$": lambda world: {"url": "no-such-page/"},
    "admin:profiles_tagsuggestion_decide": lambda world: {
        "pk": world.objects["profiles.tagsuggestion"].pk,
        "decision": "accept",
    },
    "admin:profiles_profile_enqueue": lambda world: {"pk": world.objects["profiles.profile"].pk, "what": "scrape"},
    "admin:monitoring_run_now": _pk("django_celery_beat.periodictask"),
    "admin:password_change": lambda world: {},
    "accounts:revoke_token": _pk("accounts.apitoken"),
    "accounts:invitation": lambda world: {"key": world.invitation_key},
    "scraping:lookup": _pk("scraping.lookup"),
    "scraping:lookup_progress": _pk("scraping.lookup"),
    "api-token-detail": _pk("accounts.apitoken"),
    "api-team-detail": lambda world: {"slug": world.teams["owning"].slug},
    "api-team-invitations": lambda world: {"team_slug": world.teams["owning"].slug},
    "api-lookup-detail": _pk("scraping.lookup"),
    "mfa_remove_webauthn": _pk("mfa.authenticator"),  # the bystander's key: nobody in the cast owns it
    "mfa_edit_webauthn": _pk("mfa.authenticator"),
    "account_confirm_email": lambda world: {"key": "no-such-key"},
    "account_reset_password_from_key": lambda world: {"uidb36": "0", "key": "no-such-key"},
    # An SSO provider nobody configured (the real ones would fetch their discovery document).
    "openid_connect_login": lambda world: {"provider_id": "no-such-provider"},
    "openid_connect_callback": lambda world: {"provider_id": "no-such-provider"},
}


def _campaign_body(world) -> dict[str, Any]:
    return {"name": "Spring launch", "brand": "Acme", "currency": "EUR"}


DATA: dict[str, Factory] = {
    **{f"{key.split()[0]} POST": lambda world: {"post": "yes"} for key in RULES if key.endswith("_delete POST")},
    "profiles:add_to_campaign POST": lambda world: {"campaign": world.objects["campaigns.campaign"].pk},
    "profiles:bulk POST": lambda world: {"action": "favorite", "profile": world.spare_profile.pk},
    "campaigns:create POST": lambda world: {"name": "Matrix launch", "status": "draft", "currency": "EUR"},
    "campaigns:update POST": lambda world: {"name": "Matrix launch", "status": "active", "currency": "EUR"},
    "campaigns:entry POST": lambda world: {f"e{world.objects['campaigns.campaignprofile'].pk}-status": "contacted"},
    "profiles:review_communities POST": lambda world: {
        "single": f"{world.objects['profiles.community'].pk}:ok",
    },
    "api-community-review POST": lambda world: {"review_status": "ok"},
    "api-community-bulk-review POST": lambda world: {
        "ids": [world.objects["profiles.community"].pk],
        "review_status": "ok",
    },
    "api-community-categorize-many POST": lambda world: {"ids": [world.objects["profiles.community"].pk]},
    "api-favorite-list POST": lambda world: {"profile": world.spare_profile.pk, "note": "shortlist"},
    "api-favorite-detail PUT": lambda world: {"note": "shortlist"},
    "api-favorite-detail PATCH": lambda world: {"note": "shortlist"},
    "api-search-history-list POST": lambda world: {"query": "vegan", "filters": {"platform": "instagram"}},
    "api-campaign-list POST": _campaign_body,
    "api-campaign-detail PUT": _campaign_body,
    "api-campaign-detail PATCH": lambda world: {"status": "active"},
    "api-campaign-creators POST": lambda world: {"profile": world.spare_profile.pk},
    "api-campaign-creator PATCH": lambda world: {"status": "contacted"},
    "api-campaign-posts POST": lambda world: {"post": world.spare_post.pk},
    "api-token-list POST": lambda world: {"name": "access matrix"},
    "profiles:list POST": lambda world: {"entry": world.objects["profiles.listentry"].pk, "note": "matrix"},
    "api-profile-contacts POST": lambda world: {"kind": "email", "value": "matrix@example.com"},
    "api-profile-contact PATCH": lambda world: {"label": "bookings"},
    "api-list-list POST": lambda world: {"name": "Matrix shortlist"},
    "api-list-detail PUT": lambda world: {"name": "Matrix shortlist", "kind": "creators"},
    "api-list-detail PATCH": lambda world: {"name": "Matrix shortlist"},
    "api-list-entries POST": lambda world: {"profile": world.spare_profile.pk, "note": "matrix"},
    "api-list-entry PATCH": lambda world: {"note": "matrix"},
    "api-watch-list POST": lambda world: {"profile": world.spare_profile.pk, "events": ["follower_spike"]},
    "api-watch-detail PUT": lambda world: {
        "profile": world.objects["profiles.profile"].pk,
        "events": ["sponsored_post"],
    },
    "api-watch-detail PATCH": lambda world: {"events": ["sponsored_post"]},
    "api-inbox-detail PATCH": lambda world: {"read": True},
    "api-team-invitations POST": lambda world: {"email": "new-member@example.com", "role": "viewer"},
    "api-ops-scrapes POST": lambda world: {"targets": [{"kind": "subreddit", "target": "accessmatrix"}]},
    "accounts:tokens POST": lambda world: {"name": "access matrix"},
    "accounts:teams POST": lambda world: {"team": world.teams["owning"].slug},
    "accounts:create_team POST": lambda world: {"name": "Matrix founders"},
    "accounts:members POST": lambda world: {"action": "invite", "email": "new-member@example.com", "role": "viewer"},
}


def rule_for(key: str, method: str) -> Rule | None:
    return RULES.get(f"{key} {method}") or RULES.get(key)
