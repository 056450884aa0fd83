"""Search at a real forum's size: an English word, a Welsh word and a later page of one kind,
for an official and a forum member, with "My actions" and the busiest organisation's page
alongside, each as a ratio to the same two floors as the list pages (``volume_pages``).

The data is ``volume_pages``' (2,000 people, 300 organisations, 1,000 meetings and 10,000
actions; ``WRC_BENCH_VOLUME_SCALE`` scales it), with one agenda item in ten also given a Welsh
title and discussion, as bilingual notes have, so the Welsh word has records to find.
"""

from django.db.models import Count
from django.test import override_settings
from django.urls import reverse

from bench.cases import volume_pages
from bench.registry import benchmark
from directory.models import Organisation
from meetings.models import AgendaItem

WELSH_TITLE = "Camwybodaeth ar y cyfryngau cymdeithasol"
WELSH_DISCUSSION = (
    "Trafododd yr aelodau gamwybodaeth ar-lein. Bydd y pecyn cymorth yn cael ei rannu cyn y "
    "cyfarfod nesaf."
)
WELSH_WORD = "camwybodaeth"


def search_data():
    context = volume_pages.volume_data()
    every_tenth = AgendaItem.objects.order_by("pk").values_list("pk", flat=True)[::10]
    AgendaItem.objects.filter(pk__in=list(every_tenth)).update(
        title_cy=WELSH_TITLE, discussion_cy=WELSH_DISCUSSION
    )
    busiest = (
        Organisation.objects.annotate(owned=Count("owned_actions")).order_by("-owned", "pk").first()
    )
    return context | {"organisation": busiest}


def pages(context):
    official, member, anonymous = volume_pages.clients(context)
    search = reverse("search:results")
    return [
        ("floor: hello world", official, "/bench/hello/"),
        ("floor: sign-in page", anonymous, reverse("login")),
        ("search misinformation", official, f"{search}?q=misinformation"),
        ("search misinformation (volume-member)", member, f"{search}?q=misinformation"),
        (f"search {WELSH_WORD} (Welsh)", official, f"{search}?q={WELSH_WORD}"),
        (
            "search misinformation, actions page 3",
            official,
            f"{search}?q=misinformation&kind=actions&page=3",
        ),  # fmt: skip
        ("my actions (volume-member)", member, reverse("actions:mine")),
        ("organisation page, most actions", official, context["organisation"].get_absolute_url()),
    ]


@benchmark(
    f"pages: search at {volume_pages.SIZE.actions:,} actions, "
    f"{volume_pages.SIZE.meetings:,} meetings",
    setup=search_data,
    repeat=1,
)
def search_pages(context):
    with override_settings(ROOT_URLCONF=volume_pages.__name__):
        rows = volume_pages.details(volume_pages.measure(pages(context)))
    for row in rows:
        print(
            f"bench:   {row['page']}: {row['median_ms']} ms, {row['of_hello']} of hello world, "
            f"{row['of_sign_in']} of sign-in, {row['queries']} queries",
            flush=True,
        )
    return rows
