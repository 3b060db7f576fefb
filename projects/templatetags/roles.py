"""What the signed-in user's roles let them see, for templates (the rules are in
projects/permissions.py)."""

from django import template

from projects import permissions

register = template.Library()


@register.filter
def may_review_reports(user):
    return permissions.may_review_reports(user)
