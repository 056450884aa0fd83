"""Lists: sortable by whitelisted columns, paginated with the filters kept in every link, counts
in the headings; and the actions list downloads as CSV or XLSX with exactly the filtered rows."""

import csv
import datetime
import io
import re
from urllib.parse import urlencode

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from actions.models import ActionItem
from tests import factories
from tests import test_query_counts as query_counts
from wrc.lib.sorting import Sort, ordering_for, parse_sort

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def html_of(client, user, url):
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def order_of(html, names):
    """``names`` in the order they appear in ``html``."""
    return sorted(names, key=html.index)


# The sorting helper ------------------------------------------------------------------------


def test_parse_sort_accepts_only_whitelisted_columns():
    allowed = {"due": "due_date", "owner": "owner_text"}
    assert parse_sort("-due", allowed, "owner") == Sort("due", True)
    assert parse_sort("owner", allowed, "-due") == Sort("owner", False)
    # Anything else falls back to the default: no ordering by arbitrary fields.
    assert parse_sort("owner_person__email", allowed, "-due") == Sort("due", True)
    assert parse_sort("", allowed, "owner") == Sort("owner", False)


def test_ordering_for_reverses_every_field_and_ends_with_the_primary_key():
    allowed = {"meeting": ("meeting__starts_at", "-number")}
    assert ordering_for(Sort("meeting", False), allowed) == ["meeting__starts_at", "-number", "pk"]
    assert ordering_for(Sort("meeting", True), allowed) == ["-meeting__starts_at", "number", "-pk"]


# Actions list ------------------------------------------------------------------------------


@pytest.fixture
def three_actions():
    return [
        factories.ActionItemFactory(owner_text="Bravo", text="Second by owner.", due_date=None),
        factories.ActionItemFactory(
            owner_text="Charlie", text="Third by owner.", due_date=TODAY - datetime.timedelta(1)
        ),
        factories.ActionItemFactory(
            owner_text="Alpha", text="First by owner.", due_date=TODAY + datetime.timedelta(30)
        ),
    ]


def test_the_actions_list_sorts_by_owner_both_ways(client, official, three_actions):
    texts = ["First by owner.", "Second by owner.", "Third by owner."]
    html = html_of(client, official, reverse("actions:list") + "?sort=owner")
    assert order_of(html, texts) == texts
    html = html_of(client, official, reverse("actions:list") + "?sort=-owner")
    assert order_of(html, texts) == texts[::-1]


def test_sort_headers_carry_aria_sort_and_keep_the_filters(client, official, three_actions):
    html = html_of(client, official, reverse("actions:list") + "?status=open&sort=owner&page=1")
    owner_header = re.search(r'<th[^>]*aria-sort="ascending"><a[^>]*href="\?([^"]*)"', html)
    assert owner_header, "the sorted column says so"
    query = owner_header.group(1).replace("&amp;", "&")
    assert "status=open" in query and "sort=-owner" in query and "page" not in query
    assert html.count('aria-sort="none"') == 3


def test_an_unknown_sort_is_ignored(client, official, three_actions):
    html = html_of(client, official, reverse("actions:list") + "?sort=owner_person__email")
    assert "Second by owner." in html


def test_pagination_links_keep_filters_and_sort_and_the_heading_counts_all_pages(client, official):
    for i in range(30):
        factories.ActionItemFactory(text=f"Paged action {i:02d}.", owner_text="Alpha")
    factories.ActionItemFactory(text="Done elsewhere.", status=ActionItem.Status.DONE)
    html = html_of(client, official, reverse("actions:list") + "?status=open&sort=-owner")
    assert "Actions (30)" in html
    links = re.findall(r'href="\?([^"]*page=2[^"]*)"', html)
    assert links
    for link in links:
        link = link.replace("&amp;", "&")
        assert "status=open" in link and "sort=-owner" in link
    html = html_of(client, official, reverse("actions:list") + "?status=open&sort=-owner&page=2")
    assert html.count("Paged action") == 5


def test_the_owner_filter_finds_organisations_and_roles_by_every_name(client, official):
    wlga = factories.OrganisationFactory(
        name="Welsh Local Government Association", short_name="WLGA"
    )
    factories.OrganisationAliasFactory(organisation=wlga, alias="Welsh Local Government Authority")
    factories.ActionItemFactory(
        owner_text="Local authorities", owner_organisation=wlga, text="Owned by the association."
    )
    convenor = factories.OwnerRoleFactory(
        name="Regional Convenor (North Wales)", aliases=["Cynullydd Rhanbarthol y Gogledd"]
    )
    factories.ActionItemFactory(
        owner_text="RC North", owner_role=convenor, text="Owned by the convenor."
    )
    factories.ActionItemFactory(owner_text="Someone else", text="Owned by someone else.")

    def found(owner):
        html = html_of(
            client, official, reverse("actions:list") + "?" + urlencode({"owner": owner})
        )
        return {
            t
            for t in ("association", "convenor", "someone else")
            if f"Owned by the {t}." in html or f"Owned by {t}." in html
        }

    assert found("Welsh Local Government Authority") == {"association"}
    assert found("wlga") == {"association"}
    assert found("Cynullydd Rhanbarthol") == {"convenor"}
    assert found("RC North") == {"convenor"}
    assert found("Someone") == {"someone else"}


# Downloads ---------------------------------------------------------------------------------


@pytest.fixture
def filtered_setup():
    overdue = [
        factories.ActionItemFactory(
            text=f"Overdue {i}.",
            owner_text="=HYPERLINK(1)",
            due_date=TODAY - datetime.timedelta(i + 1),
        )
        for i in range(3)
    ]
    factories.ActionItemFactory(text="Not overdue.", due_date=TODAY + datetime.timedelta(5))
    factories.ActionItemFactory(
        text="Done and late.", due_date=TODAY - datetime.timedelta(9), status="done"
    )
    return overdue


def test_the_list_links_to_downloads_with_the_current_filters(client, official, filtered_setup):
    html = html_of(client, official, reverse("actions:list") + "?due=overdue&sort=-due&page=1")
    for fmt in ("csv", "xlsx"):
        href = re.search(rf'href="({reverse("actions:export", args=[fmt])}[^"]*)"', html).group(1)
        assert "due=overdue" in href and "sort=-due" in href and "page" not in href


def test_csv_download_holds_exactly_the_filtered_rows_in_the_list_order(
    client, official, filtered_setup
):
    client.force_login(official)
    response = client.get(reverse("actions:export", args=["csv"]) + "?due=overdue&sort=due")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.getvalue().decode("utf-8-sig"))))
    assert [row["Action"] for row in rows] == ["Overdue 2.", "Overdue 1.", "Overdue 0."]
    assert rows[0]["Due date"] == (TODAY - datetime.timedelta(3)).isoformat()
    assert rows[0]["Status"] == "Open"
    # A cell that looks like a formula is written as text.
    assert rows[0]["Owner (as written)"] == "'=HYPERLINK(1)"
    assert rows[0]["Link"].endswith(filtered_setup[2].get_absolute_url())


def test_xlsx_download_holds_exactly_the_filtered_rows(client, official, filtered_setup):
    client.force_login(official)
    response = client.get(reverse("actions:export", args=["xlsx"]) + "?due=overdue")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    headings, data = rows[0], rows[1:]
    actions = sorted(row[headings.index("Action")] for row in data)
    assert actions == ["Overdue 0.", "Overdue 1.", "Overdue 2."]
    due = data[0][headings.index("Due date")]
    assert isinstance(due, datetime.datetime)
    assert sheet.cell(row=2, column=headings.index("Owner (as written)") + 1).data_type == "s"


def test_a_members_download_holds_only_what_they_may_see(client, member):
    factories.ActionItemFactory(text="Shared action.")
    draft = factories.MeetingFactory(notes_status="draft")
    factories.ActionItemFactory(meeting=draft, text="Draft meeting action.")
    client.force_login(member)
    response = client.get(reverse("actions:export", args=["csv"]))
    rows = list(csv.DictReader(io.StringIO(response.getvalue().decode("utf-8-sig"))))
    assert [row["Action"] for row in rows] == ["Shared action."]


def test_downloads_refuse_unknown_formats_outsiders_and_anonymous(client, outsider):
    url = reverse("actions:export", args=["csv"])
    assert reverse("login") in client.get(url).url
    client.force_login(outsider)
    assert client.get(url).status_code == 403
    client.force_login(factories.official_user(username="o2"))
    assert client.get(reverse("actions:export", args=["pdf"])).status_code == 404


# Meetings, organisations, people and letters ---------------------------------------------------


def test_meetings_sort_by_date_both_ways_and_filter_by_year(client, official):
    for year in (2023, 2024, 2025):
        factories.MeetingFactory(
            title=f"Meeting of {year}",
            starts_at=datetime.datetime(year, 3, 1, 12, tzinfo=timezone.get_current_timezone()),
        )
    titles = ["Meeting of 2023", "Meeting of 2024", "Meeting of 2025"]
    html = html_of(client, official, reverse("meetings:list"))
    assert order_of(html, titles) == titles[::-1], "latest first by default"
    html = html_of(client, official, reverse("meetings:list") + "?sort=date")
    assert order_of(html, titles) == titles
    html = html_of(client, official, reverse("meetings:list") + "?year=2024&sort=date")
    assert "Meetings (1)" in html
    assert "Meeting of 2024" in html and "Meeting of 2023" not in html


def test_organisations_filter_by_other_names_and_sort_by_plan_actions_led(client, member):
    busy = factories.OrganisationFactory(name="Busy Body")
    factories.PlanActionLeadFactory(organisation=busy)
    factories.PlanActionLeadFactory(organisation=busy)
    factories.OrganisationFactory(name="Another Body")
    aliased = factories.OrganisationFactory(name="Welsh Local Government Association")
    factories.OrganisationAliasFactory(organisation=aliased, alias="WLGA")
    factories.OrganisationAliasFactory(organisation=aliased, alias="WLGA Cymru")
    html = html_of(client, member, reverse("directory:organisation_list") + "?name=wlga")
    assert "Organisations (1)" in html
    html = html_of(client, member, reverse("directory:organisation_list") + "?sort=-led")
    assert order_of(html, ["Busy Body", "Another Body"]) == ["Busy Body", "Another Body"]


def test_people_filter_by_organisation_and_sort_by_name(client, secretariat):
    red = factories.OrganisationFactory(name="Red Org")
    factories.PersonFactory(full_name="Zoe Zed", organisation=red)
    factories.PersonFactory(full_name="Amy Able", organisation=red)
    factories.PersonFactory(full_name="Bob Blue")
    url = reverse("directory:person_list") + "?organisation=red&sort=-name"
    html = html_of(client, secretariat, url)
    assert "People (2)" in html
    assert order_of(html, ["Zoe Zed", "Amy Able"]) == ["Zoe Zed", "Amy Able"]
    assert "Bob Blue" not in html


def test_letters_filter_by_subject_for_a_member_within_what_they_may_see(client, member):
    factories.LetterFactory(subject_en="Toolkit for members", status="sent")
    factories.LetterFactory(subject_en="Toolkit draft", status="draft")
    factories.LetterFactory(subject_en="Unrelated news", status="sent")
    html = html_of(client, member, reverse("correspondence:list") + "?text=toolkit")
    assert "Letters (1)" in html
    assert "Toolkit for members" in html and "Toolkit draft" not in html


def test_letters_sort_by_subject(client, official):
    for subject in ("Bravo", "Alpha", "Charlie"):
        factories.LetterFactory(subject_en=f"{subject} letter")
    subjects = ["Alpha letter", "Bravo letter", "Charlie letter"]
    html = html_of(client, official, reverse("correspondence:list") + "?sort=subject")
    assert order_of(html, subjects) == subjects
    html = html_of(client, official, reverse("correspondence:list") + "?sort=-subject")
    assert order_of(html, subjects) == subjects[::-1]


PAGED_LISTS = {
    "meetings:list": ("title", "-date", lambda i: factories.MeetingFactory(title=f"Paged {i}")),
    "directory:organisation_list": (
        "name",
        "-name",
        lambda i: factories.OrganisationFactory(name=f"Paged {i}"),
    ),
    "directory:person_list": (
        "name",
        "-name",
        lambda i: factories.PersonFactory(full_name=f"Paged {i}"),
    ),
    "correspondence:list": (
        "text",
        "-subject",
        lambda i: factories.LetterFactory(subject_en=f"Paged {i}"),
    ),
}


@pytest.mark.parametrize("url_name", PAGED_LISTS)
def test_every_list_pages_with_its_filters_and_sort_kept(client, official, url_name):
    field, sort, make = PAGED_LISTS[url_name]
    for i in range(60):
        make(i)
    html = html_of(client, official, reverse(url_name) + f"?{field}=paged&sort={sort}")
    assert "(60)" in html
    links = re.findall(r'href="\?([^"]*page=2[^"]*)"', html)
    assert links
    for link in links:
        link = link.replace("&amp;", "&")
        assert f"{field}=paged" in link and f"sort={sort}" in link


# Query counts with filters and sorting ----------------------------------------------------------


@pytest.mark.parametrize(
    "build, query",
    [
        ("meetings_list", "?sort=-attended&title=forum"),
        ("actions_list", "?sort=due&status=open&owner=organisation"),
        ("organisation_list", "?sort=-led&name=listed"),
        ("person_list", "?sort=organisation&name=aaron"),
        ("letter_list", "?sort=sender&text=letter"),
    ],
)
def test_sorted_and_filtered_lists_make_the_same_number_of_queries(client, official, build, query):
    builder = getattr(query_counts, build)

    def filtered(n):
        url, marker = builder(n)
        return url + query, marker

    query_counts.assert_constant(client, official, filtered)


def test_the_csv_download_makes_the_same_number_of_queries_for_1_10_and_50_rows(client, official):
    def download(n):
        _url, marker = query_counts.actions_list(n)
        return reverse("actions:export", args=["csv"]) + "?owner=organisation", marker

    query_counts.assert_constant(client, official, download)
