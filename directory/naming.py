"""Telling apart, in text as documents write it, a person's name, a job title, a place and an
organisation: "Riaz Hassan", "Community Cohesion Co-ordinator", "Swansea", "Race Equality First".

Attendance lists run these together ("Riaz Hassan Community Cohesion Co-ordinator, Swansea"), so
the importers need a judgement that does not depend on the directory already knowing the name.
These are heuristics: callers report every guess they act on so that an official can check it.
"""

import re

from directory.known_organisations import KNOWN_ORGANISATIONS

# Forms of address and ranks written before a name.
TITLES = {
    "dr", "cllr", "councillor", "prof", "professor", "mr", "mrs", "ms", "miss", "mx", "rev",
    "revd", "reverend", "rt", "hon", "sir", "dame", "lord", "lady", "baroness", "supt",
    "superintendent", "ch", "chief", "insp", "inspector", "sgt", "pc", "ds", "di", "dci",
    "dcc", "acc", "cc", "bishop", "archbishop", "imam", "rabbi", "father", "fr", "canon",
    "judge", "sheikh", "y", "yr", "parch", "athro",
}  # fmt: skip
POST_NOMINALS = {
    "ms", "as", "mp", "mbe", "obe", "cbe", "kc", "qc", "qpm", "am", "dl", "frsa", "phd",
    "as/ms", "ms/as",
}  # fmt: skip
# Lower-case words that belong inside names ("Dafydd ap Gwyn", "Ursula von der Leyen").
NAME_PARTICLES = {
    "ap",
    "ab",
    "ferch",
    "verch",
    "de",
    "van",
    "von",
    "der",
    "bin",
    "bint",
    "al",
    "el",
}
ORGANISATION_WORDS = {
    "association", "authority", "council", "cyngor", "government", "llywodraeth", "police",
    "heddlu", "forum", "fforwm", "network", "rhwydwaith", "trust", "group", "grŵp", "society",
    "cymdeithas", "team", "tîm", "office", "swyddfa", "service", "services", "gwasanaeth",
    "board", "bwrdd", "commission", "comisiwn", "university", "prifysgol", "college", "coleg",
    "school", "ysgol", "church", "eglwys", "churches", "centre", "canolfan", "foundation",
    "charity", "partnership", "partneriaeth", "alliance", "federation", "union", "agency",
    "division", "department", "directorate", "unit", "company", "ltd", "limited", "cic", "plc",
    "project", "prosiect", "committee", "pwyllgor", "communities", "cymunedau", "institute",
    "sefydliad", "housing", "tai", "cymru", "wales", "welsh", "nhs", "health", "iechyd",
    "fire", "rescue", "ministry", "secretariat", "ysgrifenyddiaeth", "programme", "coalition",
    "collective", "consortium", "mosque", "synagogue", "temple", "gurdwara", "cathedral",
    "diocese", "fellowship", "mission", "club", "league", "panel", "assembly",
    "senedd", "parliament", "court", "prison", "probation", "crown", "prosecution", "tuc",
    "unison", "cymorth", "cefnogi", "support", "action", "aid", "care", "age", "race",
    "equality", "rights", "youth", "women", "refugee", "refugees", "asylum", "travellers",
    "gypsies", "community", "deaf", "disability", "disabled", "blind", "mind", "people", "first",
}  # fmt: skip
JOB_WORDS = {
    "officer", "manager", "co-ordinator", "coordinator", "director", "executive", "head",
    "lead", "adviser", "advisor", "chair", "co-chair", "chairman", "chairperson", "vice-chair",
    "secretary", "minister", "commissioner", "convenor", "convener", "representative",
    "representatives", "clerk", "analyst", "specialist", "worker", "inspector", "constable",
    "superintendent", "deputy", "president", "trustee", "ceo", "founder", "consultant",
    "caseworker", "administrator", "assistant", "champion", "policy", "chief", "cadeirydd",
    "swyddog", "rheolwr", "cyfarwyddwr", "ysgrifennydd", "gweinidog", "cynghorydd",
    "cydlynydd", "pennaeth", "member", "members", "aelod", "volunteer", "researcher",
    "partner", "principal", "senior", "trainee", "apprentice", "intern", "academic",
    "lecturer", "professor", "bishop", "archbishop", "imam", "rabbi", "vicar", "priest",
    "pastor", "trefnydd", "whip", "mentor", "facilitator", "organiser", "organizer",
}  # fmt: skip
# Places a job title is often followed by ("Community Cohesion Co-ordinator, Swansea"): a place
# on its own names no organisation.
PLACES = {
    "wales", "cymru", "north wales", "south wales", "mid wales", "west wales", "east wales",
    "south east wales", "south west wales", "north east wales", "north west wales",
    "mid and west wales", "cardiff", "caerdydd", "swansea", "abertawe", "newport",
    "casnewydd", "wrexham", "wrecsam", "gwent", "dyfed", "powys", "gwynedd", "anglesey",
    "ynys môn", "conwy", "denbighshire", "flintshire", "ceredigion", "pembrokeshire",
    "carmarthenshire", "bridgend", "vale of glamorgan", "rhondda cynon taf", "merthyr tydfil",
    "caerphilly", "blaenau gwent", "torfaen", "monmouthshire", "neath port talbot",
    "bangor", "aberystwyth", "st davids", "llandudno", "rhyl", "barry", "cwm taf",
    "cardiff and vale", "aneurin bevan", "betsi cadwaladr", "hywel dda", "swansea bay",
    "england", "uk", "united kingdom", "london",
}  # fmt: skip
# Words that begin the names of bodies but not people's surnames ("Free Church Council of
# Wales", "Sikh Council of Wales", "South Wales Jewish Representative Council"): where a row runs
# a name into its organisation, the organisation starts at one of these.
ORGANISATION_LEADING_WORDS = {
    "free", "hindu", "muslim", "sikh", "jewish", "buddhist", "evangelical", "catholic",
    "baptist", "methodist", "anglican", "interfaith", "inter-faith", "bahá’í", "baha’i", "bahai",
    "national", "royal", "british", "united", "independent", "older", "young", "children's",
    "children’s", "older people's", "north", "south", "east", "west", "mid", "central",
    "greater", "all", "international", "regional", "local", "public", "citizens", "victim",
    "victims", "romani", "gypsy", "traveller", "show", "tell", "stonewall", "oxfam", "cytun",
    "cardiff", "swansea", "newport", "wrexham", "gwent", "dyfed-powys", "diverse", "ethnic",
    "minority", "black", "asian", "lgbt", "lgbtq+", "trans", "deaf", "blind", "learning",
    "representing",
}  # fmt: skip
ACRONYM = re.compile(r"^[A-Z][A-Z0-9&]{1,9}$")
MIXED_ACRONYM = re.compile(r"^(?=(?:.*[A-Z]){2})[A-Z][A-Za-z&]{1,9}$")
INITIAL = re.compile(r"^[A-Z]\.?$")
# Endings of abstract nouns that no surname or given name has ("Generations", "Relations",
# "Partnerships", "Communications").
COMMON_NOUN_ENDING = re.compile(r"(?:tions?|sions|ments|ships?|isms?|olog(?:y|ies))$")
WORD = re.compile(r"[\w'’&-]+")


def _name_word(word: str) -> bool:
    """ "Evans", "Llŷr", "O'Brien", "McColgan", "Lloyd-Williams", "Nor'dzin": a capital, then
    letters, with apostrophes and hyphens between them; never all capitals (an acronym)."""
    parts = word.split("-")
    if re.search(r"['’]s$", word):
        return False  # a possessive: "Permanent Secretary’s Office"
    if len(word) > 5 and COMMON_NOUN_ENDING.search(word.lower()):
        return False  # "Future Generations Board Champion" names a post, not a person
    letters = [p for p in re.split(r"[-'’]", word) if p]
    if not word[0].isupper() or not all(p.isalpha() for p in letters) or word.isupper():
        return False
    return all(p[:1].isupper() for p in parts[1:])


def _words(text: str) -> list[str]:
    return " ".join(text.replace(",", " ").split()).split(" ") if text.strip() else []


def _lower_words(text: str) -> set[str]:
    return {w.lower().strip("'’") for w in WORD.findall(text)}


def strip_titles(text: str) -> tuple[str, str]:
    """(the name without leading titles and trailing post-nominals, the titles as written)."""
    words = _words(text)
    titles = []
    while len(words) > 1 and words[0].lower().rstrip(".") in TITLES:
        titles.append(words.pop(0))
    while len(words) > 1 and words[-1].lower().rstrip(".") in POST_NOMINALS:
        words.pop()
    return " ".join(words), " ".join(titles)


def looks_like_person_name(text: str) -> bool:
    """Two to four capitalised words ("Riaz Hassan", "Siân Llŷr", "Dafydd ap Gwyn"), or a title
    and a surname ("Dr Patel", "Cllr Jones"); never words that name an organisation or a post."""
    text = " ".join(text.split())
    if not text or any(ch.isdigit() for ch in text) or "(" in text or ":" in text:
        return False
    name, titles = strip_titles(text)
    words = name.split()
    if not words or len(words) > 4 or words[0].lower() == "the":
        return False  # "The Privilege Cafe" is a body
    capitals = [w for w in words if w.lower() not in NAME_PARTICLES]
    if any(not (_name_word(w) or INITIAL.match(w)) for w in capitals):
        return False
    if any(w.lower().strip("'’") in ORGANISATION_WORDS | JOB_WORDS for w in capitals):
        return False
    if name.lower() in PLACES or all(INITIAL.match(w) for w in capitals):
        return False
    if len(capitals) == 1:
        return bool(titles) and not INITIAL.match(capitals[0])
    return not INITIAL.match(capitals[-1])


def looks_like_job_title(text: str) -> bool:
    """A post rather than a body: "Community Cohesion Co-ordinator", "Head of Policy", "Chief
    Executive", "TUS representative". A post held in a body ("Chief Executive, WCVA") is still a
    job title; see ``organisation_in`` for the body."""
    words = [w.lower().strip("'’,.") for w in _words(text)]
    if not words:
        return False
    first = words[0]
    last = words[-1].split("-")[-1] if words[-1] not in JOB_WORDS else words[-1]
    if words in (["secretariat"], ["ysgrifenyddiaeth"], ["officials"], ["swyddogion"]):
        return True  # the role the forum's staff hold, not a body of its own
    if first in ("office", "swyddfa", "wg", "welsh", "llywodraeth") and "of" in words[:3]:
        return False  # "Office of the Police and Crime Commissioner" is a body
    if last in JOB_WORDS or words[-1] in JOB_WORDS:
        return True
    if first in JOB_WORDS and first not in ("policy", "member", "members", "partner"):
        return True
    # "Cabinet Secretary for Social Justice", "Head of Policy", "Minister for Social Partnership"
    return any(
        word in JOB_WORDS and following in ("for", "of", "to", "dros", "y", "yr")
        for word, following in zip(words, words[1:], strict=False)
    )


def looks_like_place(text: str) -> bool:
    return " ".join(text.lower().split()).strip(".") in PLACES


def _known(text: str) -> bool:
    key = " ".join(text.lower().split())
    for known in KNOWN_ORGANISATIONS:
        spellings = [known.get("name", ""), known.get("short", ""), *known.get("aliases", ())]
        if any(key == " ".join(s.lower().split()) for s in spellings if s):
            return True
    return False


def looks_like_organisation(text: str) -> bool:
    """A body: a known organisation, an acronym ("WLGA", "EYST"), a name with its acronym
    ("Race Council Cymru (RCC)"), or words that name bodies ("Council", "Trust", "Police")."""
    text = " ".join(text.split())
    if not text:
        return False
    if _known(text):
        return True
    if looks_like_place(text) or looks_like_job_title(text) or looks_like_person_name(text):
        return False
    words = _words(text)
    if any(ACRONYM.match(w.strip("()")) for w in words):
        return True
    return bool(_lower_words(text) & ORGANISATION_WORDS)


def organisation_in(text: str) -> str:
    """The organisation part of "Job title, Organisation" (or of a bare organisation); "" when
    the text is a post, a post and a place, or a person."""
    text = " ".join(text.split())
    parts = split_outside_brackets(text, ",")
    if not looks_like_job_title(parts[0]) and not looks_like_place(parts[0]):
        return "" if looks_like_person_name(text) else text
    for start in range(1, len(parts)):
        rest = ", ".join(parts[start:])
        if looks_like_place(rest) or looks_like_job_title(parts[start]):
            continue
        if looks_like_person_name(rest):
            return ""
        return rest
    # "Deputy Minister and Chief Whip, Welsh Government" is caught above; "Head of Policy at
    # WLGA" names its body after "at".
    if match := re.search(r"\b(?:at|with|for|yn)\s+(?P<body>[A-Z].+)$", parts[-1]):
        body = match["body"]
        if looks_like_organisation(body):
            return body
    return ""


def split_outside_brackets(text: str, separator: str) -> list[str]:
    parts, depth, start = [], 0, 0
    for index, char in enumerate(text):
        depth += {"(": 1, ")": -1, "[": 1, "]": -1}.get(char, 0)
        if depth == 0 and text.startswith(separator, index):
            parts.append(text[start:index].strip())
            start = index + len(separator)
    parts.append(text[start:].strip())
    return [p for p in parts if p] or [""]


def initials_of(name: str) -> str:
    """ "SE" for "Sarah Evans", "DaG" is not attempted: the capital letters of the name's words."""
    name, _ = strip_titles(name)
    return "".join(w[0] for w in name.replace("-", " ").split() if w[0].isupper())


def starts_like_organisation(text: str) -> bool:
    """Whether ``text`` begins the way a body's name or a post begins: an acronym, a place, or
    a word that names bodies or posts ("Churches Together…", "Head of…", "WLGA", "Sikh Council…").
    Used to find where a person's name ends in a row that runs the two together."""
    words = _words(text)
    if not words:
        return False
    first = words[0].strip("()'’,.:")
    key = first.lower()
    if ACRONYM.match(first) or MIXED_ACRONYM.match(first) and not _name_word(first):
        return True
    if key in ORGANISATION_WORDS | JOB_WORDS | ORGANISATION_LEADING_WORDS:
        return True
    return any(" ".join(w.lower() for w in words[:n]) in PLACES for n in (1, 2, 3))
