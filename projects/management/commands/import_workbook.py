from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from projects import workbook
from projects.clock import today
from projects.models import Department, User


class Command(BaseCommand):
    help = (
        "Load a department's filled-in monthly workbook (the one its page offers for download): "
        "every row is accepted or none is, through the same rules as the web forms."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--department", required=True, help="the department's slug")
        parser.add_argument("--user", help="username recorded as the author (default: none)")
        parser.add_argument("--dry-run", action="store_true", help="check every row, save nothing")

    def handle(self, *args, **options):
        try:
            department = Department.objects.get(slug=options["department"])
        except Department.DoesNotExist:
            raise CommandError(f"No department {options['department']!r}.") from None
        user = None
        if options["user"]:
            user = User.objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"No user {options['user']!r}.")
        try:
            data = options["file"].read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {options['file']}: {error}") from None
        outcome = workbook.load(data, department, user, today(), dry_run=options["dry_run"])
        for sheet, row, column, message in outcome.errors:
            self.stdout.write(f"{sheet or '-'} row {row or '-'} {column or ''}: {message}")
        if not outcome.ok:
            raise CommandError(f"{len(outcome.errors)} problems; nothing was saved.")
        verb = "would save" if outcome.dry_run else "saved"
        self.stdout.write(f"{verb} {outcome.reports} reports and {outcome.milestones} milestones.")
