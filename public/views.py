"""The public view for residents (/public/, no sign-in): the current plan's projects, a
project's page, the indicators and the chapters. Every row and field comes through
public/redaction.py; every page through public/http.public_page (cache, throttle)."""

from django.core.paginator import Paginator
from django.shortcuts import render

from projects.clock import today

from . import redaction
from .filters import project_filters
from .http import public_page

PAGE_SIZE = 50


def base_context(scope):
    return {
        "plan": redaction.plan_record(scope),
        "sample_only": scope.sample_only,
        "sample_banner": redaction.sample_banner() if scope.sample_only else "",
    }


@public_page
def project_list(request):
    scope = redaction.scope(today())
    form, chosen = project_filters(scope, request.GET)
    rows = redaction.project_rows(scope, **chosen)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    records = [redaction.project_record(project, scope) for project in page.object_list]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "public/project_list.html",
        base_context(scope)
        | {
            "form": form,
            "chapter": chosen["chapter"] and redaction.chapter_link(chosen["chapter"]),
            "page": page,
            "projects": records,
            "query": query.urlencode(),
        },
    )


@public_page
def project_detail(request, code):
    scope = redaction.scope(today())
    record = redaction.project_detail(scope, code)
    if record is None:
        # The public frame, not the signed-in site's 404 page (whose links ask to sign in).
        return render(request, "public/not_found.html", base_context(scope), status=404)
    return render(request, "public/project_detail.html", base_context(scope) | {"project": record})


@public_page
def indicator_list(request):
    scope = redaction.scope(today())
    records = [redaction.indicator_record(i, scope) for i in redaction.indicator_rows(scope)]
    return render(
        request, "public/indicator_list.html", base_context(scope) | {"indicators": records}
    )


@public_page
def chapter_list(request):
    scope = redaction.scope(today())
    return render(
        request,
        "public/chapter_list.html",
        base_context(scope) | {"chapters": redaction.chapter_records(scope)},
    )
