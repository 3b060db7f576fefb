"""Errors as JSON: DRF's handler, with a model's refusal (django ValidationError) as 400."""

from django.core.exceptions import ValidationError
from rest_framework import serializers
from rest_framework.views import exception_handler as drf_exception_handler


def exception_handler(exc, context):
    if isinstance(exc, ValidationError):
        exc = serializers.ValidationError(serializers.as_serializer_error(exc))
    return drf_exception_handler(exc, context)
