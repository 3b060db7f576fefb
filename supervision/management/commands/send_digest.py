from django.core.management.base import BaseCommand

from projects.clock import today
from supervision import digest


class Command(BaseCommand):
    help = (
        "Email each department its overdue milestones, milestones due in the next 14 days, "
        "missing reports and supervision orders awaiting its reply, and managers a "
        "district-wide summary (with orders overdue and replies awaiting close-out). "
        "Safe to run daily from cron."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="print the emails, send none")

    def handle(self, *args, **options):
        on = today()
        departments, summary = digest.build(on)
        sent = unaddressed = 0
        for item in [*departments, summary]:
            mail = digest.message(item, on)
            if not mail.to:
                unaddressed += 1
                who = item.department or "managers"
                self.stdout.write(f"no address for {who}: not sent")
                continue
            if options["dry_run"]:
                self.stdout.write(
                    f"To: {', '.join(mail.to)}\nSubject: {mail.subject}\n\n{mail.body}\n"
                )
            else:
                mail.send()
            sent += 1
        verb = "would send" if options["dry_run"] else "sent"
        self.stdout.write(f"{verb} {sent} emails; {unaddressed} without an address.")
