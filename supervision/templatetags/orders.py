"""What other apps' pages show of supervision (projects never imports this app; its
templates load this library)."""

from django import template

from ..models import SupervisionOrder

register = template.Library()


@register.inclusion_tag("supervision/_project_orders.html", takes_context=True)
def project_orders(context, project):
    """The project's supervision orders, newest first: with their milestones and
    departments, which the table shows (the project is in hand)."""
    orders = list(
        SupervisionOrder.objects.filter(project=project).select_related("milestone", "department")
    )
    for order in orders:
        order.project = project
    return {"orders": orders, "request": context.get("request")}
