"""The four roles of DESIGN.md, kept as auth groups that the app sets up itself.

Row-level rules (an editor changes only their own department's rows) are enforced in
the views; the groups carry the model permissions the admin needs.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

# Apps whose models the administrators maintain in the admin.
DATA_APPS = ("projects", "indicators")


class Role(models.TextChoices):
    # The value is the auth group's name; the label is what people read.
    ADMINISTRATOR = "administrator", _("administrator")
    MANAGER = "manager", _("manager")
    VIEWER = "viewer", _("viewer")
    EDITOR = "department editor", _("department editor")


def ensure_roles(Group, Permission):
    """Create the role groups and give them their permissions. Safe to run again.

    Takes the model classes so a data migration can pass its historical ones.
    """
    data_perms = Permission.objects.filter(content_type__app_label__in=DATA_APPS)
    view_perms = data_perms.filter(codename__startswith="view_")
    grants = {
        Role.ADMINISTRATOR: data_perms,
        Role.MANAGER: view_perms,
        Role.VIEWER: view_perms,
        Role.EDITOR: view_perms,
    }
    for role, perms in grants.items():
        group, _created = Group.objects.get_or_create(name=role.value)
        group.permissions.set(perms)
