"""Finding and creating organisations, people, the forum and its roles from text as the documents
write it. Importers and the editing pages both go through here, so one spelling never becomes two
organisations.
"""

import re
import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.utils.text import slugify

from directory.known_organisations import CHAIR, KNOWN_ORGANISATIONS, OWNER_ROLES, WELSH_GOVERNMENT
from directory.models import (
    Forum,
    Membership,
    MembershipRole,
    Organisation,
    OrganisationAlias,
    OwnerRole,
    Person,
    normalise_name,
)
from wrc.lib.importing import ImportReport, ensure_object

# How an organisation that attends meetings belongs to the forum. Police and criminal justice
# bodies attend at the chair's invitation to brief members, so they are observers, not members;
# Welsh Government teams support the forum as officials.
MEMBERSHIP_ROLE_BY_KIND = {
    Organisation.Kind.GOVERNMENT: MembershipRole.OFFICIAL,
    Organisation.Kind.GOVERNMENT_TEAM: MembershipRole.OFFICIAL,
    Organisation.Kind.POLICE: MembershipRole.OBSERVER,
    Organisation.Kind.PUBLIC_BODY: MembershipRole.MEMBER,
    Organisation.Kind.THIRD_SECTOR: MembershipRole.MEMBER,
    Organisation.Kind.OTHER: MembershipRole.MEMBER,
}

POST_NOMINALS = re.compile(r"\s+(?:AS/MS|MS/AS|MS|AS|MP|MBE|OBE|CBE)\.?$")
WG_TEAM = re.compile(r"^(?:WG|Welsh Government)\s*\((?P<team>.+)\)$", re.IGNORECASE)
WITH_ACRONYM = re.compile(r"^(?P<name>.+?)\s*\((?P<short>[A-Z][A-Za-z&]{1,11})\)$")
# Words around lead organisations that name no organisation.
FILLER = re.compile(
    r"\b(?:external training\s+)?in collaboration with\b|\bwith support from\b|\bsupported by\b",
    re.IGNORECASE,
)
SEPARATORS = re.compile(r"\s*(?:,|/|\(|\)|\||;|\band\b|&)\s*", re.IGNORECASE)


@dataclass(frozen=True)
class KnownOrganisation:
    name: str
    short: str
    aliases: tuple
    kind: str
    parent: str

    def spellings(self):
        return [self.name, *self.aliases] + ([self.short] if len(self.short) >= 3 else [])


KNOWN = [KnownOrganisation(**entry) for entry in KNOWN_ORGANISATIONS]
KNOWN_BY_KEY = {
    normalise_name(spelling): known for known in KNOWN for spelling in known.spellings()
}


def known_organisation(name: str) -> KnownOrganisation | None:
    return KNOWN_BY_KEY.get(normalise_name(name))


# --- splitting text into organisation names ------------------------------------------------


def _fold(text: str) -> str:
    """Lower case without accents, one character for each character of ``text``."""
    return "".join((unicodedata.normalize("NFKD", ch)[:1] or ch).lower() for ch in text)


def _pattern(spelling: str) -> re.Pattern:
    words = [
        ("(?:and|&)" if w == "and" else re.escape(w)) for w in normalise_name(spelling).split()
    ]
    return re.compile(r"(?<![a-z0-9])" + r"[^a-z0-9]+".join(words) + r"(?![a-z0-9])")


SPELLING_PATTERNS = sorted(
    ((len(normalise_name(s)), _pattern(s), known) for known in KNOWN for s in known.spellings()),
    key=lambda entry: -entry[0],
)


def split_organisation_names(text: str) -> list[str]:
    """The organisations named in a lead or owner text, in order, without repeats.

    Known names are matched first, longest first, so a known name containing a comma or "and"
    ("Social Data Science Lab, Cardiff University") stays whole; what is left is split on commas,
    "and", "/" and brackets.
    """
    original = " ".join(text.split())
    folded = _fold(original)
    found = []  # (position, name)
    for _length, pattern, known in SPELLING_PATTERNS:
        for match in pattern.finditer(folded):
            start, end = match.span()
            found.append((start, known.name))
            folded = folded[:start] + "|" * (end - start) + folded[end:]
            original = original[:start] + "|" * (end - start) + original[end:]
    position = 0
    for piece in SEPARATORS.split(original):
        position = original.find(piece, position) if piece else position
        name = " ".join(FILLER.sub(" ", piece).split()).strip(" .-–")
        if name and re.search(r"[A-Za-z]", name):
            found.append((position, name))
    names, seen = [], set()
    for _position, name in sorted(found, key=lambda entry: entry[0]):
        key = normalise_name(name)
        if key not in seen:
            seen.add(key)
            names.append(name)
    return names


# --- organisations -------------------------------------------------------------------------


def _alias_ensure(organisation: Organisation, spelling: str) -> None:
    key = normalise_name(spelling)
    if not key or key == organisation.normalised_name:
        return
    if OrganisationAlias.objects.filter(normalised=key).exists():
        return
    if Organisation.objects.filter(normalised_name=key).exists():
        return
    OrganisationAlias.objects.create(organisation=organisation, alias=spelling)


def _create_known(known: KnownOrganisation, *, report: ImportReport) -> Organisation:
    parent = organisation_ensure(name=known.parent, report=report) if known.parent else None
    organisation = ensure_object(
        Organisation,
        lookup={"name": known.name},
        defaults={"short_name": known.short, "kind": known.kind, "parent": parent},
        report=report,
    )
    for alias in known.aliases:
        _alias_ensure(organisation, alias)
    return organisation


def _create_unknown(name: str, *, report: ImportReport) -> Organisation:
    name = " ".join(name.split())
    defaults = {"kind": Organisation.Kind.OTHER, "short_name": ""}
    canonical = name
    if team := WG_TEAM.match(name):
        canonical = team["team"].strip()
        defaults["kind"] = Organisation.Kind.GOVERNMENT_TEAM
        defaults["parent"] = organisation_ensure(name=WELSH_GOVERNMENT, report=report)
    elif acronym := WITH_ACRONYM.match(name):
        canonical, defaults["short_name"] = acronym["name"], acronym["short"]
    existing = Organisation.objects.resolve(canonical)
    organisation = existing or ensure_object(
        Organisation, lookup={"name": canonical}, defaults=defaults, report=report
    )
    _alias_ensure(organisation, name)
    return organisation


def organisation_ensure(*, name: str, report: ImportReport | None = None) -> Organisation:
    """The organisation ``name`` means, created (under its canonical name, with its aliases and
    parent) if the directory does not have it yet."""
    report = report or ImportReport("directory")
    key = normalise_name(name)
    if key not in report.organisations:
        report.organisations[key] = _organisation_find_or_create(name, report=report)
    return report.organisations[key]


def _organisation_find_or_create(name: str, *, report: ImportReport) -> Organisation:
    known = known_organisation(name)
    if known is not None:
        for spelling in known.spellings():
            found = Organisation.objects.resolve(spelling)
            if found is not None:
                _alias_ensure(found, name)
                return found
        return _create_known(known, report=report)
    return Organisation.objects.resolve(name) or _create_unknown(name, report=report)


def organisations_from_text(*, text: str, report: ImportReport | None = None) -> list:
    """The separate, de-duplicated organisations a lead text such as "Welsh Government and Welsh
    Police Forces, Hate Crime Criminal Justice Board" names."""
    organisations = []
    for name in split_organisation_names(text):
        organisation = organisation_ensure(name=name, report=report)
        if organisation not in organisations:
            organisations.append(organisation)
    return organisations


# --- people, the forum and its roles -------------------------------------------------------


def person_name_without_post_nominals(text: str) -> str:
    return POST_NOMINALS.sub("", " ".join(text.split()))


def person_resolve(text: str) -> Person | None:
    """The person ``text`` names ("Jane Hutt MS", "Jane Hutt AS/MS"), or None."""
    name = person_name_without_post_nominals(text)
    if not name:
        return None
    if normalise_name(text) in {normalise_name(w) for w in CHAIR["written"]}:
        name = CHAIR["full_name"]
    return Person.objects.filter(full_name__iexact=name).first()


def chair_person_ensure(*, report: ImportReport) -> Person:
    """The chair the documents name, as a person."""
    return ensure_object(
        Person,
        lookup={"full_name": CHAIR["full_name"]},
        defaults={
            "honorific": CHAIR["honorific"],
            "title_en": CHAIR["title_en"],
            "title_cy": CHAIR["title_cy"],
            "organisation": organisation_ensure(name=CHAIR["organisation"], report=report),
        },
        report=report,
    )


def chair_ensure(*, forum: Forum, report: ImportReport) -> Person:
    """The forum's chair as a person, holding the chair membership."""
    chair = chair_person_ensure(report=report)
    membership_ensure(forum=forum, person=chair, role=MembershipRole.CHAIR, report=report)
    return chair


class ForumChoiceError(Exception):
    """No forum was named while several exist, or the name is not a forum's."""

    def __init__(self, message: str, *, unknown: bool = False):
        self.unknown = unknown
        super().__init__(message)


def forum_names() -> str:
    return ", ".join(f'"{name}"' for name in Forum.objects.values_list("name", flat=True))


def forum_choose(*, name: str | None = None, create: bool = False) -> Forum | None:
    """The forum that a document's records go in, for the importers' ``--forum``.

    No name: the only forum when there is one, the first forum (None, see ``forum_ensure``) when
    there is none yet; several forums and no name is refused, so that records never land in a
    forum by accident. A name is looked up as ``Forum.lookup`` does; an unknown one is refused,
    unless ``create``: then an unsaved forum of that name, which ``forum_ensure`` saves inside
    the import's transaction (so a dry run creates nothing).
    """
    if not name:
        forums = list(Forum.objects.all()[:2])
        if len(forums) > 1:
            raise ForumChoiceError(f"Name the forum: there are several ({forum_names()}).")
        return forums[0] if forums else None
    forum = Forum.lookup(name)
    if forum is not None:
        return forum
    if not Forum.objects.exists() and slugify(name) == slugify(settings.FORUM_NAME):
        return None  # the first forum, on an installation that has none yet
    if create:
        return Forum(name=" ".join(name.split()))
    known = forum_names() or "none yet"
    raise ForumChoiceError(
        f'There is no forum called "{name}". The forums are: {known}.', unknown=True
    )


def _is_first_forum(forum: Forum) -> bool:
    return forum.slug == slugify(settings.FORUM_NAME)


def forum_ensure(*, report: ImportReport, forum: Forum | None = None) -> Forum:
    """``forum`` (the first forum by default; saved if new) with the roles that own actions in
    its notes. The chair the documents name is the first forum's: another forum's chair is
    recorded by officials, though the person is known everywhere (the notes name them)."""
    if forum is None:
        forum = Forum.default()
    elif forum.pk is None:
        forum.save()
        report.created[str(Forum._meta.verbose_name_plural)] += 1
    for role in OWNER_ROLES:
        ensure_object(
            OwnerRole,
            lookup={"forum": forum, "name": role["name"]},
            defaults={"category": role["category"], "aliases": list(role["aliases"])},
            report=report,
        )
    if _is_first_forum(forum):
        chair_ensure(forum=forum, report=report)
    else:
        chair_person_ensure(report=report)
    return forum


def membership_ensure(*, forum, role, report, organisation=None, person=None) -> Membership:
    """A membership for the organisation or person, unless they already belong in some role
    (an official may have changed it; the documents do not say otherwise)."""
    existing = Membership.objects.filter(
        forum=forum, organisation=organisation, person=person
    ).first()
    if existing is not None:
        return existing
    membership = Membership.objects.create(
        forum=forum, organisation=organisation, person=person, role=role
    )
    report.created[str(Membership._meta.verbose_name_plural)] += 1
    return membership


def membership_for_attendee(*, forum, organisation, report) -> Membership:
    role = MEMBERSHIP_ROLE_BY_KIND.get(organisation.kind, MembershipRole.MEMBER)
    return membership_ensure(forum=forum, organisation=organisation, role=role, report=report)
