"""The daily digest (supervision/digest.py, `manage.py send_digest`)."""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from projects.models import Project
from projects.roles import Role
from supervision.models import SupervisionOrder

from ..conftest import TODAY, make_department, make_milestone, make_project, make_report, make_user
from .test_todo import make_order

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


def send():
    call_command("send_digest", stdout=open("/dev/null", "w"))


def test_orders_awaiting_reply_reach_their_department_with_the_overdue_marked(
    world, mailoutbox, department_a
):
    tunnel = Project.objects.get(code="LW-TRA-001")
    late = make_order(
        tunnel, department_a, TODAY - datetime.timedelta(days=4), request="说明滞后原因"
    )
    soon = make_order(tunnel, department_a, TODAY + datetime.timedelta(days=3), request="报送计划")
    make_order(
        tunnel,
        department_a,
        TODAY - datetime.timedelta(days=1),
        request="已答复的",
        state=SupervisionOrder.State.REPLIED,
        replied_at=timezone.now(),
    )
    send()
    by_recipient = {tuple(m.to): m.body for m in mailoutbox}
    body = by_recipient[("a@liwan.example",)]
    lines = {line.split(":")[0]: line for line in body.splitlines() if line.startswith("- 2026-")}
    assert set(lines) == {
        f"- {late.number} LW-TRA-001 东沙隧道",
        f"- {soon.number} LW-TRA-001 东沙隧道",
    }
    assert "说明滞后原因" in lines[f"- {late.number} LW-TRA-001 东沙隧道"]
    assert "4" in lines[f"- {late.number} LW-TRA-001 东沙隧道"]  # days overdue
    assert "已答复的" not in body  # replied: it waits on the managers


def test_a_department_with_only_orders_waiting_gets_its_digest(world, mailoutbox, department_b):
    museum = Project.objects.get(code="LW-CUL-001")
    order = make_order(museum, department_b, TODAY + datetime.timedelta(days=2), request="请答复")
    send()
    by_recipient = {tuple(m.to): m.body for m in mailoutbox}
    body = by_recipient[("b@liwan.example",)]  # nothing else to tell B (test above)
    assert f"{order.number} LW-CUL-001 三馆合一: 请答复" in body
    assert "东沙隧道" not in body
    assert len(mailoutbox) == 3


def test_another_departments_orders_stay_out_and_copies_are_not_replies(
    world, mailoutbox, department_a, department_b
):
    tunnel = Project.objects.get(code="LW-TRA-001")
    order = make_order(tunnel, department_a, TODAY + datetime.timedelta(days=2), request="请答复")
    order.copied_to.add(department_b)
    send()
    assert ("b@liwan.example",) not in {tuple(m.to) for m in mailoutbox}


def test_the_managers_summary_counts_orders_overdue_and_replies_awaiting_close_out(
    world, mailoutbox, department_a, department_b
):
    tunnel = Project.objects.get(code="LW-TRA-001")
    museum = Project.objects.get(code="LW-CUL-001")
    oldest = make_order(tunnel, department_a, TODAY - datetime.timedelta(days=8))
    late = make_order(museum, department_b, TODAY - datetime.timedelta(days=2))
    make_order(museum, department_b, TODAY + datetime.timedelta(days=2))
    replied = make_order(
        museum,
        department_b,
        TODAY - datetime.timedelta(days=5),
        state=SupervisionOrder.State.REPLIED,
        replied_at=timezone.now(),
    )
    make_order(
        tunnel,
        department_a,
        TODAY - datetime.timedelta(days=5),
        state=SupervisionOrder.State.CLOSED,
        closed_at=timezone.now(),
    )
    call_command("send_digest", "--dry-run", stdout=open("/dev/null", "w"))  # sends nothing
    assert mailoutbox == []
    from supervision import digest

    _departments, summary = digest.build(TODAY)
    assert summary.orders_awaiting_reply == 3
    assert summary.orders_overdue == [oldest, late]  # the longest overdue first
    assert summary.awaiting_close == [replied]
    body = digest.message(summary, TODAY).body
    assert "3" in body and f"- {oldest.number} LW-TRA-001 东沙隧道 · 部门甲" in body
    assert f"- {late.number} LW-CUL-001 三馆合一 · 部门乙" in body
    assert f"- {replied.number} LW-CUL-001 三馆合一 · 部门乙" in body
    assert body.index(oldest.number) < body.index(late.number)


def test_the_digest_counts_in_a_fixed_number_of_queries(
    world, department_a, query_budget, frozen_today
):
    from supervision import digest

    def grow(n):
        for _ in range(n):
            department = make_department()
            project = make_project(lead_department=department, stage="construction")
            make_order(project, department, TODAY - datetime.timedelta(days=1))

    # overdue, due soon, missing reports, orders awaiting a reply (each with its project
    # and department), editors, the ledger, managers, replies awaiting close-out
    grow(2)
    with query_budget(8):
        departments, _summary = digest.build(TODAY)
    grow(20)
    with query_budget(8):
        departments, _summary = digest.build(TODAY)
    assert len(departments) == 1 + 22  # A (B has nothing to say), and each new one
