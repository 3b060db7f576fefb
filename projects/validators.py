"""Field rules that models of both apps share. A rule here reaches every write path, since
forms, the department workbook, the admin and its imports all validate through the model."""

import unicodedata

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

# Tab, line feed and carriage return are text; every other control character (a vertical
# tab pasted from Word, a NUL byte) breaks exports and means nothing to a reader.
ALLOWED_CONTROLS = {"\t", "\n", "\r"}


@deconstructible
class NoControlCharacters:
    message = _("Remove the control character %(code)s (at character %(position)s).")
    code = "control_character"

    def __call__(self, value):
        for position, char in enumerate(str(value), start=1):
            if char not in ALLOWED_CONTROLS and unicodedata.category(char) == "Cc":
                raise ValidationError(
                    self.message,
                    code=self.code,
                    params={"code": f"U+{ord(char):04X}", "position": position},
                )

    def __eq__(self, other):
        return isinstance(other, NoControlCharacters)


no_control_characters = NoControlCharacters()


class CleanTextModel:
    """A model mixin: every text field of the model refuses control characters (see
    NoControlCharacters), as its own validators would, on every path that validates the
    model (forms, the workbook, the admin and its imports, the services)."""

    def clean_fields(self, exclude=None):
        errors = {}
        try:
            super().clean_fields(exclude=exclude)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        for field in self._meta.concrete_fields:
            if not isinstance(field, (models.CharField, models.TextField)):
                continue
            if field.name in errors or (exclude and field.name in exclude):
                continue
            try:
                no_control_characters(getattr(self, field.attname) or "")
            except ValidationError as error:
                errors[field.name] = error.error_list
        if errors:
            raise ValidationError(errors)


plausible_year = [
    MinValueValidator(2000, _("Enter a year between 2000 and 2100.")),
    MaxValueValidator(2100, _("Enter a year between 2000 and 2100.")),
]


def non_negative(message):
    return MinValueValidator(0, message)
