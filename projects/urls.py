from django.urls import path

from . import (
    approval_views,
    attachment_views,
    carryover_views,
    plan_views,
    timeline_views,
    views,
)

app_name = "projects"
urlpatterns = [
    path("projects/", views.PortfolioView.as_view(), name="portfolio"),
    # Before the project's own address: "carry-over" is no project code (LW-CUL-001).
    path("projects/carry-over/", carryover_views.carry_over_many, name="carry_over_many"),
    path("projects/<slug:code>/", views.project_detail, name="detail"),
    path("projects/<slug:code>/history/", views.project_changes, name="history"),
    path("projects/<slug:code>/carry-over/", carryover_views.carry_over, name="carry_over"),
    path("projects/<slug:code>/reports/new/", views.report_new, name="report_new"),
    path("reports/<int:pk>/review/", views.report_review, name="report_review"),
    path("reports/<int:pk>/return/", views.review_return, name="review_return"),
    path("reports/review/", views.ReviewQueueView.as_view(), name="review_queue"),
    path("reports/review/accept/", views.review_accept, name="review_accept"),
    path("milestones/<int:pk>/update/", views.milestone_update, name="milestone_update"),
    path(
        "milestones/<int:pk>/documents/",
        views.milestone_documents,
        name="milestone_documents",
    ),
    path("files/<int:pk>/", attachment_views.attachment_file, name="file"),
    path("files/<int:pk>/thumbnail/", attachment_views.attachment_thumbnail, name="thumbnail"),
    path("milestones/overdue/", views.OverdueView.as_view(), name="overdue"),
    path("milestones/upcoming/", views.UpcomingView.as_view(), name="upcoming"),
    path("approvals/", approval_views.MissingApprovalView.as_view(), name="approvals"),
    path("approvals/<int:pk>/update/", approval_views.approval_update, name="approval_update"),
    path("timeline/", timeline_views.timeline, name="timeline"),
    path("chapters/", views.chapter_list, name="chapters"),
    path("chapters/<str:key>/", views.chapter_detail, name="chapter"),
    path("investment/", views.investment, name="investment"),
    path("investment/<int:year>/", views.investment, name="investment_year"),
    path("key-projects/<int:year>/", views.key_projects, name="key_projects"),
    path("departments/", views.department_list, name="departments"),
    path("departments/<slug:slug>/", views.department_detail, name="department"),
    path("departments/<slug:slug>/workbook/", views.department_workbook, name="workbook"),
    path("departments/<slug:slug>/workbook/upload/", views.workbook_upload, name="workbook_upload"),
    path("plans/", plan_views.plan_list, name="plans"),
    path("plans/<int:number>/", plan_views.plan_detail, name="plan"),
    path("plans/<int:number>/assessment/", plan_views.plan_assessment, name="plan_assessment"),
]
