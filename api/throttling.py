"""Throttling per token: each token has its own allowance (settings REST_FRAMEWORK
DEFAULT_THROTTLE_RATES "token"), a browser session its user's, and a request that is not
signed in its address's ("anon"). Counted in the default cache."""

from rest_framework.throttling import SimpleRateThrottle

from projects.security import client_ip

from .models import ApiToken


class TokenRateThrottle(SimpleRateThrottle):
    scope = "token"

    def get_cache_key(self, request, view):
        if isinstance(request.auth, ApiToken):
            ident = f"token-{request.auth.pk}"
        elif request.user and request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
        else:
            return None  # AnonRateThrottle counts these
        return self.cache_format % {"scope": self.scope, "ident": ident}


class AnonRateThrottle(SimpleRateThrottle):
    scope = "anon"

    def get_cache_key(self, request, view):
        if request.user and request.user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}

    def get_ident(self, request):
        # The address as sign-in throttling reads it: X-Forwarded-For only from trusted proxies.
        return client_ip(request)
