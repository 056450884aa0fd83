"""Plans and letters in the layouts Welsh Government and Senedd documents are published in, each
test document a faithful rendering of part of a published one with its extraction quirks: a
web page of an action plan whose actions are blocks of labelled fields ("How we will achieve
it?", "Who will help achieve this?"), a plan whose actions are "Action" blocks with fields of
their own under a theme and its areas, a PDF export with its cover glued together and page
numbers between the rows; a First Minister's reply quoting both references, a reply to a
committee chair, a Welsh letter with its subject above the salutation, a committee's letter
with the date at the end of the address, and a letter to "Dear Colleagues" signed with Welsh
and English titles."""

import datetime
from pathlib import Path

import pytest

from correspondence.importers import import_letter, parse_letter
from correspondence.models import Letter
from hatecrime.importers import import_delivery_plan, parse_delivery_plan, read_leads
from hatecrime.models import DeliveryPlan
from tests import factories

DOCUMENTS = Path(__file__).parent / "documents"


def plan_text(name: str) -> str:
    return (DOCUMENTS / "plans" / name).read_text(encoding="utf-8")


def letter_text(name: str) -> str:
    return (DOCUMENTS / "letters" / name).read_text(encoding="utf-8")


def held_back(notices) -> list[str]:
    return [str(notice) for notice in notices if notice.holds_back]


@pytest.fixture
def forum(db):
    return factories.ForumFactory()


# --- plans ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_plan_web_page_whose_actions_are_blocks_of_questions():
    name = "real-shape-lgbtq-action-plan-actions-html.txt"
    parsed = parse_delivery_plan(plan_text(name))
    # The page's furniture is not the title; the period is the year it was published.
    assert parsed.title == "LGBTQ+ Action Plan for Wales - Actions and key performance indicators"
    assert parsed.period == "2023"
    assert [(a.label, a.title) for a in parsed.areas()] == [
        ("A", "Human rights and recognition"),
        ("B", "Safety and freedom from discrimination"),
    ]
    assert [a.reference for a in parsed.actions()] == ["1", "2", "3", "10"]
    first, _second, third, tenth = parsed.actions()
    assert first.text == (
        "strengthen understanding of the human rights of LGBTQ+ people\n\n"
        "- Publish a toolkit of LGBTQ+ Human Rights resources, led by LGBTQ+ civil societies."
    )
    steps = [line for line in third.text.splitlines() if line.startswith("- ")]
    assert len(steps) == 5  # the steps "How we will achieve it?" lists
    assert first.timescale == "Medium term"
    assert third.timescale == "Short to long term"
    assert first.measure.startswith("Increased knowledge amongst the general population")
    # A bullet each: the organisations as listed, a division with "and" in its name as one.
    assert first.lead_names == [
        "LGBTQ+ civil societies",
        "Welsh Government (WG) Equality and Human Rights Division",
    ]
    assert third.lead_names == ["WG Equality and Human Rights Division", "Galop"]
    assert tenth.lead_names == ["WG Community Cohesion Team", "Victim Support Cymru"]
    # Nothing here needs a reviewer: the page says what every field is.
    assert held_back(parsed.notices) == []

    report = import_delivery_plan(text=plan_text(name), source_name=name)
    plan = DeliveryPlan.objects.get(source_document=name)
    assert plan.actions.count() == 4 and report.points_to_review == []
    saved = plan.actions.get(reference="3")
    assert [link.organisation.name for link in saved.lead_links.order_by("order")] == [
        "WG Equality and Human Rights Division",
        "Galop",
    ]


@pytest.mark.django_db
def test_action_blocks_with_fields_of_their_own_under_a_theme_and_its_areas():
    name = "real-shape-disabled-peoples-rights-plan-short-term-actions.txt"
    parsed = parse_delivery_plan(plan_text(name))
    assert (parsed.title, parsed.period) == (
        "Draft Disabled People’s Rights Plan: short-term actions",
        "2025-35",
    )
    # "Neighbourhoods and places" over "Travel": the theme holds its areas.
    assert [(o.title, [a.title for a in o.areas]) for o in parsed.objectives] == [
        ("Neighbourhoods and places", ["Travel", "Accessible and affordable housing"])
    ]
    actions = parsed.actions()
    assert [a.reference for a in actions] == ["1.1", "1.2", "1.3", "1.4", "2.1"]
    assert actions[0].text.startswith("The Welsh Government to work with local authorities")
    # An action of two paragraphs keeps both.
    assert actions[3].text.split("\n\n")[1].startswith("The training includes Social Model")
    assert actions[2].extra_values == {
        "UNCRDP": "Article 7: disabled children.",
        "NEO": "National Equality Objective 3/5.",
    }
    assert all(a.leads_text == "" for a in actions)
    # A plan that numbers none of its actions is numbered in order, for the record only.
    generated = [n for n in parsed.notices if "gives this action no reference" in n.message]
    assert len(generated) == 5 and held_back(parsed.notices) == []

    import_delivery_plan(text=plan_text(name), source_name=name)
    plan = DeliveryPlan.objects.get(source_document=name)
    assert plan.actions.get(reference="2.1").extra["UNCRDP"].startswith("Article 16")


@pytest.mark.django_db
def test_a_pdf_export_with_its_cover_glued_together_and_page_numbers_in_the_table():
    name = "real-shape-hate-crime-delivery-plan-2016-17-pdf.txt"
    parsed = parse_delivery_plan(plan_text(name))
    assert parsed.title == (
        "Tackling Hate Crimes and Incidents: Framework for Action Delivery Plan"
    )
    assert parsed.period == "2016-17"
    assert [(o.label, o.title) for o in parsed.objectives] == [("Objective 1", "Prevention")]
    assert [(a.label, a.title) for a in parsed.areas()] == [
        ("Delivery Area 1", "Tackling Hate-Related Bullying and Promoting Respect"),
        ("Delivery Area 2", "Promoting Inclusion and Resilience"),
    ]
    assert [a.reference for a in parsed.actions()] == [
        "1.7", "1.8", "1.9", "1.10", "1.11", "1.12", "2.1",
    ]  # fmt: skip
    nine = parsed.actions()[2]
    assert nine.text.startswith("We will produce leaflets on what is a hate crime")
    assert nine.lead_names == ["Welsh Government"]
    # The page number between the rows is not a line the reviewer has to place.
    assert held_back(parsed.notices) == []


@pytest.mark.parametrize(
    "text, names",
    [
        ("Welsh Government (WG) Equality and Human Rights Division",
         ["Welsh Government (WG) Equality and Human Rights Division"]),
        ("LGBTQ+ civil societies", ["LGBTQ+ civil societies"]),
        ("Welsh Government + Home Office", ["Welsh Government", "Home Office"]),
    ],
)  # fmt: skip
@pytest.mark.django_db
def test_a_lead_names_a_division_with_and_in_it_as_one(text, names):
    assert read_leads(text).names == names


# --- letters --------------------------------------------------------------------------------


def test_a_first_ministers_reply_quoting_both_references_on_their_own_lines(forum):
    name = "real-shape-fm-petitions-FM-05433-16.txt"
    import_letter(text=letter_text(name), source_name=name, forum=forum)
    letter = Letter.objects.get(source_document=name)
    assert (letter.reference, letter.their_reference) == ("FM -/05433/16", "P-05-712")
    assert letter.date == datetime.date(2016, 9, 9)
    assert letter.sender_name == "Y Gwir Anrh/Rt Hon Carwyn Jones AC/AM"
    assert (letter.sender_titles_cy, letter.sender_titles_en) == (
        "Prif Weinidog Cymru",
        "First Minister of Wales",
    )
    assert letter.addressee == "Mike Hedges AM"
    assert letter.addressee_address.splitlines()[:2] == ["National Assembly for Wales", "Ty Hywel"]
    assert (letter.salutation_en, letter.closing_en) == ("Dear Mike", "Yours sincerely")
    assert (letter.subject_en, letter.subject_cy, letter.body_cy) == ("", "", "")
    body = letter.body_en.split("\n\n")
    assert len(body) == 4 and body[2].startswith("These discussions span the full range")
    assert "CF99 1NA" in letter.sender_address and "Gohebiaeth" not in letter.body_en
    assert letter.audience == Letter.Audience.PEOPLE
    # No subject line is usual: noted, and nothing about it holds the import back.
    parsed = parse_letter(letter_text(name))
    assert held_back(parsed.notices) == []
    assert any("no subject line" in n.message for n in parsed.notices)


def test_both_references_on_one_line_as_the_letterhead_sets_them_side_by_side():
    text = letter_text("real-shape-fm-petitions-FM-05433-16.txt").replace(
        "Eich cyf/Your ref: P-05-712\nEin cyf/Our ref:",
        "Eich cyf/Your ref: P-05-712 Ein cyf/Our ref:",
    )
    parsed = parse_letter(text)
    assert (parsed.reference, parsed.their_reference) == ("FM -/05433/16", "P-05-712")
    assert parsed.addressee == "Mike Hedges AM"


def test_a_reply_to_a_committee_chair_with_headings_in_its_body(forum):
    name = "real-shape-fm-to-committee-chair-2018.txt"
    import_letter(text=letter_text(name), source_name=name, forum=forum)
    letter = Letter.objects.get(source_document=name)
    assert letter.date == datetime.date(2018, 3, 29)
    assert letter.addressee == "Ann Jones AM"
    assert letter.addressee_address.splitlines()[:2] == [
        "Chair",
        "Committee for the Scrutiny of the First Minister",
    ]
    assert letter.salutation_en == "Dear Ann,"
    # The first paragraph is a sentence, so the heading further down is not the subject.
    assert letter.subject_en == ""
    body = letter.body_en.split("\n\n")
    assert body[1] == "Welsh Government support for businesses participating in trade missions"
    assert (letter.sender_titles_cy, letter.sender_titles_en) == (
        "Prif Weinidog Cymru",
        "First Minister of Wales",
    )


def test_a_welsh_letter_with_a_text_box_and_its_subject_above_the_salutation(forum):
    name = "real-shape-committee-chair-to-fm-cy-2015.txt"
    parsed = parse_letter(letter_text(name))
    # The addressee's text box comes first; the letter is signed by the committee's chair.
    assert parsed.addressee == "Y Gwir Anrhydeddus Carwyn Jones AC"
    assert parsed.addressee_address == ["Prif Weinidog Cymru", "Llywodraeth Cymru"]
    assert parsed.sender_name == "Christine Chapman AC / AM"
    assert (parsed.titles_cy, parsed.titles_en) == (["Cadeirydd"], [])
    assert parsed.date == datetime.date(2015, 7, 2)
    assert (parsed.subject_cy, parsed.subject) == ("Sesiwn dystiolaeth: y Gymraeg", "")
    assert (parsed.salutation_cy, parsed.closing_cy) == ("Annwyl Brif Weinidog", "Yn gywir,")
    assert parsed.body == []
    assert parsed.body_cy[2].startswith("- y wybodaeth ddiweddaraf am yr hyn a gyflawnwyd")
    assert held_back(parsed.notices) == []

    import_letter(text=letter_text(name), source_name=name, forum=forum)
    letter = Letter.objects.get(source_document=name)
    assert letter.subject_cy == "Sesiwn dystiolaeth: y Gymraeg" and letter.body_en == ""


def test_a_committee_letter_with_the_date_at_the_end_of_the_address(forum):
    name = "real-shape-committee-to-fm-2016.txt"
    parsed = parse_letter(letter_text(name))
    assert parsed.date == datetime.date(2016, 3, 18)
    assert parsed.addressee == "Rt Hon Carwyn Jones AM"
    # "Welsh Government" inside the address block is the addressee's, not a letterhead.
    assert parsed.addressee_address == [
        "First Minister",
        "Welsh Government",
        "Ty Hywel, Cardiff Bay",
        "Cardiff CF99 1NA",
    ]
    assert parsed.subject == "MEETING ON 26 FEBRUARY 2016"
    assert parsed.sender_name == "Christine Chapman AC / AM"
    assert (parsed.titles_cy, parsed.titles_en) == (["Cadeirydd"], ["Chair"])
    assert parsed.body[2:4] == ["- Legislative Programme", "- First Minister's Delivery Unit"]
    assert parsed.cc == ["Members of the Committee"]

    import_letter(text=letter_text(name), source_name=name, forum=forum)
    letter = Letter.objects.get(source_document=name)
    assert [c.as_written for c in letter.cc.order_by("order")] == ["Members of the Committee"]


def test_a_letter_to_dear_colleagues_signed_with_welsh_and_english_titles(forum):
    name = "real-shape-committee-legacy-dear-colleagues-2015.txt"
    import_letter(text=letter_text(name), source_name=name, forum=forum)
    letter = Letter.objects.get(source_document=name)
    assert letter.date == datetime.date(2015, 7, 31)
    assert (letter.reference, letter.addressee) == ("", "")
    assert letter.salutation_en == "Dear Colleagues"
    assert letter.subject_en == "Committee Legacy"
    assert letter.sender_name == "Christine Chapman AC / AM"
    assert (letter.sender_titles_cy, letter.sender_titles_en) == ("Cadeirydd", "Chair")
    assert len(letter.body_en.split("\n\n")) == 3
    assert letter.audience == Letter.Audience.ALL_MEMBERS


def test_a_welsh_letter_to_a_cabinet_secretary_signed_by_several_with_a_cc_list_below(forum):
    name = "real-shape-reply-to-cabinet-secretary-cy-2017.txt"
    parsed = parse_letter(letter_text(name))
    assert parsed.date == datetime.date(2017, 11, 20)
    assert parsed.addressee == "Lesley Griffiths AC"
    assert parsed.addressee_address == [
        "Ysgrifennydd y Cabinet dros yr Amgylchedd a Materion Gwledig",
        "Llywodraeth Cymru",
    ]
    assert parsed.subject_cy == "Nodyn Cyngor Technegol 20 (Hydref 2017)"
    assert len(parsed.body_cy) == 5 and parsed.body == []
    # "Name (Post, Organisation)": the name signs, the post is its title.
    assert parsed.sender_name == "Ieuan Wyn"
    assert parsed.titles_cy[0] == "Ysgrifennydd, Cylch yr Iaith"
    # "cc" on a line of its own, the list in the paragraph below it.
    assert parsed.cc[0] == "Y Gwir Anrhydeddus Carwyn Jones AC, Prif Weinidog Cymru"
    assert parsed.cc[-1] == "Llyr Huws Gruffydd AC" and len(parsed.cc) == 6
    # The co-signatories have no place in the record: the reviewer is told.
    assert [n.line for n in parsed.notices if n.holds_back] == [24]

    import_letter(text=letter_text(name), source_name=name, forum=forum)
    letter = Letter.objects.get(source_document=name)
    assert letter.cc.count() == 6 and letter.sender_titles_cy.startswith("Ysgrifennydd")


@pytest.mark.django_db
def test_numbered_actions_with_their_fields_on_labelled_lines_below():
    text = "\n".join(
        [
            "Hate Crime Action Plan 2024-25",
            "",
            "1.1 The Board considered an update on the plan at its meetings.",
            "",
            "Priority 1: Prevention",
            "",
            "1.1 We will publish guidance on reporting hate crime.",
            "Lead: Welsh Government; Victim Support Cymru",
            "Timescale: March 2025",
            "",
            "1.2 We will fund community cohesion officers in every region.",
            "Lead organisation: Welsh Government",
            "Progress: On track – all posts filled",
        ]
    )
    parsed = parse_delivery_plan(text)
    assert [(a.title, [x.reference for x in a.actions]) for a in parsed.areas()] == [
        ("Prevention", ["1.1", "1.2"])
    ]
    first, second = parsed.actions()
    assert first.text == "We will publish guidance on reporting hate crime."
    assert (first.lead_names, first.timescale) == (
        ["Welsh Government", "Victim Support Cymru"],
        "March 2025",
    )
    assert second.update == "On track – all posts filled" and parsed.has_updates
