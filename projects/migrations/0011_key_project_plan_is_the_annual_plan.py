from django.db import migrations


def move_plans(apps, schema_editor):
    """A key project's annual plan becomes the project's planned investment for the year
    (its one place): created where the year had no row, and the key-project list's figure
    where the two differed (it is the one the district publishes against)."""
    KeyProject = apps.get_model("projects", "KeyProject")
    AnnualInvestment = apps.get_model("projects", "AnnualInvestment")
    for key in KeyProject.objects.all():
        row, created = AnnualInvestment.objects.get_or_create(
            project_id=key.project_id,
            year=key.year,
            defaults={"planned": key.planned, "completed": 0, "is_sample": key.is_sample},
        )
        if not created and row.planned != key.planned:
            row.planned = key.planned
            row.save(update_fields=["planned"])


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0010_coordination_problems"),
    ]

    operations = [
        migrations.RunPython(move_plans, migrations.RunPython.noop),
        migrations.RemoveConstraint(
            model_name="keyproject",
            name="key_project_planned_non_negative",
        ),
        migrations.RemoveField(
            model_name="historicalkeyproject",
            name="planned",
        ),
        migrations.RemoveField(
            model_name="keyproject",
            name="planned",
        ),
    ]
