"""The organisations the forum's documents name, as an official would write them.

Each entry gives the canonical name, the short name or acronym, the other spellings found in the
documents (typos included, so that they resolve instead of creating duplicates), the kind, and the
parent for teams that are part of a larger body. Importers consult this list before creating an
organisation; officials can add aliases in the admin afterwards.

Membership of the forum for organisations that attend meetings follows their kind (see
``directory.services.MEMBERSHIP_ROLE_BY_KIND``).
"""

WELSH_GOVERNMENT = "Welsh Government"

GOV = "government"
TEAM = "government_team"
PUBLIC = "public_body"
POLICE = "police"
THIRD = "third_sector"
OTHER = "other"


def org(name, short="", aliases=(), kind=OTHER, parent=""):
    return {"name": name, "short": short, "aliases": tuple(aliases), "kind": kind, "parent": parent}


def wg_team(name, *written):
    """A Welsh Government team, written in the notes as "WG (…)"."""
    return org(
        name, aliases=[f"WG ({w})" for w in (name, *written)], kind=TEAM, parent=WELSH_GOVERNMENT
    )


KNOWN_ORGANISATIONS = [
    # Government and its teams
    org(WELSH_GOVERNMENT, "WG", ["Llywodraeth Cymru"], GOV),
    org("Sport Wales", aliases=["SportWales", "Chwaraeon Cymru"], kind=PUBLIC),
    wg_team("Equality and Human Rights"),
    wg_team(
        "Race, Faith and Belief and Gypsy, Roma and Traveller Policy Team",
        "Race, Faith and Belief and Gypsy and Roma and Traveller Policy Team",
    ),
    wg_team("Anti-racist Wales Action Plan Policy Team", "ArWAP Policy Team", "ARWAP Policy Team"),
    wg_team("Cohesive Communities Policy Team"),
    wg_team("Strategic Equality and Mainstreaming"),
    wg_team("Cabinet Secretary Private Office"),
    wg_team(
        "First Minister's Group – Cabinet Division",
        "FMG – Cabinet Division",
        "FMG - Cabinet Division",
    ),
    wg_team(
        "First Minister's Group – Special Advisers",
        "FMG – Special Advisors",
        "FMG - Special Advisors",
    ),
    wg_team(
        "Statistical Services Division",
        "CSI - Statistical services Division",
        "CSI – Statistical services Division",
    ),
    wg_team(
        "Economy, Energy and Transport – Bus and Streets",
        "EET – Bus & Streets",
        "EET - Bus & Streets",
    ),
    wg_team(
        "Local Government Policy",
        "LGHCCRA – Local Government Policy",
        "LGHCCRA - Local Government Policy",
    ),
    wg_team("Senedd Reform Team"),
    org(
        "Community Cohesion Co-ordinators",
        aliases=["Regional Community Cohesion Co-ordinators"],
        kind=PUBLIC,
    ),
    org("Local authorities", aliases=["Local Authorities", "Welsh local authorities"], kind=PUBLIC),
    org("Health boards", aliases=["Local Health Boards"], kind=PUBLIC),
    org(
        "Welsh Local Government Association",
        "WLGA",
        [
            "Welsh Local Government Authority (WLGA)",
            "Welsh Local Government Authority",
            "Welsh Local Government Association (WLGA)",
        ],
        PUBLIC,
    ),
    org("Equality and Human Rights Commission", "EHRC", kind=PUBLIC),
    org("Diversity and Anti-Racism Professional Learning", "DARPL", kind=PUBLIC),
    org("Amgueddfa Cymru – Museum Wales", aliases=["Amgueddfa Cymru"], kind=PUBLIC),
    # Police and criminal justice
    org(
        "Welsh Police Forces",
        aliases=["Welsh police forces", "Police forces in Wales"],
        kind=POLICE,
    ),
    org("South Wales Police", kind=POLICE),
    org("Gwent Police", kind=POLICE),
    org("North Wales Police", kind=POLICE),
    org("Dyfed-Powys Police", aliases=["Dyfed Powys Police"], kind=POLICE),
    org("British Transport Police", "BTP", kind=POLICE),
    org(
        "Hate Crime Criminal Justice Board Cymru",
        aliases=["Hate Crime Criminal Justice Board", "Hate Crime Criminal Justice Board Wales"],
        kind=POLICE,
    ),
    org("Crown Prosecution Service", "CPS", kind=POLICE),
    org(
        "HM Courts & Tribunals Service",
        "HMCTS",
        [
            "HM Courts and Tribunal Service",
            "HM Courts and Tribunals Service",
            "Her Majesty's Courts and Tribunals Service",
        ],
        POLICE,
    ),
    org("Ministry of Justice", "MoJ", kind=POLICE),
    org("National Offender Management Service", "NOMS", kind=POLICE),
    org("Community Rehabilitation Company", "CRC", kind=POLICE),
    org(
        "Police and Crime Commissioners",
        aliases=["Police & Crime Commissioners", "PCCs"],
        kind=POLICE,
    ),
    # Universities and others
    org(
        "University of Wales Trinity Saint David",
        "UWTSD",
        [
            "University of Wales, Trinity St. David",
            "University of Wales, Trinity St David",
            "University of Wales Trinity St David",
        ],
        OTHER,
    ),
    org(
        "Social Data Science Lab, Cardiff University",
        aliases=["Social Data Science Lab"],
        kind=OTHER,
    ),
    org("Eliesha Training", aliases=["Elisha Training"], kind=OTHER),
    org("Wales TUC", aliases=["Wales Trades Union Congress"], kind=OTHER),
    # Third sector
    org("Wales Council for Voluntary Action", "WCVA", kind=THIRD),
    org("Victim Support Cymru", aliases=["Victim Support"], kind=THIRD),
    org("Travelling Ahead", kind=THIRD),
    org("Women Connect First", kind=THIRD),
    org("BAWSO", aliases=["Bawso"], kind=THIRD),
    org(
        "North Wales Regional Equality Network",
        "NWREN",
        ["North Wales Regional Equality Network (NWREN)"],
        THIRD,
    ),
    org("Race Equality First", kind=THIRD),
    org("Gypsies and Travellers Wales", kind=THIRD),
    org("KIRAN Cymru", kind=THIRD),
    org(
        "Ethnic Minorities and Youth Support Team",
        "EYST",
        ["Ethnic Minorities and Youth Support Team (EYST)", "EYST Wales"],
        THIRD,
    ),
    org("Show Racism the Red Card", kind=THIRD),
    org("Chinese in Wales Association", "CIWA", ["Chinese in Wales Association (CIWA)"], THIRD),
    org("Diverse Cymru", kind=THIRD),
    org("Privilege Café", kind=THIRD),
    org(
        "Romani Cultural & Arts Company",
        "RCAC",
        ["Romani Cultural & Arts Company (RCAC)", "Romani Arts and Cultural Company"],
        THIRD,
    ),
    org(
        "Networking for World Awareness of Multicultural Integration",
        "NWAMI",
        ["Networking for World Awareness of Multicultural Integration (NWAMI)"],
        THIRD,
    ),
    org("South East Wales Racial Equality Council", "SEWREC", kind=THIRD),
    org("Stonewall Cymru", kind=THIRD),
    org("Youth Cymru", kind=THIRD),
    org("Welsh Refugee Council", kind=THIRD),
    org("Tai Pawb", kind=THIRD),
    org(
        "Taking Flight Theatre",
        aliases=["Taking Flight", "Taking Flight Theatre Forum"],
        kind=THIRD,
    ),
    org("Age Connect North-East Wales", kind=THIRD),
    org("Disability Sport Wales", kind=THIRD),
]

# The forum's chair, as the letter and the notes name her.
CHAIR = {
    "full_name": "Jane Hutt",
    "honorific": "MS",
    "written": ["Jane Hutt MS", "Jane Hutt AS/MS", "Jane Hutt AS", "CSSJTCW"],
    "title_en": "Cabinet Secretary for Social Justice, Trefnydd and Chief Whip",
    "title_cy": "Ysgrifennydd y Cabinet dros Gyfiawnder Cymdeithasol, y Trefnydd a'r Prif Chwip",
    "organisation": WELSH_GOVERNMENT,
}

# Roles that own actions in the notes; the aliases are how the notes' "Action:" lines name them.
OWNER_ROLES = [
    {
        "name": "Secretariat",
        "category": "secretariat",
        "aliases": ["The Secretariat", "Forum secretariat"],
    },
    {
        "name": "Welsh Government Officials",
        "category": "official",
        "aliases": ["Officials", "WG Officials", "Welsh Government officials"],
    },
    {
        "name": "Regional Convenor (North Wales)",
        "category": "official",
        "aliases": [
            "Regional convenor for N Wales",
            "Regional Convenor for North Wales",
            "Regional convenor (N Wales)",
        ],
    },
    {
        "name": "Appointed Forum Member",
        "category": "member",
        "aliases": ["Forum member", "A Forum member", "Appointed Forum member"],
    },
]
