from django.contrib.auth import views as auth_views
from django.urls import path

from tocsin.server.web import (
    account_pages,
    capacity_pages,
    casework_pages,
    challenge_pages,
    chronology_pages,
    concern_form,
    concern_pages,
    estimate_pages,
    meeting_pages,
    network_pages,
    oversight_pages,
    people_review_pages,
    profile_pages,
    public,
    register_pages,
    screening_pages,
    scrutiny_pages,
    search_pages,
    signin_pages,
    statistics_pages,
    tlog,
    transparency_pages,
    views,
)

app_name = "web"
urlpatterns = [
    path("", views.start, name="start"),
    path("sign-in/", signin_pages.SignInView.as_view(), name="sign-in"),
    path("sign-out/", auth_views.LogoutView.as_view(next_page="web:start"), name="sign-out"),
    path("ledger/tlog/checkpoint", tlog.checkpoint, name="tlog-checkpoint"),
    path("ledger/tlog/tile/<path:path>", tlog.tile, name="tlog-tile"),
    # Practitioners: recording a concern, and the pages for agencies.
    path("concerns/new/", concern_form.start_concern, name="concern-new"),
    path("concerns/new/check/", concern_form.check_answers, name="concern-check"),
    path("concerns/new/<slug:slug>/", concern_form.step_page, name="concern-step"),
    path("concerns/mine/", concern_pages.my_concerns, name="my-concerns"),
    path("work/", casework_pages.work, name="work"),
    path("queue/", casework_pages.tray_page, name="front-door"),
    path("queue/<slug:name>/", casework_pages.tray_page, name="tray"),
    # Managers and the partnership: caseloads, oversight, closing a level-3 escalation.
    path("manage/", oversight_pages.caseloads, name="caseloads"),
    path("oversight/", oversight_pages.oversight_page, name="oversight"),
    path(
        "escalations/<str:escalation_id>/close/",
        oversight_pages.close_escalation,
        name="close-escalation",
    ),
    path("concerns/<uuid:concern_id>/allocate/", casework_pages.allocate, name="allocate"),
    path("concerns/<uuid:concern_id>/decide/", casework_pages.decide, name="decide"),
    path("decisions/<uuid:decision_id>/", casework_pages.sign_off, name="sign-off"),
    # Professional challenge: outside the decider's line management.
    path(
        "decisions/<uuid:decision_id>/challenge/",
        challenge_pages.challenge_decision,
        name="challenge",
    ),
    path("challenges/", challenge_pages.challenges, name="challenges"),
    path(
        "challenges/<uuid:challenge_id>/",
        challenge_pages.answer_challenge,
        name="challenge-answer",
    ),
    path("concerns/<uuid:concern_id>/notes/new/", casework_pages.add_note, name="add-note"),
    path(
        "concerns/<uuid:concern_id>/contacts/new/",
        casework_pages.record_contact,
        name="record-contact",
    ),
    path("concerns/<uuid:concern_id>/outcome/", casework_pages.record_outcome, name="outcome"),
    path(
        "concerns/<uuid:concern_id>/meetings/new/",
        meeting_pages.record_meeting,
        name="record-meeting",
    ),
    path(
        "meetings/actions/<uuid:action_id>/",
        meeting_pages.complete_action,
        name="meeting-action",
    ),
    path("concerns/<uuid:concern_id>/", concern_pages.concern_page, name="concern"),
    path("concerns/<uuid:concern_id>/recorded/", concern_form.recorded, name="concern-recorded"),
    path("concerns/<uuid:concern_id>/receipt/", concern_form.receipt, name="concern-receipt"),
    path(
        "concerns/<uuid:concern_id>/screenings/<uuid:screening_id>/regrade/",
        concern_pages.regrade,
        name="regrade",
    ),
    path("concerns/<uuid:concern_id>/screen/", screening_pages.screen_child, name="screen"),
    path("children/<uuid:child_id>/", chronology_pages.child_page, name="child"),
    # Clerical review of candidate matches, and merges of child records (docs/linkage.md).
    path("people/review/", people_review_pages.review_tray_page, name="match-tray"),
    path("people/review/<uuid:match_id>/", people_review_pages.match_review, name="match-review"),
    path(
        "children/<uuid:child_id>/merges/<uuid:merge_id>/split/",
        people_review_pages.split_merge,
        name="merge-split",
    ),
    path("children/<uuid:child_id>/print/", chronology_pages.child_print, name="child-print"),
    path("children/<uuid:child_id>/chronology.pdf", chronology_pages.child_pdf, name="child-pdf"),
    # Analysts, scrutineers, the front door and heads of service: the hidden number.
    path("estimates/", estimate_pages.estimates, name="estimates"),
    path("estimates/new/", estimate_pages.new_estimate, name="estimate-new"),
    path("estimates/<uuid:estimate_id>/", estimate_pages.estimate_page, name="estimate"),
    path(
        "estimates/<uuid:estimate_id>/capture-table.csv",
        estimate_pages.estimate_capture_csv,
        name="estimate-csv",
    ),
    path(
        "estimates/<uuid:estimate_id>/receipt/",
        estimate_pages.estimate_receipt,
        name="estimate-receipt",
    ),
    # Analysts, the front door and scrutineers: the partnership's network (docs/networks.md).
    path("networks/", network_pages.networks, name="networks"),
    path("networks/table/", network_pages.networks_table, name="networks-table"),
    path("networks/graph.json", network_pages.networks_json, name="networks-json"),
    path("networks/links.csv", network_pages.networks_csv, name="networks-csv"),
    path("networks/chart.pdf", network_pages.networks_pdf, name="networks-pdf"),
    # Managers, the front door, analysts and scrutineers: the official statistics.
    path("statistics/", statistics_pages.statistics, name="statistics"),
    path(
        "statistics/export.<str:file_format>",
        statistics_pages.statistics_export,
        name="statistics-export",
    ),
    # Heads of service and the partnership's scrutineers: capacity alarms.
    path("capacity/", capacity_pages.capacity, name="capacity"),
    path("capacity/set/", capacity_pages.capacity_set, name="capacity-set"),
    # Problem profiles (docs/statistics.md): made at a checkpoint, registered as reports.
    path("profiles/", profile_pages.profiles_page, name="profiles"),
    path("profiles/<uuid:profile_id>/", profile_pages.profile_page, name="profile"),
    path("profiles/<uuid:profile_id>/pdf", profile_pages.profile_pdf_download, name="profile-pdf"),
    # Search across the partnership (docs/linkage.md), within need-to-know.
    path("search/", search_pages.search_page, name="search"),
    # The register of reports and recommendations (docs/register.md), and scrutiny.
    path("register/", register_pages.register_page, name="register"),
    path("register/new/", register_pages.register_report, name="register-new"),
    path(
        "register/reports/<uuid:report_id>/",
        register_pages.report_page,
        name="register-report",
    ),
    path(
        "register/reports/<uuid:report_id>/withdraw/",
        register_pages.withdraw_report,
        name="register-withdraw",
    ),
    path(
        "register/recommendations/<uuid:recommendation_id>/",
        register_pages.recommendation_page,
        name="recommendation",
    ),
    path("scrutiny/", scrutiny_pages.scrutiny_exports, name="scrutiny"),
    # The public: the partnership's register and the ledger's transparency page.
    path("partnership/register/", register_pages.public_register, name="register-public"),
    path("transparency/", transparency_pages.transparency, name="transparency"),
    # Administrators: their agency's accounts. Everyone: their own API tokens.
    path("accounts/", account_pages.accounts, name="accounts"),
    path("accounts/<uuid:user_id>/", account_pages.account, name="account"),
    path("accounts/<uuid:user_id>/close/", account_pages.close_account, name="account-close"),
    path("accounts/<uuid:user_id>/reopen/", account_pages.reopen_account, name="account-reopen"),
    path("accounts/<uuid:user_id>/role/", account_pages.change_role, name="account-role"),
    path(
        "accounts/<uuid:user_id>/password/",
        account_pages.reset_password,
        name="account-password",
    ),
    path("tokens/", account_pages.tokens, name="tokens"),
    path("tokens/<uuid:token_id>/revoke/", account_pages.revoke_token, name="token-revoke"),
    # The public: reporting without an account, in English, Urdu and Polish.
    path("report/", public.choose_language, name="report"),
    path("report/<str:lang>/", public.report, name="report-form"),
    path("report/<str:lang>/sent/", public.reported, name="report-sent"),
    path("report/<str:lang>/receipt/", public.receipt, name="report-receipt"),
    path("report/<str:lang>/follow-up/", public.follow_up, name="follow-up"),
    path("report/<str:lang>/progress/", public.progress, name="report-progress"),
]
