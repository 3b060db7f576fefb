import datetime

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import timezone, translation


class ChosenLanguageMiddleware(LocaleMiddleware):
    """Chinese unless the user chose English with the language switch.

    Django's LocaleMiddleware also follows the browser's Accept-Language; the district works
    in Chinese whatever language a browser was installed in, so only the switch's cookie
    counts here.
    """

    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        try:
            language = translation.get_supported_language_variant(chosen or settings.LANGUAGE_CODE)
        except LookupError:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


def session_expiry():
    return timezone.now() + datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE)


def start_session_clock(sender, request, user, **kwargs):
    """On sign-in (user_logged_in): the session lapses SESSION_COOKIE_AGE seconds from now
    unless SlidingSessionMiddleware renews it."""
    request.session.set_expiry(session_expiry())


class SlidingSessionMiddleware:
    """Sign people out after SESSION_COOKIE_AGE seconds without a request.

    Renews the expiry once a tenth of it has gone by, rather than writing the session on
    every request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        if session is not None and isinstance(session.get("_session_expiry"), str):
            if session.get_expiry_age() < settings.SESSION_COOKIE_AGE * 0.9:
                session.set_expiry(session_expiry())
        return self.get_response(request)

