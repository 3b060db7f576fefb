"""Milestones keep their original planned date (the first baseline): added nullable, filled
from each milestone's first history record (else its planned date now), then required."""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def fill_original_planned_dates(apps, schema_editor):
    Milestone = apps.get_model("projects", "Milestone")
    HistoricalMilestone = apps.get_model("projects", "HistoricalMilestone")
    first = HistoricalMilestone.objects.filter(id=OuterRef("id")).order_by(
        "history_date", "history_id"
    )
    for milestone in Milestone.objects.annotate(
        first_planned=Subquery(first.values("planned_date")[:1])
    ).iterator(chunk_size=2000):
        Milestone.objects.filter(pk=milestone.pk).update(
            original_planned_date=milestone.first_planned or milestone.planned_date
        )
    # The history's own rows carry the milestone's (a deleted milestone's: their date then).
    originals = Milestone.objects.filter(id=OuterRef("id")).values("original_planned_date")[:1]
    HistoricalMilestone.objects.update(original_planned_date=Subquery(originals))
    HistoricalMilestone.objects.filter(original_planned_date__isnull=True).update(
        original_planned_date=models.F("planned_date")
    )


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0006_rules_in_one_home"),
    ]

    operations = [
        migrations.AddField(
            model_name="historicalmilestone",
            name="original_planned_date",
            field=models.DateField(null=True, blank=True, editable=False),
        ),
        migrations.AddField(
            model_name="milestone",
            name="original_planned_date",
            field=models.DateField(null=True, blank=True, editable=False),
        ),
        migrations.RunPython(fill_original_planned_dates, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="historicalmilestone",
            name="original_planned_date",
            field=models.DateField(
                blank=True,
                editable=False,
                help_text="The planned date the milestone was created with; a re-baseline keeps it.",
                verbose_name="original planned date",
            ),
        ),
        migrations.AlterField(
            model_name="milestone",
            name="original_planned_date",
            field=models.DateField(
                blank=True,
                editable=False,
                help_text="The planned date the milestone was created with; a re-baseline keeps it.",
                verbose_name="original planned date",
            ),
        ),
    ]
