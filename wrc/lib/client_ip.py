"""The address a request came from, behind a known number of trusted proxies.

Each trusted proxy appends the address it received the connection from to ``X-Forwarded-For``,
so with ``TRUSTED_PROXIES = n`` the client is the n-th entry from the right; anything further
left was written by the client and is ignored. django-ipware (axes' optional helper) expects a
header that also lists the proxies and answers None when it does not, which would put every
such request in one shared bucket: one stranger could then lock every member out.
"""

import ipaddress

from django.conf import settings


def valid_address(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_ip(request) -> str:
    """Never empty: falls back to the connecting address when the header is short or bad."""
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.TRUSTED_PROXIES
    if proxies <= 0:
        return remote
    forwarded = [part for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part]
    if len(forwarded) < proxies:
        # The request did not pass through every trusted proxy: only the peer is known.
        return remote
    return valid_address(forwarded[-proxies]) or remote
