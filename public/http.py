"""What every public response carries: a short public cache lifetime, and a limit of
requests per address (pages here; the JSON has DRF's throttle with the same rate,
public/api.py).

Vary: Cookie stays. The language of a page is the language switch's cookie (the site does
not follow Accept-Language, projects.middleware.ChosenLanguageMiddleware), so a shared
cache must keep the Chinese and the English copy apart; the session and CSRF middleware
say Vary: Cookie anyway. A first visit carries no cookie, so every first visitor shares
one cached copy; a visitor who switched language gets theirs. A signed-in user's
responses stay private (projects.security.PrivatePagesMiddleware)."""

import functools
import time

from django.conf import settings
from django.core.cache import cache
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers, patch_cache_control, patch_vary_headers
from django.views.decorators.http import require_safe

from projects.security import client_ip

WINDOW = 60  # seconds


def retry_after(now):
    """Seconds until the current minute's window closes (at least one)."""
    return max(1, WINDOW - int(now % WINDOW))


def over_limit(request, prefix):
    """Count this request against its address's minute; True once over
    settings.PUBLIC_REQUESTS_PER_MINUTE. The counter lives in the default cache, the
    database's, so every app server counts the same address together."""
    now = time.time()
    key = f"{prefix}:{client_ip(request)}:{int(now // WINDOW)}"
    cache.add(key, 0, timeout=WINDOW + 5)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=WINDOW + 5)
        count = 1
    return count > settings.PUBLIC_REQUESTS_PER_MINUTE, retry_after(now)


def make_public(response):
    """Cache-Control: public, max-age=settings.PUBLIC_MAX_AGE, and Vary: Cookie."""
    patch_cache_control(response, public=True, max_age=settings.PUBLIC_MAX_AGE)
    patch_vary_headers(response, ["Cookie"])
    return response


def public_page(view):
    """A public page: GET and HEAD only, throttled per address, cacheable for a short
    while."""

    @require_safe
    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        limited, wait = over_limit(request, "public-pages")
        if limited:
            response = render(request, "public/throttled.html", {"retry_after": wait}, status=429)
            response["Retry-After"] = str(wait)
            add_never_cache_headers(response)
            return response
        response = view(request, *args, **kwargs)
        if response.status_code == 200:
            make_public(response)
        return response

    return wrapped
