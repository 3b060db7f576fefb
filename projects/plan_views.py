"""The plans' pages: the plans (/plans/), a plan's overview (/plans/<number>/) and its
assessment (/plans/<number>/assessment/, ?_export=docx). Every signed-in role reads them."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from . import assessment as figures
from . import assessment_docx, plans
from .clock import today
from .documents import DOCX_TYPE
from .models import Plan


@login_required
@require_safe
def plan_list(request):
    on = today()
    return render(
        request, "projects/plan_list.html", {"plans": plans.plans_with_counts(on), "today": on}
    )


@login_required
@require_safe
def plan_detail(request, number):
    on = today()
    plan = plans.plan_or_404(number)
    context = {
        "plan": plan,
        "state": plan.state(on),
        "state_label": Plan.State(plan.state(on)).label,
        "today": on,
    } | plans.overview(plan, on)
    return render(request, "projects/plan_detail.html", context)


@login_required
@require_safe
def plan_assessment(request, number):
    """The plan's final assessment (an interim one while it is in force); ?_export=docx
    gives it as a Word document to edit."""
    on = today()
    plan = plans.plan_or_404(number)
    export = request.GET.get("_export")
    if export not in (None, "docx"):
        return HttpResponseBadRequest(_("Unknown export format; use docx."))
    if export:
        response = HttpResponse(assessment_docx.build(plan, on), content_type=DOCX_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{assessment_docx.filename(plan)}"'
        return response
    found = figures.build(plan, on)
    context = {
        "plan": plan,
        "assessment": found,
        "title": figures.title(found),
        "introduction": figures.introduction(found),
        "sample_warning": figures.sample_warning(),
        "today": on,
    }
    return render(request, "projects/plan_assessment.html", context)
