"""After a save, the confirmation beside what was saved.

A save made from the project page sends the user back to the row it changed
(#milestone-<id>, #report-<yyyy-mm>, #problem-<id>) and tags its message with that row's
anchor; the project page shows the message under the row, where the browser has scrolled
to, rather than at the top of the page, which the jump to the row leaves out of sight."""

from collections import defaultdict

from django.contrib import messages
from django.shortcuts import redirect

TAG = "row:"


def milestone_anchor(milestone):
    return f"milestone-{milestone.pk}"


def report_anchor(period):
    return f"report-{period:%Y-%m}"


def problem_anchor(problem):
    return f"problem-{problem.pk}"


def add(request, level, text, anchor):
    """A message (django.contrib.messages) about the row with this anchor."""
    messages.add_message(request, level, text, extra_tags=TAG + anchor)


def back_to_row(project, anchor):
    return redirect(f"{project.get_absolute_url()}#{anchor}")


def by_row(request, anchors):
    """The request's messages, read (so shown once): {anchor: [message]} for those about a
    row among `anchors`, and the rest, for the top of the page."""
    anchors, found, rest = set(anchors), defaultdict(list), []
    for message in messages.get_messages(request):
        tags = (message.extra_tags or "").split()
        anchor = next((t.removeprefix(TAG) for t in tags if t.startswith(TAG)), None)
        if anchor in anchors:
            found[anchor].append(message)
        else:
            rest.append(message)
    return found, rest
