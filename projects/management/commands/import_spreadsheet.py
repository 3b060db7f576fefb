from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from projects.models import User
from projects.resources import RESOURCES, import_file


class Command(BaseCommand):
    help = _(
        "Load a spreadsheet of departments, projects, milestones, investments, key projects, "
        "a plan's chapters or indicators, or indicator values (the admin's columns, keyed by "
        "codes) of any length: every row is checked, and either every row is saved or none is."
    )

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=sorted(RESOURCES))
        parser.add_argument("file", type=Path, help=_("a .csv (UTF-8) or .xlsx file"))
        parser.add_argument("--user", help=_("username recorded in the history (default: none)"))
        parser.add_argument(
            "--dry-run", action="store_true", help=_("check every row, save nothing")
        )

    def handle(self, *args, **options):
        path = options["file"]
        fmt = path.suffix.lower().lstrip(".")
        if fmt not in ("csv", "xlsx"):
            raise CommandError(_("The file must end in .csv or .xlsx."))
        user = None
        if options["user"]:
            user = User.objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(_("No user %(name)s.") % {"name": options["user"]})
        resource = RESOURCES[options["kind"]].for_scripts()()
        try:
            with path.open("rb") as file:
                outcome = import_file(resource, file, fmt, dry_run=options["dry_run"], user=user)
        except OSError as error:
            raise CommandError(
                _("Cannot read %(file)s: %(error)s") % {"file": path, "error": error}
            ) from None
        for row, column, message in outcome.errors:
            where = _("row %(row)s") % {"row": row} if row else _("file")
            self.stdout.write(f"{where} {column}: {message}".replace(" :", ":"))
        if outcome.error_count > len(outcome.errors):
            self.stdout.write(
                _("… and %(count)s more.") % {"count": outcome.error_count - len(outcome.errors)}
            )
        if not outcome.ok:
            raise CommandError(
                _("%(count)s problems in %(rows)s rows; nothing was saved.")
                % {"count": outcome.error_count, "rows": outcome.rows}
            )
        totals = {
            "rows": outcome.rows,
            "new": outcome.totals["new"],
            "update": outcome.totals["update"],
            "skip": outcome.totals["skip"],
        }
        if outcome.dry_run:
            message = _(
                "Checked %(rows)s rows: %(new)s new, %(update)s changed, %(skip)s unchanged; "
                "nothing saved (dry run)."
            )
        else:
            message = _("Saved %(rows)s rows: %(new)s new, %(update)s changed, %(skip)s unchanged.")
        self.stdout.write(message % totals)
