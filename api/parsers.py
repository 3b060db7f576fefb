"""JSON bodies, refused beyond settings.API_MAX_BODY_BYTES (413) before they are read whole."""

import io

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.parsers import JSONParser


class BodyTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = _("The request body is too large.")
    default_code = "too_large"


class BoundedJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.API_MAX_BODY_BYTES
        request = (parser_context or {}).get("request")
        length = request.META.get("CONTENT_LENGTH") if request is not None else None
        try:
            if length and int(length) > limit:
                raise BodyTooLarge()
        except ValueError:
            raise exceptions.ParseError(_("The Content-Length header is not a number.")) from None
        body = stream.read(limit + 1)
        if len(body) > limit:
            raise BodyTooLarge()
        return super().parse(io.BytesIO(body), media_type, parser_context)
