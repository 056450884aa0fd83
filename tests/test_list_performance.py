"""What the lists and downloads keep when they are made fast (issue 13): the meetings list's
counts, the actions list's meeting filter, the streamed CSV and the write-only spreadsheet."""

import csv
import datetime
import io
import re

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from actions import filters as action_filters
from tests import factories
from tests import test_query_counts as query_counts

pytestmark = pytest.mark.django_db


def test_the_meetings_list_counts_each_kind_without_multiplying_the_others(client, official):
    meeting = factories.MeetingFactory(title="Busy meeting")
    for _ in range(3):
        factories.AttendanceFactory(meeting=meeting)
    factories.AttendanceFactory(meeting=meeting, status="apologies")
    for number in (1, 2):
        factories.AgendaItemFactory(meeting=meeting, number=number)
    for number in range(1, 6):
        factories.ActionItemFactory(meeting=meeting, number=number)
    factories.MeetingFactory(title="Quiet meeting")
    client.force_login(official)
    response = client.get(reverse("meetings:list") + "?sort=-actions")
    rows = {
        m.title: (m.present_count, m.item_count, m.action_count)
        for m in response.context["meetings"]
    }
    assert rows == {"Busy meeting": (3, 2, 5), "Quiet meeting": (0, 0, 0)}
    assert [m.title for m in response.context["meetings"]] == ["Busy meeting", "Quiet meeting"]


def test_the_meeting_filter_offers_recent_meetings_and_still_filters_by_an_older_one(
    client, official, monkeypatch
):
    monkeypatch.setattr(action_filters, "RECENT_MEETINGS", 3)
    start = datetime.datetime(2024, 1, 8, 12, tzinfo=timezone.get_current_timezone())
    meetings = [
        factories.MeetingFactory(
            title=f"Meeting {n}", starts_at=start + datetime.timedelta(weeks=n)
        )
        for n in range(6)
    ]
    oldest = meetings[0]
    factories.ActionItemFactory(meeting=oldest, text="From the oldest meeting.")
    factories.ActionItemFactory(meeting=meetings[-1], text="From the newest meeting.")
    client.force_login(official)
    page = client.get(reverse("actions:list")).content.decode()
    assert f'value="{meetings[-1].pk}"' in page and f'value="{oldest.pk}"' not in page
    page = client.get(reverse("actions:list"), {"meeting": oldest.pk}).content.decode()
    assert "From the oldest meeting." in page and "From the newest meeting." not in page
    assert f'value="{oldest.pk}" selected' in page


def test_the_actions_list_filtered_by_meeting_makes_the_same_number_of_queries(client, official):
    def by_meeting(n):
        url, marker = query_counts.actions_list(n)
        meeting = factories.MeetingFactory()
        return url + f"?meeting={meeting.pk}&sort=due", "Actions (0)"

    query_counts.assert_constant(client, official, by_meeting)


def test_the_csv_download_is_streamed(client, official):
    factories.ActionItemFactory(text="Streamed action.")
    client.force_login(official)
    response = client.get(reverse("actions:export", args=["csv"]))
    assert response.streaming
    rows = list(csv.DictReader(io.StringIO(response.getvalue().decode("utf-8-sig"))))
    assert [row["Action"] for row in rows] == ["Streamed action."]


def test_the_spreadsheet_keeps_its_widths_frozen_heading_filter_and_date_format(client, official):
    factories.ActionItemFactory(text="Dated action.", due_date=datetime.date(2025, 5, 1))
    client.force_login(official)
    response = client.get(reverse("actions:export", args=["xlsx"]))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:M2"
    assert sheet.column_dimensions["E"].width == 60
    assert sheet["A1"].font.bold
    headings = [cell.value for cell in sheet[1]]
    due = sheet.cell(row=2, column=headings.index("Due date") + 1)
    assert due.number_format == "yyyy-mm-dd" and due.alignment.wrap_text


def test_pagination_links_the_ends_and_the_pages_around_the_current_one(client, official):
    meeting = factories.MeetingFactory()
    factories.ActionItemFactory.create_batch(25 * 12, meeting=meeting)
    client.force_login(official)
    page = client.get(reverse("actions:list"), {"page": 6}).content.decode()
    linked = {int(n) for n in re.findall(r'aria-label="Page (\d+)"', page)}
    assert linked == {1, 4, 5, 6, 7, 8, 12}
    assert page.count("govuk-pagination__item--ellipses") == 2
