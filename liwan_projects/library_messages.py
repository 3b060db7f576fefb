"""Messages of the libraries we ship that their own zh-hans catalogues lack or get wrong,
translated in ours instead.

Django looks a message up in the catalogues of LOCALE_PATHS before those of the installed
apps ("How Django discovers translations" in its documentation), so an entry in
locale/zh_Hans for a library's exact msgid is what every page shows. makemessages only
keeps an entry that some source of ours uses, hence this module: it is never imported, it
only names the msgids (gettext_noop, and ngettext_lazy for a plural).
tests/test_library_messages.py checks that each is still a msgid of its library (the text
is found in the library's source) and that our catalogue translates it.

Left out: messages only a developer sees (an exception raised on a misconfiguration, a
debug log line) and the few a library formats before translating them, which no catalogue
can reach: import-export's "The following fields are declared in 'import_id_fields'…"
(our resources report a missing key column themselves, projects.resources) and its
"Value could not be parsed using defined formats." (our date columns read dates
themselves, projects.importcolumns.DayWidget)."""

from django.utils.translation import gettext_noop, ngettext_lazy

# django-import-export 4.4: the admin's import and export pages.
IMPORT_EXPORT = [
    # Its zh-hans catalogue has 某些行验数据证失败 (garbled).
    gettext_noop("Some rows failed to validate"),
    gettext_noop(
        "Please correct these errors in your data where possible, then reupload it using the "
        "form above."
    ),
    # Its zh-hans translation drops the last placeholder (the kind of rows).
    gettext_noop("Import finished: {} new, {} updated, {} deleted and {} skipped {}."),
    gettext_noop(
        "%(exc_name)s encountered while trying to read file. Ensure you have chosen the "
        "correct format for the file."
    ),
    gettext_noop(
        "No valid data to import. Ensure your file has the correct headers or data for import."
    ),
    gettext_noop("export failed due to IllegalCharacterError"),
    gettext_noop("Resource"),
    gettext_noop('Select at least 1 field for "%(resource_name)s" to export'),
    gettext_noop("Select all"),
    gettext_noop("Value could not be parsed."),
    gettext_noop("Non field specific"),
    gettext_noop("Skipped"),
    gettext_noop("This importer will import the following fields: "),
    gettext_noop("This exporter will export the following fields: "),
    # The history's note of a row an import wrote: "%s through import_export" % the kind.
    gettext_noop("new through import_export"),
    gettext_noop("update through import_export"),
    gettext_noop("delete through import_export"),
]
IMPORT_EXPORT_PLURALS = [
    ngettext_lazy("Export %(len)s selected item.", "Export %(len)s selected items."),
]

# django-filter 26: no zh-hans catalogue at all (its zh_CN one is not used for zh-hans).
DJANGO_FILTER = [
    gettext_noop("date"),
    gettext_noop("day"),
    gettext_noop("week day"),
    gettext_noop("hour"),
    gettext_noop("minute"),
    gettext_noop("second"),
    gettext_noop("contains"),
    gettext_noop("is in"),
    gettext_noop("is greater than"),
    gettext_noop("is greater than or equal to"),
    gettext_noop("is less than"),
    gettext_noop("is less than or equal to"),
    gettext_noop("starts with"),
    gettext_noop("ends with"),
    gettext_noop("is in range"),
    gettext_noop("is null"),
    gettext_noop("matches regex"),
    gettext_noop("is contained by"),
    gettext_noop("overlaps"),
    gettext_noop("has key"),
    gettext_noop("has keys"),
    gettext_noop("has any keys"),
    gettext_noop("Select a lookup."),
    gettext_noop("Range query expects two values."),
    gettext_noop("Yesterday"),
    gettext_noop("Multiple values may be separated by commas."),
    gettext_noop("%s (descending)"),
    gettext_noop("Ordering"),
    gettext_noop("exclude"),
]

# Django 5.2's admin and auth: messages newer than its zh-hans catalogue.
DJANGO = [
    gettext_noop("Model name"),
    gettext_noop("Add link"),
    gettext_noop("Change or view list link"),
    gettext_noop("Error:"),
    gettext_noop("After you’ve created a user, you’ll be able to edit more user options."),
    gettext_noop("Forgotten your login credentials?"),
]
DJANGO_PLURALS = [
    ngettext_lazy(
        "This password is too short. It must contain at least %d character.",
        "This password is too short. It must contain at least %d characters.",
    ),
]
