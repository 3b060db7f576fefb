"""/api/v1/: the REST API. /api/v1/public/ is left to the public view's own endpoints."""

from django.urls import path

from . import views

app_name = "api"
urlpatterns = [
    path("plans/", views.PlanList.as_view(), name="plans"),
    path("plans/<int:number>/", views.PlanDetail.as_view(), name="plan"),
    path("chapters/", views.ChapterList.as_view(), name="chapters"),
    path("chapters/<str:key>/", views.ChapterDetail.as_view(), name="chapter"),
    path("departments/", views.DepartmentList.as_view(), name="departments"),
    path("departments/<slug:slug>/", views.DepartmentDetail.as_view(), name="department"),
    path("projects/", views.ProjectList.as_view(), name="projects"),
    path("projects/<slug:code>/", views.ProjectDetail.as_view(), name="project"),
    path("projects/<slug:code>/reports/", views.ReportSubmit.as_view(), name="report_submit"),
    path("investment/", views.InvestmentList.as_view(), name="investment"),
    path("milestones/", views.MilestoneList.as_view(), name="milestones"),
    path("milestones/overdue/", views.OverdueList.as_view(), name="overdue"),
    path("milestones/upcoming/", views.UpcomingList.as_view(), name="upcoming"),
    path("milestones/<int:pk>/", views.MilestoneDetail.as_view(), name="milestone"),
    path(
        "milestones/<int:pk>/complete/",
        views.MilestoneComplete.as_view(),
        name="milestone_complete",
    ),
    path(
        "milestones/<int:pk>/reforecast/",
        views.MilestoneReforecast.as_view(),
        name="milestone_reforecast",
    ),
    path("reports/", views.ReportList.as_view(), name="reports"),
    path("reports/<int:pk>/", views.ReportDetail.as_view(), name="report"),
    path("indicators/", views.IndicatorList.as_view(), name="indicators"),
    path("indicators/<slug:code>/", views.IndicatorDetail.as_view(), name="indicator"),
    path("supervision-orders/", views.OrderList.as_view(), name="orders"),
    path("supervision-orders/<int:pk>/", views.OrderDetail.as_view(), name="order"),
]
