from django.core.management.base import BaseCommand
from django.db import transaction

from projects import services
from projects.models import Project


class Command(BaseCommand):
    help = (
        "Give every project the lines of its category's checklist of pre-construction "
        "approvals (前期手续) that it lacks, as not yet applied for. Lines it has stay as they "
        "are; running it twice changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="count, save nothing")

    def handle(self, *args, dry_run=False, **options):
        with transaction.atomic():
            made = services.approvals_fill(projects=Project.objects.all())
            if dry_run:
                transaction.set_rollback(True)
        verb = "would be made" if dry_run else "made"
        self.stdout.write(self.style.SUCCESS(f"Approval checklist lines {verb}: {made}."))
