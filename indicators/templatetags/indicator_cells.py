"""The computed cells of the indicator list (see indicators.tables), as template filters."""

from django import template

from indicators import tables

register = template.Library()
register.filter("baseline_cell", tables.baseline_cell)
register.filter("target_cell", tables.target_cell)
register.filter("latest_cell", tables.latest_cell)
register.filter("progress_cell", tables.progress_cell)
register.filter("status_cell", tables.status_cell)
