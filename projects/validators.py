"""Field rules that models of both apps share. A rule here reaches every write path, since
forms, the department workbook, the admin and its imports all validate through the model."""

import unicodedata

from django.conf import settings

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
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


def limit_length(value):
    """A free text (a TextField, which has no length of its own) is at most
    settings.TEXT_MAX_CHARS characters."""
    if len(value) > settings.TEXT_MAX_CHARS:
        raise ValidationError(
            _("Keep this text to %(limit)s characters; it has %(length)s."),
            code="max_length",
            params={"limit": settings.TEXT_MAX_CHARS, "length": len(value)},
        )


class CleanTextModel:
    """A model mixin: every text field of the model refuses control characters (see
    NoControlCharacters) and every free text longer than settings.TEXT_MAX_CHARS, as its own
    validators would, on every path that validates the model (forms, the workbook, the admin
    and its imports, the services)."""

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
            value = getattr(self, field.attname) or ""
            try:
                no_control_characters(value)
                if isinstance(field, models.TextField):
                    limit_length(value)
            except ValidationError as error:
                errors[field.name] = error.error_list
        if errors:
            raise ValidationError(errors)


# A reason kept in a change history record (simple-history's history_change_reason).
change_reason_rules = [no_control_characters, MaxLengthValidator(100)]


def change_reason_errors(instance, *, needed, field, message):
    """The errors of the reason the instance's history record will keep (its
    `_change_reason`, set by the admin's forms and the imports): {} when it is fine. It
    follows change_reason_rules, and a change that `needed` one refuses its absence on
    `field` with `message`."""
    reason = getattr(instance, "_change_reason", None) or ""
    try:
        for rule in change_reason_rules:
            rule(reason)
    except ValidationError as error:
        return {"change_reason": error.messages}
    if needed and not reason.strip():
        return {field: [message]}
    return {}

plausible_year = [
    MinValueValidator(2000, _("Enter a year between 2000 and 2100.")),
    MaxValueValidator(2100, _("Enter a year between 2000 and 2100.")),
]


def non_negative(message):
    return MinValueValidator(0, message)
