# One date style in both languages: ISO, 2026-03-14 (see projects/formatting.py). Django's
# own en formats write "March 14, 2026"; these take their place for display (input
# formats stay Django's, which accept ISO).
from ..iso import *  # noqa: F401,F403
