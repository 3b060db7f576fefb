"""The four roles of DESIGN.md, kept as auth groups that the app sets up itself.

Row-level rules (an editor changes only their own department's rows) are enforced in
the views; the groups carry the model permissions the admin needs.
"""

from django.apps import apps as global_apps
from django.db import models
from django.utils.translation import gettext_lazy as _

# Apps whose models the administrators maintain in the admin (api: the API's tokens, which
# administrators issue and revoke; the other roles do not see them).
DATA_APPS = ("projects", "indicators", "supervision", "api")
ADMINISTRATORS_ONLY = ("api",)


class Role(models.TextChoices):
    # The value is the auth group's name; the label is what people read.
    ADMINISTRATOR = "administrator", _("administrator")
    MANAGER = "manager", _("manager")
    VIEWER = "viewer", _("viewer")
    EDITOR = "department editor", _("department editor")


def ensure_roles(Group, Permission):
    """Create the role groups and give them their permissions. Safe to run again."""
    data_perms = Permission.objects.filter(content_type__app_label__in=DATA_APPS)
    view_perms = data_perms.filter(codename__startswith="view_").exclude(
        content_type__app_label__in=ADMINISTRATORS_ONLY
    )
    grants = {
        Role.ADMINISTRATOR: data_perms,
        Role.MANAGER: view_perms,
        Role.VIEWER: view_perms,
        Role.EDITOR: view_perms,
    }
    for role, perms in grants.items():
        group, _created = Group.objects.get_or_create(name=role.value)
        group.permissions.set(perms)


def create_roles(sender, apps=global_apps, **kwargs):
    """After every migrate (post_migrate, sent once per app): make the roles. Auth's own
    receiver, connected before this one, has just made the permissions of `sender`, so
    the groups have every data app's permissions once the last of them has been sent."""
    try:
        apps.get_model("auth", "Group")
    except LookupError:  # auth's tables are not there (migrated back to zero)
        return
    from django.contrib.auth.models import Group, Permission

    ensure_roles(Group, Permission)
