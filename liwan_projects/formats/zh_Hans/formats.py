# One date style in both languages: ISO, 2026-03-14 (see projects/formatting.py). Django's
# own zh_Hans formats write 2026年3月14日; these take their place for display (input
# formats stay Django's, which accept ISO).
from ..iso import *  # noqa: F401,F403
