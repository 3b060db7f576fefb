from django.contrib.auth.management import create_permissions
from django.db import migrations

from projects.roles import ensure_roles


def create_roles(apps, schema_editor):
    # Permissions are normally created after all migrations; create them now so the
    # groups can be given theirs.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    ensure_roles(apps.get_model("auth", "Group"), apps.get_model("auth", "Permission"))


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0001_initial"),
        ("indicators", "0002_indicator_links"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
