"""API tokens: how another system signs in (Authorization: Token <key>).

An administrator issues a token for a user in the admin; the key is shown once, then only
its SHA-256 digest is kept, with its first characters (the prefix) to find it by. A token
acts with its user's roles and department, can expire, and is revoked by setting the time
it was revoked (the row stays, for the record of who had access)."""

import hashlib
import hmac
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

PREFIX_LENGTH = 8


def digest(key):
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def usable(self, now=None):
        """Not revoked and not expired (at `now`, default the present moment)."""
        now = now or timezone.now()
        return self.filter(revoked_at__isnull=True).filter(
            Q(expires_at__isnull=True) | Q(expires_at__gt=now)
        )


class ApiToken(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="api_tokens",
        help_text=_("The token acts as this user: with the user's roles and department."),
    )
    name = models.CharField(
        _("name"),
        max_length=100,
        help_text=_("What the token is for, e.g. the city's project dispatch system."),
    )
    prefix = models.CharField(_("prefix"), max_length=PREFIX_LENGTH, editable=False)
    key_digest = models.CharField(_("key digest (SHA-256)"), max_length=64, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    expires_at = models.DateTimeField(
        _("expires"),
        null=True,
        blank=True,
        help_text=_("Leave empty for a token that does not expire."),
    )
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True, editable=False)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-pk"]
        constraints = [
            # The lookup of every API request (authentication.TokenAuthentication).
            models.UniqueConstraint(fields=["prefix"], name="api_token_prefix_unique"),
            models.UniqueConstraint(fields=["key_digest"], name="api_token_digest_unique"),
        ]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @classmethod
    def issue(cls, *, user, name, by=None, expires_at=None):
        """A new token for `user`: (token, key). The key is returned here only; the database
        keeps its digest."""
        token = cls(user=user, name=name, created_by=by, expires_at=expires_at)
        key = token.set_new_key()
        token.full_clean()
        token.save()
        return token, key

    def set_new_key(self):
        while True:
            key = secrets.token_urlsafe(32)
            prefix = key[:PREFIX_LENGTH]
            if not ApiToken.objects.filter(prefix=prefix).exists():
                break
        self.prefix, self.key_digest = prefix, digest(key)
        return key

    def matches(self, key):
        return hmac.compare_digest(self.key_digest, digest(key))

    @property
    def is_revoked(self):
        return self.revoked_at is not None

    def is_usable(self, now=None):
        now = now or timezone.now()
        return not self.is_revoked and (self.expires_at is None or self.expires_at > now)

    def revoke(self):
        if self.revoked_at is None:
            self.revoked_at = timezone.now()
            self.save(update_fields=["revoked_at"])
