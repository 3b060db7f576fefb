"""Pre-construction approvals (前期手续): a department's editor records where one stands;
everyone signed in reads the missing ones of projects about to start (/approvals/), and
exports them."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_filters.views import FilterView

from . import attachments, services
from .clock import today
from .filters import MissingApprovalFilter
from .forms import ApprovalForm, place_errors, refused
from .listing import ListPageMixin
from .models import APPROVALS_AHEAD_DAYS, Approval
from .permissions import get_for_user, may_update_approval
from .tables import MissingApprovalTable


@login_required
def approval_update(request, pk):
    """Record an approval's state, number (文号) and date, and attach its document (a PDF or
    photos of the paper, checked as every attachment is: attachments.check_all). A refused
    file refuses the whole form: nothing is saved and no file is kept."""
    approval = get_for_user(
        request,
        Approval.objects.select_related("project__lead_department", "kind"),
        may_update_approval,
        pk=pk,
    )
    conflict = None
    initial = {
        "state": approval.state,
        "number": approval.number,
        "issued_on": approval.issued_on,
        "note": approval.note,
        "version": approval.version,
    }
    form = ApprovalForm(initial=initial)
    if request.method == "POST":
        form = ApprovalForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            try:
                files = attachments.check_all(data["files"])
                services.approval_update(
                    approval=approval,
                    by=request.user,
                    state=data["state"],
                    number=data["number"],
                    issued_on=data["issued_on"],
                    note=data["note"],
                    version=data["version"],
                    files=files,
                )
            except services.Conflict as error:
                conflict, project, kind = error, approval.project, approval.kind
                approval = error.current
                approval.project, approval.kind = project, kind
                saved = {
                    "state": approval.state,
                    "number": approval.number,
                    "issued_on": approval.issued_on,
                    "note": approval.note,
                }
                error.yours = refused(form, saved)
                if data["files"]:
                    names = ", ".join(attachments.display_name(f.name) for f in data["files"])
                    error.yours.append((form.fields["files"].label, names))
                form = ApprovalForm(initial=saved | {"version": approval.version})
            except ValidationError as error:
                place_errors(
                    form,
                    error if hasattr(error, "error_dict") else ValidationError({"files": error}),
                )
            else:
                text = _("%(approval)s is updated.") % {"approval": approval.kind}
                if files:
                    text += " " + ngettext(
                        "%(count)s file is attached to it.",
                        "%(count)s files are attached to it.",
                        len(files),
                    ) % {"count": len(files)}
                messages.success(request, text)
                return redirect(approval.project.get_absolute_url() + "#approvals")
    context = {
        "approval": approval,
        "form": form,
        "conflict": conflict,
        "files": list(approval.attachments.all()),
    }
    return render(request, "projects/approval_form.html", context, status=409 if conflict else 200)


# --- the missing approvals of projects about to start -----------------------------------


class MissingApprovalView(ListPageMixin, FilterView):
    """Missing approvals of projects planned to start within APPROVALS_AHEAD_DAYS days (or
    past their planned start and not yet under construction), nearest start first."""

    model = Approval
    table_class = MissingApprovalTable
    filterset_class = MissingApprovalFilter
    template_name = "projects/approvals.html"
    export_name = "approvals"

    def get_queryset(self):
        return Approval.objects.missing_before_start(on=today()).for_lists().with_documents()

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"days": APPROVALS_AHEAD_DAYS}
