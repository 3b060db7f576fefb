"""The client's address for sign-in throttling, and the headers that keep signed-in pages
out of shared caches."""

from django.conf import settings
from django.utils.cache import add_never_cache_headers, patch_cache_control


def client_ip(request):
    """The address a request came from. Behind settings.TRUSTED_PROXY_COUNT proxies, each of
    which appends the address it was connected from to X-Forwarded-For, the client is the
    entry that many places from the right; what a client writes to the left of it is its
    own claim and is never read. With no trusted proxy, the connection's address."""
    count = settings.TRUSTED_PROXY_COUNT
    if count > 0:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= count:
            return forwarded[-count]
    return request.META.get("REMOTE_ADDR")


class PrivatePagesMiddleware:
    """Pages and files for a signed-in user are theirs alone: no shared cache or browser
    history keeps a copy (Cache-Control: private, no-store)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)
            patch_cache_control(response, private=True)
        return response
