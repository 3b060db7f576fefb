"""The zh-hans catalogue is complete and its compiled .mo is the one in the repository."""

import ast
import gettext

from django.conf import settings

CATALOGUE = settings.BASE_DIR / "locale" / "zh_Hans" / "LC_MESSAGES"


def read_po(path):
    """(context, msgid, msgstr, flags) for every live entry of a .po file; plurals by msgstr[0]."""
    entries, current, key, flags = [], {}, None, ""
    for line in path.read_text(encoding="utf-8").splitlines() + [""]:
        if line.startswith("#,"):
            flags = line
        elif line.startswith(
            ("msgctxt ", "msgid ", "msgid_plural ", "msgstr ", "msgstr[0] ", "msgstr[1] ")
        ):
            key, _space, value = line.partition(" ")
            current[key] = ast.literal_eval(value)
        elif line.startswith('"') and key:
            current[key] += ast.literal_eval(line)
        elif not line.strip() and current:
            msgstr = current.get("msgstr", current.get("msgstr[0]", ""))
            entries.append((current.get("msgctxt"), current["msgid"], msgstr, flags))
            current, key, flags = {}, None, ""
    return [e for e in entries if e[1]]  # not the header


def test_every_message_is_translated_and_none_is_fuzzy():
    entries = read_po(CATALOGUE / "django.po")
    assert len(entries) > 150
    assert [m for _c, m, s, _f in entries if not s] == []
    assert [m for _c, m, _s, f in entries if "fuzzy" in f] == []


def test_the_compiled_catalogue_matches_the_source():
    with open(CATALOGUE / "django.mo", "rb") as f:
        compiled = gettext.GNUTranslations(f)
    stale = [
        m
        for context, m, s, _f in read_po(CATALOGUE / "django.po")
        if (compiled.pgettext(context, m) if context else compiled.gettext(m)) != s
    ]
    assert stale == [], "run: manage.py compilemessages -l zh_Hans --ignore=.venv"
