from django.core.management.base import BaseCommand, CommandError

from indicators import plandata
from projects.plandata import PlanDataError


class Command(BaseCommand):
    help = (
        "Load the plan data shipped in fixtures/: departments, the 14th Five-Year Plan, its "
        "chapters, major projects and indicators. Safe to run again: it changes only what "
        "differs. With --dir, another plan's outline and indicators from a folder shaped as "
        "fixtures/plan14/ (plan.json, indicators.json and the plan's text as the one .txt "
        "file), every quote checked against the text: all or nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dir", help="a folder with plan.json, indicators.json and the plan's text (.txt)"
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="check everything, save nothing (with --dir)"
        )

    def handle(self, *args, **options):
        if options["dry_run"] and not options["dir"]:
            raise CommandError("--dry-run goes with --dir.")
        try:
            if options["dir"]:
                stats = plandata.load_folder(options["dir"], dry_run=options["dry_run"])
            else:
                stats = plandata.load()
        except PlanDataError as error:
            raise CommandError(f"{error} Nothing was saved.") from error
        for key in sorted(stats):
            self.stdout.write(f"{key}: {stats[key]}")
        if options["dry_run"]:
            self.stdout.write(self.style.SUCCESS("Plan data checked; nothing saved (dry run)."))
        else:
            self.stdout.write(self.style.SUCCESS("Plan data loaded."))
