"""A project's newest report is kept on a row of its own (LatestReport) by every save and
deletion of a report, whatever writes it; lists read it through a join."""

import datetime
import time

import pytest
from django.db import connection
from django.urls import reverse

from projects.models import LatestReport, ProgressReport, Project

from ..conftest import make_project, make_report

pytestmark = pytest.mark.django_db
D = datetime.date


def latest(project):
    row = Project.objects.with_latest_report().get(pk=project.pk)
    return row.latest_report_period, row.latest_health


def test_a_new_month_moves_it_and_an_older_one_does_not():
    project = make_project()
    assert latest(project) == (None, None)
    make_report(project, D(2026, 4, 1), health="green")
    assert latest(project) == (D(2026, 4, 1), "green")
    make_report(project, D(2026, 2, 1), health="red")
    assert latest(project) == (D(2026, 4, 1), "green")
    make_report(project, D(2026, 5, 1), health="amber")
    assert latest(project) == (D(2026, 5, 1), "amber")


def test_an_edited_report_is_read_as_edited_and_a_month_moved_back_gives_way():
    project = make_project()
    april = make_report(project, D(2026, 4, 1), health="green")
    may = make_report(project, D(2026, 5, 1), health="green")
    may.health = ProgressReport.Health.RED
    may.save()
    assert latest(project) == (D(2026, 5, 1), "red")
    may.period = D(2026, 3, 1)
    may.save()
    assert latest(project) == (D(2026, 4, 1), "green")
    assert LatestReport.objects.get(project=project).report == april


def test_deleting_the_newest_falls_back_and_deleting_the_last_leaves_none():
    project = make_project()
    april = make_report(project, D(2026, 4, 1), health="amber")
    make_report(project, D(2026, 5, 1), health="green").delete()
    assert latest(project) == (D(2026, 4, 1), "amber")
    april.delete()
    assert latest(project) == (None, None)
    assert not LatestReport.objects.filter(project=project).exists()


def test_an_administrator_deletes_the_newest_report_in_the_admin(administrator, client):
    project = make_project()
    make_report(project, D(2026, 4, 1), health="amber")
    may = make_report(project, D(2026, 5, 1), health="green")
    client.force_login(administrator)
    url = reverse("admin:projects_progressreport_delete", args=[may.pk])
    response = client.post(url, {"post": "yes"})
    assert response.status_code == 302
    assert latest(project) == (D(2026, 4, 1), "amber")


def test_a_project_with_reports_is_deleted_with_its_pointer():
    project, other = make_project(), make_project()
    for month in (3, 4, 5):
        make_report(project, D(2026, month, 1))
    make_report(other, D(2026, 1, 1))
    project.delete()
    assert list(LatestReport.objects.values_list("project", flat=True)) == [other.pk]


def test_refresh_repairs_reports_written_in_bulk(query_budget):
    projects = [make_project() for _ in range(3)]
    ProgressReport.objects.bulk_create(
        ProgressReport(
            project=project,
            period=D(2026, month, 1),
            health="green",
            percent_complete=month,
            narrative="按计划推进",
        )
        for project in projects
        for month in (1, 2, 3)
    )
    assert latest(projects[0]) == (None, None)  # no signal for a bulk insert
    with query_budget(5):  # in a savepoint: delete, read, insert
        LatestReport.refresh()
    assert [latest(project) for project in projects] == [(D(2026, 3, 1), "green")] * 3
    LatestReport.objects.filter(project=projects[1]).delete()
    LatestReport.refresh([projects[1].pk])
    assert latest(projects[1]) == (D(2026, 3, 1), "green")
    assert LatestReport.objects.count() == 3


def last_submitted(project):
    return LatestReport.objects.get(project=project).last_submitted_at


def at(day, hour=9):
    return datetime.datetime(2026, 6, day, hour, tzinfo=datetime.UTC)


def test_it_keeps_the_newest_submission_of_any_month():
    """A department's last report on its scorecard: an older month sent again after the
    latest month is the newest submission, though not the latest month."""
    project = make_project()
    april = make_report(project, D(2026, 4, 1), submitted_at=at(2))
    may = make_report(project, D(2026, 5, 1), submitted_at=at(5))
    assert last_submitted(project) == at(5)
    april.submitted_at = at(8)  # returned, then sent again
    april.save()
    assert (latest(project), last_submitted(project)) == ((D(2026, 5, 1), "green"), at(8))
    april.delete()
    assert last_submitted(project) == at(5)
    may.submitted_at = at(9)
    may.save(update_fields=["submitted_at"])
    assert last_submitted(project) == at(9)


def test_a_review_and_a_bulk_refresh_keep_the_newest_submission(manager):
    project = make_project()
    report = make_report(project, D(2026, 5, 1), submitted_at=at(5))
    report.status = ProgressReport.Status.ACCEPTED
    report.save(update_fields=["status"])
    assert last_submitted(project) == at(5)
    ProgressReport.objects.bulk_create(
        [
            ProgressReport(
                project=project,
                period=D(2026, 3, 1),
                health="green",
                percent_complete=5,
                narrative="按计划推进",
                submitted_at=at(10),
            )
        ]
    )
    assert last_submitted(project) == at(5)  # no signal for a bulk insert
    LatestReport.refresh([project.pk])
    assert last_submitted(project) == at(10)


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="two connections writing at once")
def test_two_months_saved_at_once_leave_the_newer_one_latest():
    """A newer month's report, not yet committed, and an older month's saved meanwhile in
    another connection: the older one waits for the newer one's transaction and then finds
    it, so it cannot point the project back at itself."""
    import threading

    from django.db import connections, transaction

    project = make_project()
    make_report(project, D(2026, 3, 1))
    newer_saved, older_started = threading.Event(), threading.Event()
    errors = []

    def save_newer():
        try:
            with transaction.atomic():
                make_report(project, D(2026, 5, 1), health="amber")
                newer_saved.set()
                older_started.wait(10)
                time.sleep(0.5)  # the older one is waiting by now, or would have written
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connections.close_all()

    def save_older():
        try:
            newer_saved.wait(10)
            older_started.set()
            make_report(project, D(2026, 4, 1), health="red")
        except Exception as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=save_newer), threading.Thread(target=save_older)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    assert latest(project) == (D(2026, 5, 1), "amber")


def test_a_review_leaves_the_latest_row_alone(manager):
    from django.test.utils import CaptureQueriesContext

    from projects import services

    project = make_project()
    report = make_report(project, D(2026, 5, 1), health="amber")
    with CaptureQueriesContext(connection) as queries:
        services.report_review(
            report=report, reviewer=manager, accept=True, comment="", version=report.version
        )
    assert not [q for q in queries.captured_queries if "projects_latestreport" in q["sql"]]
    assert latest(project) == (D(2026, 5, 1), "amber")
