from django.core.management.base import BaseCommand, CommandError

from indicators import plandata
from projects.plandata import PlanDataError


class Command(BaseCommand):
    help = (
        "Load the plan data shipped in fixtures/: departments, the 14th Five-Year Plan, its "
        "chapters, major projects and indicators. Safe to run again: it changes only what differs."
    )

    def handle(self, *args, **options):
        try:
            stats = plandata.load()
        except PlanDataError as error:
            raise CommandError(str(error)) from error
        for key in sorted(stats):
            self.stdout.write(f"{key}: {stats[key]}")
        self.stdout.write(self.style.SUCCESS("Plan data loaded."))
