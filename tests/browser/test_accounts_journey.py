"""Bringing a forum's people in, through a real browser: the secretariat imports a contact list
with two bad rows and invites everyone it could import; a member opens the emailed link,
chooses a password and finds their actions; an official signs in with a code from their
authenticator app; an address that was locked out for wrong passwords cannot lock the member
out from another address behind the TLS proxy."""

import csv
import io
import re
from urllib.parse import urlsplit

import pytest
from axes.models import AccessAttempt
from django.core import mail
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from directory.models import AuditEvent, Membership, Organisation, Person
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery"  # what factories.UserFactory sets
MEMBER_PASSWORD = "Llanfair pwll gwyngyll 1868"
# Behind the TLS proxy (the live server's peer, 127.0.0.1), each person's own address arrives in
# X-Forwarded-For.
SECRETARIAT_OFFICE = "192.0.2.20"
MEMBER_HOME = "203.0.113.10"
ATTACKER = "198.51.100.66"
OFFICIAL_OFFICE = "192.0.2.30"

HEADINGS = [
    "Name", "Job title", "Email", "Phone", "Organisation", "Role", "Forums",
    "Preferred language", "Main contact",
]  # fmt: skip
FORUM = "Wales Race Forum"
# A contact list as the secretariat keeps it: organisations already in the directory and new
# ones, Welsh names with their accents, a person with no email address, a language the import
# does not know (a note, not an error), and two rows that cannot be imported: a second row with
# an email address already used above, and an address that is not one.
ROWS = [
    ["Siân Prys-Jones", "Policy Officer", "sian.prys-jones@taipawb.example", "029 2053 7630",
     "Tai Pawb", "member", FORUM, "Cymraeg", "yes"],
    ["Gwenllïan Môn", "Chief Executive", "gwenllian@eyst.example", "01792 466980",
     "EYST Wales", "chair", FORUM, "Welsh", "yes"],
    ["Llŷr ap Dafydd", "Community Cohesion Co-ordinator", "llyr.apdafydd@gwynedd.example", "",
     "Cyngor Gwynedd", "member", FORUM, "cy", "yes"],
    ["Uzo Iwobi", "Founder", "uzo@racecouncil.example", "", "Race Council Cymru", "member",
     FORUM, "English", ""],
    ["Dafydd Ifans", "Hate Crime Officer", "dafydd.ifans@northwales-police.example",
     "01492 517171", "North Wales Police", "observer", FORUM, "", "yes"],
    ["Priya Sharma", "Equality Lead", "priya.sharma@cardiff-council.example", "",
     "Cardiff Council", "member", FORUM, "English", "yes"],
    ["Angharad Ellis", "Caseworker", "angharad@taipawb.example", "", "Tai Pawb", "member",
     FORUM, "Cymraeg", ""],
    ["Tariq Hussain", "Director", "tariq@mewn.example", "", "MEWN Cymru", "member", FORUM, "",
     "yes"],
    ["Rhodri Ll. Williams", "Head of Partnerships", "RHODRI.WILLIAMS@WLGA.example", "",
     "Welsh Local Government Association (WLGA)", "member", FORUM, "English", "yes"],
    ["Ffion Hughes", "Project Manager", "ffion.hughes@displaced-people.example", "",
     "Displaced People in Action", "member", FORUM, "Cymraeg", "yes"],
    ["Iolo Gruffudd", "Volunteer Co-ordinator", "", "07700 900123", "Cymdeithas Gymraeg Caerdydd",
     "member", FORUM, "Welsh", "yes"],
    ["Eleri Siôn", "Researcher", "eleri.sion@eyst.example", "", "EYST Wales", "member", FORUM,
     "Gaelic", ""],
    ["Abdul Rahman", "Imam", "abdul.rahman@swansea-mosque.example", "",
     "Swansea Mosque", "member", FORUM, "", "yes"],
    ["Meinir Wyn Thomas", "Engagement Officer", "meinir.thomas@citizensadvice.example", "",
     "Citizens Advice Cymru", "member", FORUM, "Cymraeg", "yes"],
    ["Hywel ab Owain", "Inspector", "hywel.abowain@dyfed-powys.example", "",
     "Dyfed-Powys Police", "observer", FORUM, "", "yes"],
    ["Nerys Llewelyn", "Coordinator", "nerys@bawso.example", "", "BAWSO", "member", FORUM,
     "English", "yes"],
    ["Sion Ellis", "Youth Worker", "sion.ellis@eyst.example", "", "EYST Wales", "member", FORUM,
     "", ""],
    ["Catrin Lŵsi Davies", "Policy Adviser", "catrin.davies@wcva.example", "",
     "WCVA", "member", FORUM, "Cymraeg", "yes"],
    ["Emrys Puw", "Councillor", "emrys.puw@powys.example", "", "Powys County Council", "member",
     FORUM, "Welsh", "yes"],
    ["Lowri Rhys", "Support Worker", "lowri.rhys@taipawb.example", "", "Tai Pawb", "member",
     FORUM, "", ""],
    # A second row with an address already on a row above: an error.
    ["Ffion Hughes-Parry", "Trustee", "FFION.HUGHES@displaced-people.example", "",
     "Displaced People in Action", "member", FORUM, "", ""],
    ["Gethin Jenkins", "Equality Officer", "gethin.jenkins@swansea-council.example", "",
     "Swansea Council", "member", FORUM, "English", "yes"],
    ["Heledd Fychan", "Campaigns Manager", "heledd@showracism.example", "",
     "Show Racism the Red Card Wales", "member", FORUM, "Cymraeg", "yes"],
    ["Owain Glyn", "Officer", "owain.glyn@victimsupport.example", "", "Victim Support Cymru",
     "member", FORUM, "", "yes"],
    ["Mererid Hâf", "Chair", "mererid@wrc-trust.example", "", "Race Equality First",
     "member", FORUM, "Welsh", "yes"],
    # Not an email address: an error.
    ["Branwen Ifor", "Caseworker", "branwen.ifor at victimsupport", "", "Victim Support Cymru",
     "member", FORUM, "", ""],
    ["Aled Roberts", "Development Officer", "aled.roberts@urdd.example", "", "Urdd Gobaith Cymru",
     "member", FORUM, "Cymraeg", "yes"],
    ["Bethan Morgan", "Safeguarding Lead", "bethan.morgan@gwent-police.example", "",
     "Gwent Police", "observer", FORUM, "", "yes"],
    ["Ieuan Wyn", "Project Officer", "ieuan.wyn@taipawb.example", "", "Tai Pawb", "member",
     FORUM, "", ""],
    ["Cerys Matthews", "Outreach Worker", "cerys.matthews@ethnic-youth.example", "",
     "Ethnic Minorities and Youth Support Team", "member", FORUM, "English", ""],
    ["Gruffydd Ŵyn", "Chair of Trustees", "gruffydd@bawso.example", "", "BAWSO", "member", FORUM,
     "Cymraeg", ""],
    ["Mali Ffrancon", "Operations Manager", "mali.ffrancon@cardiff-council.example", "",
     "Cardiff Council", "member", FORUM, "", ""],
]  # fmt: skip
# Line numbers in the file: the headings are line 1.
DUPLICATE_LINE = 1 + next(n for n, row in enumerate(ROWS, 1) if row[0] == "Ffion Hughes-Parry")
BAD_EMAIL_LINE = 1 + next(n for n, row in enumerate(ROWS, 1) if row[0] == "Branwen Ifor")
IMPORTED = len(ROWS) - 2
# The member who opens their invitation below: a Tai Pawb caseworker.
MEMBER_EMAIL = "angharad@taipawb.example"


def contact_list() -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADINGS)
    writer.writerows(ROWS)
    # Excel's "CSV UTF-8" starts with a byte-order mark.
    return "\ufeff".encode() + buffer.getvalue().encode("utf-8")


def app_for(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="Phone", confirmed=True)


def code_of(device: TOTPDevice) -> str:
    """The code the person's authenticator app shows now."""
    device.refresh_from_db()
    value = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    return f"{value:0{device.digits}d}"


@pytest.fixture
def cast(db, settings):
    settings.MFA_REQUIRED_FOR_STAFF = True
    settings.TRUSTED_PROXIES = 1
    forum = factories.ForumFactory()
    tai_pawb = factories.OrganisationFactory(name="Tai Pawb")
    race_council = factories.OrganisationFactory(name="Race Council Cymru")
    # Already in the directory before the import: the row for her matches by email.
    uzo = factories.PersonFactory(
        full_name="Uzo Iwobi", email="uzo@racecouncil.example", organisation=race_council
    )
    secretariat = factories.secretariat_user(forum=forum, username="sian", first_name="Siân")
    official = factories.official_user(username="olwen", first_name="Olwen")
    action = factories.ActionItemFactory(
        meeting=factories.MeetingFactory(forum=forum),
        text="Share Tai Pawb's housing and race equality findings with the Forum",
        owner_organisation=tai_pawb,
        owner_text="Tai Pawb",
    )
    return {
        "forum": forum,
        "tai_pawb": tai_pawb,
        "uzo": uzo,
        "secretariat": secretariat,
        "secretariat_app": app_for(secretariat),
        "official": official,
        "official_app": app_for(official),
        "action": action,
    }


def from_address(page, address):
    """Requests from now on reach the application through the proxy on behalf of ``address``."""
    page.set_extra_http_headers({"X-Forwarded-For": address})


def enter_password(page, base_url, username, password):
    page.goto(f"{base_url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.get_by_role("button", name="Sign in").click()


def sign_in_with_code(page, base_url, username, device):
    enter_password(page, base_url, username, PASSWORD)
    expect(page.get_by_role("heading", name="Enter your code")).to_be_visible()
    page.fill("input[name=code]", code_of(device))
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_text(re.compile("Signed in as"))).to_be_visible()


def sign_out(page):
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()


def secretariat_imports_and_invites(page, base_url, cast, screenshot):
    from_address(page, SECRETARIAT_OFFICE)
    sign_in_with_code(page, base_url, "sian", cast["secretariat_app"])
    page.goto(f"{base_url}/directory/people/")
    page.get_by_role("link", name="Import or export people (CSV or Excel)").click()
    page.set_input_files(
        "input[type=file]",
        files=[{"name": "forum-contacts.csv", "mimeType": "text/csv", "buffer": contact_list()}],
    )
    page.get_by_role("button", name="Upload and check").click()

    # The preview: every row's outcome, the two bad ones by their line, nothing saved yet.
    expect(page.get_by_role("heading", name="Check the people to import")).to_be_visible()
    errors = page.locator(".govuk-error-summary")
    expect(errors).to_contain_text(f"Row {DUPLICATE_LINE}:")
    expect(errors).to_contain_text("also on row")
    expect(errors).to_contain_text(f"Row {BAD_EMAIL_LINE}:")
    expect(errors).to_contain_text("is not a valid email address")
    expect(errors.locator("li")).to_have_count(2)
    uzo_row = page.locator("tr", has_text="uzo@racecouncil.example")
    expect(uzo_row).to_contain_text("Matches by email")
    expect(page.locator("tr", has_text="Gwenllïan Môn")).to_contain_text("New organisation")
    expect(page.locator("tr", has_text="Eleri Siôn")).to_contain_text("“Gaelic” is not a language")
    assert not Person.objects.filter(email__iexact=MEMBER_EMAIL).exists()
    screenshot("secretariat-import-preview")
    page.get_by_role("button", name=f"Import {IMPORTED} people").click()

    summary = page.get_by_text(re.compile("people added"))
    expect(summary).to_contain_text(f"{IMPORTED - 1} people added")
    expect(summary).to_contain_text("1 person updated")
    expect(summary).to_contain_text(
        f"Rows {min(DUPLICATE_LINE, BAD_EMAIL_LINE)}, {max(DUPLICATE_LINE, BAD_EMAIL_LINE)} "
        "had errors and were skipped"
    )
    screenshot("secretariat-imported")

    # Invite everyone the list offers: those with an email address and no account yet.
    boxes = page.locator("input[name=person]")
    expect(boxes).to_have_count(IMPORTED - 1)  # Iolo Gruffudd has no email address
    for index in range(boxes.count()):
        boxes.nth(index).check()
    page.get_by_role("button", name="Invite selected").click()
    expect(page.get_by_text(f"{IMPORTED - 1} invitations have been sent.")).to_be_visible()
    screenshot("secretariat-invited")
    sign_out(page)


def test_the_secretariat_brings_people_in_and_a_member_and_an_official_sign_in(
    browser_page, live_server, cast, screenshot
):
    page, base_url = browser_page, live_server.url
    secretariat_imports_and_invites(page, base_url, cast, screenshot)

    # What the import saved: everyone but the two bad rows, each in the forum, with their
    # accents; Uzo matched by email rather than added twice; no language guessed from "Gaelic".
    imported = Person.objects.filter(memberships__forum=cast["forum"]).exclude(
        user=cast["secretariat"]
    )
    assert imported.count() == IMPORTED
    assert not Person.objects.filter(full_name__in=["Ffion Hughes-Parry", "Branwen Ifor"]).exists()
    assert Person.objects.filter(full_name="Uzo Iwobi").get() == cast["uzo"]
    assert Person.objects.get(full_name="Gruffydd Ŵyn").preferred_language == "cy"
    assert Person.objects.get(full_name="Eleri Siôn").preferred_language == "en"
    assert Organisation.objects.filter(name="Tai Pawb").count() == 1
    assert Membership.objects.filter(forum=cast["forum"], role="observer").count() == 3

    # One invitation each, in the person's language; none for the person without an email.
    by_address = {message.to[0].lower(): message for message in mail.outbox}
    assert len(mail.outbox) == IMPORTED - 1 == len(by_address)
    assert not Person.objects.get(full_name="Iolo Gruffudd").user_id

    def language_of(address):
        return by_address[address].extra_headers["Content-Language"].split("-")[0]

    assert language_of("gwenllian@eyst.example") == "cy"
    assert language_of("priya.sharma@cardiff-council.example") == "en"

    # The member opens the emailed link, chooses a password and is signed in.
    from_address(page, MEMBER_HOME)
    link = re.search(r"https?://\S+/accounts/invitation/\S+/", by_address[MEMBER_EMAIL].body)
    assert link, by_address[MEMBER_EMAIL].body
    page.goto(base_url + urlsplit(link.group(0)).path)
    expect(page.get_by_role("heading", name="Choose your password")).to_be_visible()
    expect(page.get_by_text(f"Your username is {MEMBER_EMAIL}")).to_be_visible()
    page.fill("input[name=new_password1]", MEMBER_PASSWORD)
    page.fill("input[name=new_password2]", MEMBER_PASSWORD)
    screenshot("member-chooses-password")
    page.get_by_role("button", name="Save the password").click()
    expect(page.get_by_text("Your password is saved and you are signed in.")).to_be_visible()
    sign_out(page)

    # The link worked once.
    page.goto(base_url + urlsplit(link.group(0)).path)
    expect(page.get_by_role("heading", name="This invitation link no longer works")).to_be_visible()

    # Signing in with the new password; the member's organisation's action is theirs.
    enter_password(page, base_url, MEMBER_EMAIL, MEMBER_PASSWORD)
    expect(page.get_by_text(re.compile("Signed in as"))).to_be_visible()
    page.get_by_role("link", name="My actions", exact=True).click()
    expect(page.get_by_role("link", name=cast["action"].text, exact=True)).to_be_visible()
    screenshot("member-my-actions")
    sign_out(page)

    # Someone elsewhere guesses the member's password until their address is locked out ...
    from_address(page, ATTACKER)
    for guess in ("Password123!", "TaiPawb2025", "angharad1", "Cymru4ever", "Summer2026!"):
        enter_password(page, base_url, MEMBER_EMAIL, guess)
    enter_password(page, base_url, MEMBER_EMAIL, MEMBER_PASSWORD)
    expect(page.get_by_role("heading", name="Signing in is paused")).to_be_visible()
    screenshot("attacker-locked-out")
    # ... which does not lock the member out from home.
    from_address(page, MEMBER_HOME)
    enter_password(page, base_url, MEMBER_EMAIL, MEMBER_PASSWORD)
    expect(page.get_by_text(re.compile("Signed in as"))).to_be_visible()
    sign_out(page)
    member = Person.objects.get(email__iexact=MEMBER_EMAIL).user
    assert AccessAttempt.objects.filter(username=member.username, ip_address=ATTACKER).exists()
    assert not AccessAttempt.objects.filter(ip_address=MEMBER_HOME).exists()

    # An official signs in with a code from their app and reads the record of it all.
    from_address(page, OFFICIAL_OFFICE)
    sign_in_with_code(page, base_url, "olwen", cast["official_app"])
    page.goto(f"{base_url}/directory/audit/")
    accepted = page.locator("tbody tr", has_text="Invitation accepted")
    expect(accepted).to_contain_text("Angharad Ellis")
    expect(accepted).to_contain_text(MEMBER_HOME)
    sign_ins = page.locator("tbody tr", has_text="Sign-in failed")
    # The five guesses and the right password refused while signing in was paused.
    expect(sign_ins.filter(has_text=ATTACKER)).to_have_count(6)
    screenshot("official-audit")
    events = AuditEvent.objects.filter(actor=member)
    assert set(events.values_list("kind", flat=True)) >= {
        AuditEvent.Kind.INVITATION_ACCEPTED,
        AuditEvent.Kind.SIGN_IN,
    }
    assert events.filter(kind=AuditEvent.Kind.SIGN_IN, ip_address=MEMBER_HOME).exists()
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.INVITATION_SENT).count() == IMPORTED - 1
