"""Token authentication for systems: `Authorization: Token <key>` (or `Bearer <key>`).

One query finds the token by its prefix, with its user; the key is compared with the kept
digest in constant time. The token's last use is written at most once in
settings.API_TOKEN_USE_RESOLUTION seconds, by a conditional UPDATE, so that a busy system
does not write on every request."""

import datetime

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from .models import PREFIX_LENGTH, ApiToken

KEYWORDS = ("token", "bearer")
MAX_KEY_LENGTH = 100


class TokenAuthentication(authentication.BaseAuthentication):
    keyword = "Token"

    def authenticate(self, request):
        parts = authentication.get_authorization_header(request).split()
        if not parts or parts[0].decode("latin-1").lower() not in KEYWORDS:
            return None  # no token: the session may sign the request in
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(
                _("Give the token after the word Token, with no space in it.")
            )
        try:
            key = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from None
        return self.authenticate_key(key)

    def authenticate_key(self, key):
        if len(key) < PREFIX_LENGTH or len(key) > MAX_KEY_LENGTH:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        token = ApiToken.objects.select_related("user").filter(prefix=key[:PREFIX_LENGTH]).first()
        if token is None or not token.matches(key):
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        now = timezone.now()
        if token.is_revoked:
            raise exceptions.AuthenticationFailed(_("This token has been revoked."))
        if not token.is_usable(now):
            raise exceptions.AuthenticationFailed(_("This token has expired."))
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("The token's user is inactive."))
        record_use(token, now)
        return token.user, token

    def authenticate_header(self, request):
        return self.keyword


def record_use(token, now):
    """Set the token's last use to `now` unless it was set less than the resolution ago."""
    since = now - datetime.timedelta(seconds=settings.API_TOKEN_USE_RESOLUTION)
    if token.last_used_at is not None and token.last_used_at > since:
        return
    ApiToken.objects.filter(pk=token.pk).filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lte=since)
    ).update(last_used_at=now)
    token.last_used_at = now
