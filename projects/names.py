"""Names in the page's language. Projects, departments and indicators are named in Chinese
(`name`) and many also in English (`name_en`): a page in English shows the English name
where there is one, and the Chinese name otherwise. Whatever is rendered under
translation.override (the bulletin's Word document, the e-mailed digest) follows that
language, like the rest of its text."""

from django.utils import translation


def in_english():
    return (translation.get_language() or "").startswith("en")


def localized(name, name_en, english=None):
    """The name to show: the English one on an English page, when there is one. `english`
    says whether the page is in English, for a caller naming many things at once (an
    export's ten thousand rows) that has worked it out once with in_english()."""
    if english is None:
        english = in_english()
    return name_en if name_en and english else name


def other_name(name, name_en):
    """The name in the other language, shown under a title: the English name on a Chinese
    page, the Chinese one on an English page ("" when there is no second name)."""
    if not name_en:
        return ""
    return name if in_english() else name_en


class NamedInTwoLanguages:
    """display_name and other_name for a model with `name` and `name_en`."""

    @property
    def display_name(self):
        return localized(self.name, self.name_en)

    @property
    def other_name(self):
        return other_name(self.name, self.name_en)


def row_name(row, prefix=""):
    """The name of a values() row that carries `name` and `name_en` (after `prefix`)."""
    return localized(row[f"{prefix}name"], row.get(f"{prefix}name_en"))


def row_department(row, prefix):
    """A department's name in a values() row carrying its short_name, name and name_en
    after `prefix` (such as "lead_department__"), as Department.display_name gives it;
    "" for none."""
    short = row.get(f"{prefix}short_name") or row.get(f"{prefix}name") or ""
    return localized(short, row.get(f"{prefix}name_en")) if short else ""
