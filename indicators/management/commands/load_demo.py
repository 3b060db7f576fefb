from django.core.management.base import BaseCommand, CommandError

from indicators import demo
from projects.clock import today
from projects.demo import DEMO_PASSWORD
from projects.plandata import PlanDataError


class Command(BaseCommand):
    help = (
        "Load the plan data and a sample portfolio generated relative to today: owners, "
        "milestones, monthly reports, investment and indicator values, and one demo user per "
        "role. Every sample row is labelled as sample data. Running it twice on the same day "
        "changes nothing."
    )

    def handle(self, *args, **options):
        try:
            stats = demo.load()
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
