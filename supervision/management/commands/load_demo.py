from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from indicators import demo
from projects.clock import today
from projects.demo import DEMO_PASSWORD
from projects.plandata import PlanDataError
from supervision import demo as supervision_demo


class Command(BaseCommand):
    help = (
        "Load the plan data and a sample portfolio generated relative to today: owners, "
        "milestones, monthly reports, investment and indicator values, coordination problems "
        "and supervision orders, and one demo user per role. Every sample row is labelled as sample data. Running it twice on the same day "
        "changes nothing."
    )

    def handle(self, *args, **options):
        try:
            with transaction.atomic():
                stats = demo.load()
                supervision_demo.load(today(), stats)
        except PlanDataError as error:
            raise CommandError(str(error)) from error
        for key in sorted(stats):
            self.stdout.write(f"{key}: {stats[key]}")
        self.stdout.write(
            self.style.SUCCESS(f"Plan and sample data loaded for {today():%Y-%m-%d}.")
        )
        self.stdout.write(
            f"Demo sign-ins (password {DEMO_PASSWORD}): admin, manager, viewer, "
            "editor-<department slug> such as editor-housing-transport."
        )
