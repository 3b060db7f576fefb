import datetime

import pytest
from django.core.management import call_command

from projects.roles import Role

from ..conftest import TODAY, make_milestone, make_project, make_report, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(frozen_today, department_a, department_b):
    a = make_project(
        code="LW-TRA-001", name="东沙隧道", lead_department=department_a, stage="construction"
    )
    b = make_project(
        code="LW-CUL-001", name="三馆合一", lead_department=department_b, stage="construction"
    )
    make_milestone(
        a,
        TODAY - datetime.timedelta(days=9),
        title="征地拆迁完成",
        responsible_department=department_a,
    )
    make_milestone(
        a, TODAY + datetime.timedelta(days=5), title="主体开工", responsible_department=department_a
    )
    make_milestone(
        b, TODAY + datetime.timedelta(days=40), title="开馆", responsible_department=department_b
    )
    make_report(b, datetime.date(2026, 5, 1))
    for department, email in ((department_a, "a@liwan.example"), (department_b, "b@liwan.example")):
        user = make_user(Role.EDITOR, department=department)
        user.email = email
        user.save()
    manager = make_user(Role.MANAGER)
    manager.email = "boss@liwan.example"
    manager.save()


def test_each_department_gets_its_own_and_managers_the_summary(world, mailoutbox):
    call_command("send_digest", stdout=open("/dev/null", "w"))
    by_recipient = {tuple(m.to): m for m in mailoutbox}
    a = by_recipient[("a@liwan.example",)]
    assert "征地拆迁完成" in a.body and "9" in a.body  # overdue, days
    assert "主体开工" in a.body  # due in 14 days
    assert "LW-TRA-001" in a.body  # no May report
    assert "三馆合一" not in a.body
    assert ("b@liwan.example",) not in by_recipient  # nothing to report for B
    summary = by_recipient[("boss@liwan.example",)]
    assert "征地拆迁完成" in summary.body
    assert len(mailoutbox) == 2


def test_dry_run_prints_and_sends_nothing(world, mailoutbox, capsys):
    call_command("send_digest", "--dry-run")
    assert mailoutbox == []
    out = capsys.readouterr().out
    assert "a@liwan.example" in out and "would send 2 emails" in out
