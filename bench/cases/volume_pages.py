"""The main list pages and downloads at a real forum's size (issue 13), through Django's test
client, each as a ratio to two floors measured in the same run: a hello-world view behind the
same session and login middleware, and the sign-in page.

The data: the seeds' size in the issue — 2,000 people, 300 organisations, 1,000 meetings and
10,000 actions in three forums — made by ``wrc.lib.volume`` once (not timed), and rolled back
after the case. ``WRC_BENCH_VOLUME_SCALE`` (default 1) scales every count, for a quick check at
a smaller size. Pages are requested in interleaved rounds (every page once per round), so a
slow moment of the machine costs every page alike; the median of the rounds is reported.

This measures one process without a web server or concurrency: the issue's HTTP case with
gunicorn and PostgreSQL at 1, 4 and 20 users is still to be built.
"""

import os
import statistics
import time

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection
from django.http import HttpResponse
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import include, path, reverse

from bench.registry import benchmark
from wrc import access
from wrc.lib import volume

ROUNDS = int(os.environ.get("WRC_BENCH_VOLUME_ROUNDS", "3"))
SCALE = float(os.environ.get("WRC_BENCH_VOLUME_SCALE", "1"))
SIZE = volume.VolumeSize(
    people=int(2000 * SCALE),
    organisations=max(int(300 * SCALE), 1),
    meetings=max(int(1000 * SCALE), 1),
    actions=int(10_000 * SCALE),
    forums=3,
)


def hello(request):
    return HttpResponse("Hello")


# The product's URLs plus the floor, served by this module during the case.
urlpatterns = [path("bench/hello/", hello, name="bench_hello"), path("", include("wrc.urls"))]


def volume_data():
    result = volume.volume_generate(size=SIZE, seed=13)
    official = get_user_model().objects.create_user(username="bench-official")
    official.groups.add(Group.objects.get(name=access.OFFICIALS))  # made by volume_generate
    return {"official": official, "member": result.member, "counts": result.counts}


def clients(context):
    official, member, anonymous = Client(), Client(), Client()
    official.force_login(context["official"])
    member.force_login(context["member"])
    return official, member, anonymous


def pages(context):
    """(label, client, url) for every page measured; the two floors first."""
    official, member, anonymous = clients(context)
    return [
        ("floor: hello world", official, "/bench/hello/"),
        ("floor: sign-in page", anonymous, reverse("login")),
        ("meetings list", official, reverse("meetings:list")),
        ("actions list", official, reverse("actions:list")),
        ("my actions (volume-member)", member, reverse("actions:mine")),
        ("search misinformation", official, reverse("search:results") + "?q=misinformation"),
        ("actions CSV", official, reverse("actions:export", args=["csv"])),
        ("actions XLSX", official, reverse("actions:export", args=["xlsx"])),
    ]


def timed_get(client, url):
    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        response = client.get(url)
        if response.streaming:
            b"".join(response.streaming_content)
        elapsed = time.perf_counter() - start
    assert response.status_code == 200, (url, response.status_code)
    return elapsed, len(queries.captured_queries)


def measure(targets):
    timings = {label: [] for label, _client, _url in targets}
    queries = {}
    for _round in range(ROUNDS):
        for label, client, url in targets:
            elapsed, queries[label] = timed_get(client, url)
            timings[label].append(elapsed)
    return {label: (statistics.median(times), queries[label]) for label, times in timings.items()}


def details(medians):
    hello_s = medians["floor: hello world"][0]
    sign_in_s = medians["floor: sign-in page"][0]
    return [
        {
            "page": label,
            "median_ms": round(seconds * 1000, 1),
            "of_hello": round(hello_s / seconds, 4),
            "of_sign_in": round(sign_in_s / seconds, 4),
            "queries": count,
        }
        for label, (seconds, count) in medians.items()
    ]


@benchmark(
    f"pages: lists and downloads at {SIZE.actions:,} actions, {SIZE.meetings:,} meetings",
    setup=volume_data,
    repeat=1,
)
def volume_pages(context):
    with override_settings(ROOT_URLCONF=__name__):
        rows = details(measure(pages(context)))
    for row in rows:
        print(
            f"bench:   {row['page']}: {row['median_ms']} ms, {row['of_hello']} of hello world, "
            f"{row['of_sign_in']} of sign-in, {row['queries']} queries",
            flush=True,
        )
    return rows
