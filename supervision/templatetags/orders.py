"""What other apps' pages show of supervision (projects never imports this app; its
templates load this library)."""

from django import template

from ..models import SupervisionOrder

register = template.Library()


@register.inclusion_tag("supervision/_project_orders.html", takes_context=True)
def project_orders(context, project):
    """The project's supervision orders, newest first."""
    orders = SupervisionOrder.objects.filter(project=project).for_lists()
    return {"orders": orders, "request": context.get("request")}
