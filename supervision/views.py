import datetime

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe
from django_filters.views import FilterView

from projects import attachments, row_messages
from projects import services as project_services
from projects.clock import today
from projects.forms import place_errors
from projects.listing import ListPageMixin
from projects.models import CoordinationProblem, Milestone, Project
from projects.permissions import get_for_user, may_update_milestone, security_log
from projects.reporting import last_month

from . import bulletin as figures
from . import bulletin_docx, services
from . import todo as todo_items
from .filters import OrderFilter, ProblemFilter
from .forms import CloseForm, OrderForm, ReplyForm, ResolveForm, UrgeForm
from .models import ReplyAttachment, SupervisionOrder
from .permissions import may_reply, may_supervise
from .tables import OrderTable, ProblemTable


class OrderListView(ListPageMixin, FilterView):
    model = SupervisionOrder
    table_class = OrderTable
    filterset_class = OrderFilter
    template_name = "supervision/order_list.html"
    export_name = "supervision-orders"

    def get_queryset(self):
        return SupervisionOrder.objects.for_lists()

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {
            "may_supervise": may_supervise(self.request.user)
        }


def _order(pk, allowed, request):
    return get_for_user(
        request,
        SupervisionOrder.objects.select_related(
            "project__lead_department", "milestone__project", "problem__report", "department"
        ),
        allowed,
        pk=pk,
    )


def order_forms(order, on):
    """The detail page's forms, filled with what the order holds now."""
    return {
        "reply": ReplyForm(
            initial={
                "version": order.version,
                "forecast_date": order.milestone.forecast_date if order.milestone else None,
            }
        ),
        "urge": UrgeForm(
            initial={
                "version": order.version,
                "reply_due": on + datetime.timedelta(days=settings.SUPERVISION_REPLY_DAYS),
            }
        ),
        "close": CloseForm(initial={"version": order.version}),
    }


def render_detail(request, order, forms=None, status=200, conflict=None):
    on = today()
    shown = order_forms(order, on) | (forms or {})
    user = request.user
    is_open = order.state != SupervisionOrder.State.CLOSED
    may_answer = is_open and may_reply(user, order)
    context = {
        "order": order,
        "steps": order.steps.select_related("by").prefetch_related("attachments"),
        "copied_to": list(order.copied_to.all()),
        "days_overdue": order.days_reply_overdue(on=on),
        "may_reply": may_answer,
        "may_forecast": may_answer
        and order.milestone is not None
        and not order.milestone.is_done
        and may_update_milestone(user, order.milestone),
        "may_supervise": is_open and may_supervise(user),
        "reply_form": shown["reply"],
        "urge_form": shown["urge"],
        "close_form": shown["close"],
        "conflict": conflict,
    }
    return render(request, "supervision/order_detail.html", context, status=status)


@login_required
def order_detail(request, pk):
    return render_detail(request, _order(pk, lambda user, order: True, request))


def _subject(request):
    """What an order is about, from the page's address: ?milestone=, ?problem= or ?project=
    (404 when it names nothing)."""
    params = request.GET
    if "milestone" in params:
        milestone = get_object_or_404(
            Milestone.objects.select_related("project", "responsible_department"),
            pk=_number(params["milestone"]),
        )
        return {"project": milestone.project, "milestone": milestone}
    if "problem" in params:
        problem = get_object_or_404(
            CoordinationProblem.objects.select_related("report__project", "help_department"),
            pk=_number(params["problem"]),
        )
        return {"project": problem.report.project, "problem": problem}
    if "project" in params:
        return {"project": get_object_or_404(Project, code=params["project"][:20])}
    return None


def _number(text):
    return int(text) if text.isdigit() and len(text) < 12 else 0


def order_initial(subject, on):
    """What a new order proposes: the department responsible, a deadline a week ahead and
    the request in the office's words."""
    initial = {
        "reply_due": on + datetime.timedelta(days=settings.SUPERVISION_REPLY_DAYS),
        "level": SupervisionOrder.Level.ROUTINE,
    }
    milestone, problem = subject.get("milestone"), subject.get("problem")
    if milestone is not None:
        days = milestone.days_overdue(on=on)
        initial["department"] = milestone.responsible_department_id
        initial["request"] = (
            _(
                "The milestone “%(title)s” was planned for %(date)s and is %(days)s days "
                "overdue. Reply with its cause, what is being done and a new date."
            )
            if days
            else _(
                "The milestone “%(title)s” is planned for %(date)s. Reply with how it stands "
                "and what is needed to keep to it."
            )
        ) % {"title": milestone.title, "date": milestone.planned_date.isoformat(), "days": days}
    elif problem is not None:
        initial["department"] = problem.help_department_id
        initial["copied_to"] = [subject["project"].lead_department_id]
        initial["level"] = (
            SupervisionOrder.Level.KEY
            if problem.urgency != CoordinationProblem.Urgency.NORMAL
            else SupervisionOrder.Level.ROUTINE
        )
        initial["request"] = _(
            "The project reports a problem needing your department's help: “%(problem)s”. "
            "Reply with what your department will do and by when."
        ) % {"problem": problem.description}
    else:
        initial["department"] = subject["project"].lead_department_id
    return initial


@login_required
def order_new(request):
    """A manager issues an order about a milestone, a coordination problem or a project."""
    if not may_supervise(request.user):
        security_log.warning("refused: %s %s %s", request.user, request.method, request.path)
        raise PermissionDenied
    subject = _subject(request)
    if subject is None:
        return redirect("supervision:list")
    if request.method == "POST":
        form = OrderForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                order = services.order_issue(
                    by=request.user,
                    department=data["department"],
                    copied_to=data["copied_to"],
                    level=data["level"],
                    reply_due=data["reply_due"],
                    request=data["request"],
                    **subject,
                )
            except ValidationError as error:
                place_errors(form, error)
            else:
                messages.success(
                    request,
                    _("Supervision order %(number)s is issued to %(department)s.")
                    % {"number": order.number, "department": order.department},
                )
                return redirect(order)
    else:
        form = OrderForm(initial=order_initial(subject, today()))
    return render(request, "supervision/order_form.html", {"form": form, **subject})


def _step_view(request, pk, allowed, form_class, key, act):
    """Reply, urge or close: the form, the service, and the detail page again."""
    order = _order(pk, allowed, request)
    form = form_class(request.POST, request.FILES)
    if form.is_valid():
        data = dict(form.cleaned_data)
        try:
            act(order, data)
        except project_services.Conflict as error:
            messages.error(
                request,
                _(
                    "Someone else changed this order first; nothing of yours was saved. It is shown as it is now."
                ),
            )
            current = _order(pk, allowed, request)
            return render_detail(request, current, status=409, conflict=error)
        except ValidationError as error:
            place_errors(form, error)
        else:
            return redirect(order)
    return render_detail(request, order, {key: form}, status=400)


@login_required
@require_POST
def order_reply(request, pk):
    def act(order, data):
        milestone = order.milestone
        if data["forecast_date"] and not (
            milestone and may_update_milestone(request.user, milestone)
        ):
            # The form offers a forecast only on a milestone the user may update.
            raise ValidationError(
                {"forecast_date": _("Your department cannot change this milestone's forecast.")}
            )
        try:
            files = attachments.check_all(data["files"])
        except ValidationError as error:
            raise ValidationError({"files": error.messages}) from None
        services.order_reply(
            order=order,
            by=request.user,
            text=data["text"],
            forecast_date=data["forecast_date"],
            version=data["version"],
            files=files,
        )
        messages.success(request, _("Your reply is sent to the planning office."))

    return _step_view(request, pk, may_reply, ReplyForm, "reply", act)


@login_required
@require_POST
def order_urge(request, pk):
    def act(order, data):
        services.order_urge(
            order=order,
            by=request.user,
            reply_due=data["reply_due"],
            text=data["text"],
            version=data["version"],
        )
        messages.success(request, _("The department is urged again."))

    return _step_view(request, pk, lambda user, _order: may_supervise(user), UrgeForm, "urge", act)


@login_required
@require_POST
def order_close(request, pk):
    def act(order, data):
        services.order_close(
            order=order, by=request.user, text=data["text"], version=data["version"]
        )
        messages.success(request, _("The order is closed."))

    return _step_view(
        request, pk, lambda user, _order: may_supervise(user), CloseForm, "close", act
    )


class ProblemListView(ListPageMixin, FilterView):
    model = CoordinationProblem
    table_class = ProblemTable
    filterset_class = ProblemFilter
    template_name = "supervision/problem_list.html"
    export_name = "coordination-problems"

    def get_queryset(self):
        orders = SupervisionOrder.objects.order_by("-pk")
        return CoordinationProblem.objects.for_lists().prefetch_related(
            Prefetch("supervision_orders", queryset=orders)
        )

    def get_table(self, **kwargs):
        table = super().get_table(**kwargs)
        table.may_supervise = may_supervise(self.request.user)  # the rows' actions
        return table


@login_required
@require_POST
def problem_resolve(request, pk):
    problem = get_for_user(
        request,
        CoordinationProblem.objects.select_related("report__project"),
        lambda user, _problem: may_supervise(user),
        pk=pk,
    )
    # Back to the problem's row on the project page, with what came of it there.
    anchor = row_messages.problem_anchor(problem)
    form = ResolveForm(request.POST)
    if form.is_valid():
        try:
            project_services.problem_resolve(
                problem=problem, by=request.user, resolution=form.cleaned_data["resolution"]
            )
        except ValidationError as error:
            row_messages.add(request, messages.ERROR, " ".join(error.messages), anchor)
        else:
            row_messages.add(
                request, messages.SUCCESS, _("The problem is marked resolved."), anchor
            )
    else:
        for errors in form.errors.values():
            for error in errors:
                row_messages.add(request, messages.ERROR, error, anchor)
    return row_messages.back_to_row(problem.report.project, anchor)


@login_required
def todo(request):
    """What waits on the signed-in user, each item linking to its action. `?all=<key>`
    shows every row of one group (up to todo.ALL_SHOWN)."""
    items = todo_items.for_request(request)
    groups = items.groups
    shown = request.GET.get("all")
    if any(group.key == shown for group in groups):
        groups = [group for group in groups if group.key == shown]
        groups[0].limit = todo_items.ALL_SHOWN
    else:
        shown = None
    context = {"groups": groups, "all": shown, "total": items.count, "today": today()}
    return render(request, "supervision/todo.html", context)


class SignInView(LoginView):
    """Sign-in: without a `next`, a department's editor lands on their to-do."""

    def get_default_redirect_url(self):
        if todo_items.is_department_editor(self.request.user):
            return reverse("supervision:todo")
        return super().get_default_redirect_url()


# --- the monthly bulletin ------------------------------------------------------------------


@login_required
@require_safe
def bulletins(request):
    """The latest bulletin: the month last ended."""
    month = figures.latest_month(today())
    return redirect("supervision:bulletin", month=f"{month:%Y-%m}")


@login_required
@require_safe
def bulletin(request, month):
    """The monthly bulletin (月度通报), for every signed-in role: it is a published
    document. ?_export=docx gives it as a Word document."""
    on = today()
    chosen = figures.parse_month(month)
    first, last = figures.month_range(on)
    if chosen is None or not first <= chosen <= last:
        raise Http404(
            _("There is no bulletin for %(month)s: choose a month from %(first)s to %(last)s.")
            % {"month": month, "first": f"{first:%Y-%m}", "last": f"{last:%Y-%m}"}
        )
    export = request.GET.get("_export")
    if export not in (None, "docx"):
        return HttpResponseBadRequest(_("Unknown export format; use docx."))
    found = figures.build(chosen, on)
    if export:
        response = HttpResponse(
            bulletin_docx.build(found, on), content_type=bulletin_docx.DOCX_TYPE
        )
        response["Content-Disposition"] = (
            f'attachment; filename="{bulletin_docx.filename(found.period)}"'
        )
        return response
    period = found.period
    context = {
        "bulletin": found,
        "period": period,
        "title": bulletin_docx.title_for(period),
        "coverage": bulletin_docx.coverage(period),
        "sample_warning": bulletin_docx.sample_warning(),
        "tables": figures.tables(found),
        "previous": last_month(chosen) if chosen > first else None,
        "next": figures.next_month(chosen) if chosen < last else None,
        "earlier": figures.earlier_months(first, chosen),
        "today": on,
    }
    return render(request, "supervision/bulletin.html", context)


def _reply_file(request, pk):
    """A reply's file, to whoever may read the order's page (every signed-in role)."""
    return get_for_user(
        request,
        ReplyAttachment.objects.select_related("step__order"),
        lambda user, row: user.is_authenticated,
        pk=pk,
    )


@login_required
@require_safe
def reply_file(request, pk):
    return attachments.send(_reply_file(request, pk))


@login_required
@require_safe
def reply_thumbnail(request, pk):
    return attachments.send(_reply_file(request, pk), thumbnail=True)
