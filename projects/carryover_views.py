"""Carrying projects over (结转) into a later plan: one from its page
(/projects/<code>/carry-over/), or many ticked in the portfolio (/projects/carry-over/).
Managers (the planning office) and administrators do it (permissions.may_carry_over); the
rules are the model's (Carryover), the write the service's (services.carry_over)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from . import services
from .clock import today
from .forms import BulkCarryoverForm, CarryoverForm, place_errors
from .models import NOT_CARRIED_STAGES, Carryover, Plan, PlanChapter, Project
from .permissions import get_for_user, may_carry_over, require


def target_plans(plans, on):
    """The plans a project can be carried into, as the pages offer them: those not ended
    on `on` (in force or to come), oldest first."""
    return [plan for plan in plans if plan.state(on) != Plan.State.ENDED]


def default_target(targets, on):
    """The plan offered first: the one in force, else the first to come."""
    in_force = [plan for plan in targets if plan.state(on) == Plan.State.IN_FORCE]
    if in_force:
        return in_force[-1]
    return targets[0] if targets else None


def bulk_choices(user, plans=None, on=None):
    """What the portfolio's carry-over form offers a user who may carry projects over:
    [(plan, its chapters in order)] for each plan to carry into, and the plan offered
    first; None for anyone else. One query for the chapters, and one for the plans unless
    `plans` (every plan, as the plan switch has them) are in hand."""
    if not may_carry_over(user):
        return None
    on = on or today()
    if plans is None:
        plans = Plan.objects.order_by("number")
    targets = target_plans(sorted(plans, key=lambda plan: plan.number), on)
    by_plan = {plan.pk: [] for plan in targets}
    if targets:  # none once every plan has ended: no query to build
        chapters = PlanChapter.objects.filter(plan__in=targets).select_related("plan")
        for chapter in chapters.order_by("order"):
            by_plan[chapter.plan_id].append(chapter)
    return {
        "plans": [(plan, by_plan[plan.pk]) for plan in targets],
        "default": default_target(targets, on),
        "most": BulkCarryoverForm.MAX,
    }


@login_required
def carry_over(request, code):
    """Carry one project over into a later plan, choosing the chapters it serves there."""
    project = get_for_user(
        request,
        Project.objects.select_related("lead_department"),
        lambda user, _project: may_carry_over(user),
        code=code,
    )
    on = today()
    targets = target_plans(Plan.objects.order_by("number"), on)
    asked = request.GET.get("plan", "")
    target = next((p for p in targets if str(p.number) == asked), None) or default_target(
        targets, on
    )
    if request.method == "POST":
        form = CarryoverForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            target = data["to_plan"]
            try:
                carryover = services.carry_over(
                    project=project,
                    to_plan=data["to_plan"],
                    chapters=data["chapters"],
                    reason=data["reason"],
                    by=request.user,
                    on=on,
                )
            except ValidationError as error:
                place_errors(form, error)
            else:
                messages.success(
                    request,
                    _("%(project)s is carried over from %(earlier)s into %(later)s.")
                    % {
                        "project": project.code,
                        "earlier": carryover.from_plan.short_name,
                        "later": carryover.to_plan.short_name,
                    },
                )
                return redirect(project.get_absolute_url() + "#plan")
        chosen = {str(pk) for pk in request.POST.getlist("chapters")}
    else:
        linked = project.chapter_links.filter(chapter__plan=target) if target else []
        chosen = {str(link.chapter_id) for link in linked}
        form = CarryoverForm(initial={"to_plan": target.number if target else None})
    chapters = (
        list(PlanChapter.objects.filter(plan=target).select_related("plan").order_by("order"))
        if target
        else []
    )
    context = {
        "project": project,
        "form": form,
        "target": target,
        "targets": targets,
        "chapters": chapters,
        "chosen": chosen,
        "finished": project.stage in NOT_CARRIED_STAGES,
        "served": project.chapter_links.select_related("chapter__plan").order_by(
            "chapter__plan__number", "chapter__order"
        ),
        "carryovers": Carryover.objects.filter(project=project).for_marks(),
        "earlier": Carryover.earlier_plan(project, target) if target else None,
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "projects/carry_over.html", context, status=status)


def back_to_portfolio(request):
    """The portfolio as the user left it (its filters, sorting and page, in `next`), if
    that is an address of this site."""
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("projects:portfolio")


@login_required
@require_POST
def carry_over_many(request):
    """Carry the projects ticked in the portfolio over into one plan, serving the same
    chapters there, for one reason. Bad input shared by all (a chapter not of the plan, no
    reason, too many or broken ids) refuses the lot; then each project is carried over or
    refused on its own (services.carry_over_many), and each refusal is listed with its
    reason."""
    require(request, may_carry_over)
    back = back_to_portfolio(request)
    form = BulkCarryoverForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(
                    request, _("Nothing was carried over: %(reason)s") % {"reason": error}
                )
        return redirect(back)
    data = form.cleaned_data
    ids = data["project_ids"]
    found = Project.objects.in_bulk(ids)
    missing = sum(pk not in found for pk in ids)
    if missing:
        messages.error(
            request,
            ngettext(
                "%(count)s of the ticked projects does not exist (any more); it was skipped.",
                "%(count)s of the ticked projects do not exist (any more); they were skipped.",
                missing,
            )
            % {"count": missing},
        )
    try:
        carried, refused = services.carry_over_many(
            projects=[found[pk] for pk in ids if pk in found],
            to_plan=data["to_plan"],
            chapters=data["chapters"],
            reason=data["reason"],
            by=request.user,
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, _("Nothing was carried over: %(reason)s") % {"reason": message})
        return redirect(back)
    if carried:
        messages.success(
            request,
            ngettext(
                "%(count)s project carried over into %(plan)s.",
                "%(count)s projects carried over into %(plan)s.",
                len(carried),
            )
            % {"count": len(carried), "plan": data["to_plan"].short_name},
        )
    for project, reason in refused:
        messages.warning(
            request,
            _("Not carried over: %(project)s: %(reason)s")
            % {"project": f"{project.code} {project.display_name}", "reason": reason},
        )
    return redirect(back)
