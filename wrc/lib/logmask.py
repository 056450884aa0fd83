"""Keeps calendar feed tokens out of logs.

The token in a feed's address is the only credential a calendar program has; anyone who reads
an access log could otherwise subscribe to a member's diary. Both servers' access logs pass
through here: runserver's through a logging filter, gunicorn's through its logger class (set in
``gunicorn.conf.py``).
"""

import logging
import re

from gunicorn.glogging import Logger as GunicornBaseLogger

FEED_TOKEN = re.compile(r"(/calendar/feed/)[^/?#\s.]+")
MASK = r"\1[token]"


def mask_feed_tokens(text: str) -> str:
    return FEED_TOKEN.sub(MASK, text)


class FeedTokenFilter(logging.Filter):
    def filter(self, record):
        message = record.getMessage()
        masked = mask_feed_tokens(message)
        if masked != message:
            record.msg, record.args = masked, ()
        return True


class GunicornLogger(GunicornBaseLogger):
    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        return {
            key: mask_feed_tokens(value) if isinstance(value, str) else value
            for key, value in atoms.items()
        }
