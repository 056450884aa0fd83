"""The letter's page shows the letter as it was sent: letterhead, references with the letter's
own bilingual labels, addressee and address, date, body, sign-off with name and titles, cc and
enclosures, and the letterhead's contact lines, in the letter's order, with headings and no
layout tables. Checked against the seed letter and letters of other shapes."""

import datetime
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings

from correspondence.importers import import_letter
from correspondence.models import Letter
from tests import factories

pytestmark = pytest.mark.django_db

SEEDS = Path(settings.BASE_DIR) / "data" / "seeds"
SEED = SEEDS / "letter-2025-01-30-JH-PO-31-2025.txt"
LETTERS = Path(__file__).parent / "documents" / "letters"


BLOCKS = {"p", "div", "dt", "dd", "li", "h1", "h2", "h3", "h4", "br", "section", "header",
          "footer", "address", "ul", "dl", "article"}  # fmt: skip


class LetterReader(HTMLParser):
    """The text of the page's <article data-letter> as a reader gets it (inline pieces run
    together, blocks apart), each piece with the language it is marked with (the nearest lang
    attribute); and every tag and link inside it."""

    def __init__(self):
        super().__init__()
        self.depth = 0  # inside the article when > 0
        self.languages = ["?"]
        self.raw = []
        self.pieces: list[tuple[str, str]] = []
        self.tags: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.languages = [attrs.get("lang", "?")]
        if tag == "article" and "data-letter" in attrs:
            self.depth = 1
        elif self.depth and tag != "br":
            self.depth += 1
        if self.depth:
            self.tags.append(tag)
            if tag == "a":
                self.links.append(attrs.get("href", ""))
            if tag in BLOCKS:
                self.raw.append(" ")
        if tag != "br":
            self.languages.append(attrs.get("lang") or self.languages[-1])

    def handle_endtag(self, tag):
        if self.depth:
            if tag in BLOCKS:
                self.raw.append(" ")
            self.depth -= 1
        if len(self.languages) > 1:
            self.languages.pop()

    def handle_data(self, data):
        if self.depth:
            self.raw.append(data)
            if data.strip():
                self.pieces.append((" ".join(data.split()), self.languages[-1]))

    @property
    def text(self) -> str:
        return " ".join("".join(self.raw).split())

    def language_of(self, text: str) -> str:
        return next(lang for piece, lang in self.pieces if text in piece)


def letter_page(client, user, letter, language="en"):
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(letter.get_absolute_url())
    assert response.status_code == 200
    reader = LetterReader()
    reader.feed(response.content.decode())
    return reader, response.content.decode()


def imported(path: Path) -> Letter:
    import_letter(text=path.read_text(encoding="utf-8"), source_name=path.name)
    return Letter.objects.get(source_document=path.name)


def seed_line(path: Path, starts: str) -> str:
    """The line of the letter's text that starts with ``starts``, read from the document."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(" ".join(line.split()) for line in lines if line.startswith(starts))


def in_order(text: str, parts: list[str]) -> None:
    positions = []
    for part in parts:
        assert part in text, part
        positions.append(text.index(part, positions[-1] if positions else 0))
    assert positions == sorted(positions)


@pytest.fixture
def seed_letter(db):
    return imported(SEED)


def test_the_seed_letter_reads_as_it_was_sent(client, member, seed_letter):
    letter = seed_letter
    page, _html = letter_page(client, member, letter)
    body = letter.body_en.split("\n\n")
    address, *contact = [block.split("\n") for block in letter.sender_address.split("\n\n")]
    in_order(
        page.text,
        [
            "Jane Hutt AS/MS",
            letter.sender_titles_cy,
            letter.sender_titles_en,
            "Llywodraeth Cymru",
            "Welsh Government",
            seed_line(SEED, "Ein cyf/Our ref"),
            "Wales Race Forum Members",
            "30 January 2025",
            "Dear all,",
            "Support for social media misinformation",
            " ".join(body[0].split()),
            " ".join(body[-1].split()),
            "Yours sincerely,",
            "Jane Hutt AS/MS",
            letter.sender_titles_cy,
            letter.sender_titles_en,
            "WCVA",
            "Police & Crime Commissioners",
            "Draft Misinformation toolkit",
            *(" ".join(line.split()) for line in address),
            *(" ".join(line.split()) for block in contact for line in block),
            letter.welsh_language_statement_cy,
            letter.welsh_language_statement_en,
        ],
    )
    assert "CF99 1SN" in page.text and "0300 0604400" in page.text
    assert "mailto:Gohebiaeth.Jane.Hutt@llyw.cymru" in page.links


def test_the_seed_letters_labels_are_its_own_in_both_languages(client, member, seed_letter):
    page, html = letter_page(client, member, seed_letter)
    assert '<span lang="cy">Ein cyf</span>/<span lang="en">Our ref</span>:' in html
    assert "Reference" not in page.text
    assert page.language_of("Ysgrifennydd y Cabinet") == "cy"
    assert page.language_of("Llywodraeth Cymru") == "cy"
    assert page.language_of("Cabinet Secretary for Social Justice") == "en"
    assert page.language_of("I am writing to let you know") == "en"


def test_the_letter_is_headed_and_laid_out_without_tables(client, member, seed_letter):
    page, html = letter_page(client, member, seed_letter)
    assert "table" not in page.tags
    assert {"h2", "h3", "header", "footer", "address", "dl", "time"} <= set(page.tags)
    assert '<time datetime="2025-01-30">' in html
    headings = re.findall(r"<h([1-3])\b", html)
    assert headings[0] == "1"
    # Headings never skip a level.
    levels = [int(level) for level in headings]
    assert all(b - a <= 1 for a, b in zip(levels, levels[1:], strict=False))


def test_in_welsh_the_interface_changes_and_the_letter_does_not(client, member, seed_letter):
    page, html = letter_page(client, member, seed_letter, language="cy")
    assert '<span lang="cy">Ein cyf</span>/<span lang="en">Our ref</span>:' in html
    assert "30 January 2025" in page.text  # the date as the letter writes it
    assert page.language_of("Dear all,") == "en"
    assert page.language_of("Y llythyr yn Saesneg") == "cy"  # the heading, in the interface's


def test_a_reply_with_both_references_and_an_address_block(client, official):
    path = LETTERS / "your-ref-our-ref-JH-PO-58-2025.txt"
    letter = imported(path)
    assert letter.their_reference and letter.reference
    page, html = letter_page(client, official, letter)
    in_order(
        page.text,
        [
            letter.sender_name,
            f"Eich cyf/Your ref: {letter.their_reference}",
            f"Ein cyf/Our ref: {letter.reference}",
            letter.addressee,
            *letter.addressee_address.split("\n"),
            letter.salutation_en,
        ],
    )
    assert '<span lang="cy">Eich cyf</span>/<span lang="en">Your ref</span>:' in html


def test_a_welsh_only_letter_is_dated_and_signed_in_welsh(client, official):
    path = LETTERS / "welsh-only-DR-0456-25.txt"
    letter = imported(path)
    assert letter.is_welsh_only
    page, _html = letter_page(client, official, letter)
    in_order(
        page.text,
        [
            seed_line(path, "Ein cyf/Our ref"),
            "14 Chwefror 2025",
            "Annwyl bawb,",
            "Yn gywir,",
            "Dafydd Rhys AS/MS",
            "Y Gweinidog Partneriaeth Gymdeithasol",
            "Minister for Social Partnership",
        ],
    )
    assert page.language_of("14 Chwefror 2025") == "cy"
    assert "This letter was written in Welsh only." in page.text


def test_an_english_only_letter_has_english_labels_only(client, official):
    letter = factories.LetterFactory(
        organisation_cy="",
        welsh_language_statement_cy="",
        reference="ABC/1",
        their_reference="XYZ/9",
        date=datetime.date(2024, 6, 5),
        addressee="Ms A Person",
        addressee_address="Chair\nRace Council Cymru\nCardiff",
        sender_address="1 High Street\nNewport\n\nTel: 01633 000000\nequality@example.org",
    )
    page, html = letter_page(client, official, letter)
    assert "Ein cyf" not in html and "Eich cyf" not in html
    in_order(
        page.text,
        [
            "Your ref: XYZ/9",
            "Our ref: ABC/1",
            "Ms A Person",
            "Chair",
            "Race Council Cymru",
            "5 June 2024",
            "1 High Street",
            "Tel: 01633 000000",
        ],
    )
    assert "mailto:equality@example.org" in page.links


def test_a_letter_without_references_shows_no_reference_line(client, official):
    path = LETTERS / "no-reference-communities-division.txt"
    letter = imported(path)
    assert not letter.reference and not letter.their_reference
    page, html = letter_page(client, official, letter)
    assert "data-references" not in html
    assert "Our ref" not in page.text and "None" not in page.text
    in_order(page.text, [letter.sender_name, letter.addressee, letter.salutation_en])
