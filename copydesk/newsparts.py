"""Recognise the structural lines of a news article: byline, dateline, credit, bio.

This module owns text-only signals for a single block (HTML) or line
(scraped text). They are general and cheap, language-aware where that is
cheap (English, German, French, Spanish cue words), and never per-site.
The scorer uses them as features and the assembler to route lines to
``Document.authors`` / ``credits`` / ``bio``.

* ``parse_byline(text)``  → author names or None ("By Jane Doe and John Roe").
* ``is_dateline(text)``   → the line is mostly a date/time ("Updated 3:45 p.m. EST, March 4, 2019").
* ``is_credit(text)``     → contributor/photo credit ("Additional reporting by …", "Photo: … /Getty Images").
* ``bio_author(text, known_authors)`` → the name an author-bio paragraph is about.
"""
from __future__ import annotations

import re
from typing import Iterable

from copydesk.metadata import DATE_SUBSTRING_RE, MONTHS, _norm, clean_authors, is_organisation

# ---------------------------------------------------------------------------
# Constants
# ---------------------------------------------------------------------------

#: A capitalised name word (allows O'Neil, Jean-Luc, McDonald, accented letters, "J.").
_NAME_WORD = r"(?:[A-ZÀ-ÖØ-Þ][\w'’\-]*\.?|[A-ZÀ-ÖØ-Þ]\.)"
#: Lowercase particles allowed inside a name.
_PARTICLE = r"(?:de|da|del|della|di|van|von|der|den|du|la|le|al|el|bin|ibn|ben|dos|das|y|zu|ter)"
NAME_RE = rf"{_NAME_WORD}(?:\s+(?:{_PARTICLE}\s+|{_PARTICLE}-)?{_NAME_WORD}){{1,3}}"

BYLINE_MAX_CHARS = 160
BYLINE_MAX_WORDS = 18
BYLINE_PREFIX_RE = re.compile(
    r"^\s*(?:(?:written|posted|reported|words|text|story|photos?)\s+by|by|von|par|por|door|"
    r"(?:view|see|read|more)\s+(?:all\s+)?(?:posts|articles|stories|entries)\s+(?:by|from)|"
    r"texto\s*:|text\s*:|autor(?:in)?\s*:|auteur\s*:|author\s*:|escrito\s+por|écrit\s+par|"
    r"ein\s+(?:bericht|kommentar|gastbeitrag)\s+von)\s*:?\s*(?=\S)",
    re.IGNORECASE,
)
#: Parts of a byline after the names: agency, date, role.
BYLINE_TAIL_SPLIT_RE = re.compile(r"\s+[|•·—–]\s+|\s*\|\s*|\s+-\s+|\s*\n\s*")
#: "Jane Doe, Staff Writer" (no prefix): a name and a role.
ROLE_WORDS = (r"staff|senior|chief|deputy|associate|contributing|special|foreign|political|"
              r"reporter|correspondent|editor|writer|columnist|contributor|journalist|"
              r"redakteur(?:in)?|korrespondent(?:in)?|autor(?:in)?|reporter(?:in)?|"
              r"journaliste|correspondant(?:e)?|rédact(?:eur|rice)|envoyée?\s+spéciale?|"
              r"periodista|corresponsal|redactor(?:a)?|enviad[oa]\s+especial")
NAME_ROLE_RE = re.compile(rf"^({NAME_RE})\s*,\s*(?:[\w.'’-]+\s+){{0,4}}?(?i:{ROLE_WORDS})\b[\w\s.,'’&-]*$")

DATELINE_MAX_CHARS = 90
DATELINE_MAX_WORDS = 14
#: Words that may surround a date in a dateline.
DATELINE_WORDS = frozenset("""
updated update published posted last modified on at am pm a.m. p.m. est edt cst cdt mst mdt pst pdt
et ct pt gmt utc bst cet cest ist jst aest mez mesz z
monday tuesday wednesday thursday friday saturday sunday mon tue tues wed thu thur thurs fri sat sun
today yesterday ago hour hours minute minutes min mins day days week weeks read time
aktualisiert veröffentlicht erstellt geändert stand am um uhr vor stunden minuten tagen
montag dienstag mittwoch donnerstag freitag samstag sonntag lesezeit
publié mis à jour le à h modifié il y a lundi mardi mercredi jeudi vendredi samedi dimanche
publicado actualizado el a las de hace horas lunes martes miércoles jueves viernes sábado domingo
""".split())
TIME_RE = re.compile(r"\b\d{1,2}[:.h]\d{2}(?:\s*(?:a\.?m\.?|p\.?m\.?|uhr|h))?\b|\b\d{1,2}\s*(?:a\.?m\.?|p\.?m\.?)",
                     re.IGNORECASE)
MONTH_RE = re.compile(rf"\b(?:{MONTHS})\b\.?", re.IGNORECASE)
RELATIVE_RE = re.compile(r"\b\d+\s*(?:min(?:ute)?s?|hours?|hrs?|days?|weeks?|stunden|minuten|tagen|"
                         r"heures|jours|horas|días)\b(?:\s+ago)?", re.IGNORECASE)
NUMERIC_DATE_RE = re.compile(r"\b\d{1,4}[./-]\d{1,2}[./-]\d{2,4}\b")
YEAR_RE = re.compile(r"\b(?:19|20)\d{2}\b")
_DIGIT_RE = re.compile(r"\d")

CREDIT_MAX_CHARS = 300
CREDIT_PATTERNS = [re.compile(p, re.IGNORECASE) for p in (
    r"\bcontributed\s+(?:reporting|research|to\s+(?:this|the)\s+(?:report|article|story))",
    r"\bcontributed\s+reporting\b",
    r"^(?:additional\s+)?(?:reporting|writing|editing|research|fact[- ]checking)\s+by\b",
    r"\b(?:reporting|writing)\s+by\b.*;\s*(?:editing|additional)",
    r"\bediting\s+by\s+[A-Z]",
    r"^\(?\s*(?:reuters|ap|afp|dpa|the associated press|associated press|bloomberg|upi|cnn|"
    r"epd|kna|apa|efe|ansa|sda)\s*\)?\.?$",
    r"^(?:photos?|photograph|image|picture|pictured|illustration|graphic|video|foto|fotos|bild|"
    r"bilder|grafik|illustration|crédit|credit|image credit|photo credit|cover image|top image|"
    r"header image|lead image|featured image)s?\s*(?:credit)?\s*[:©]",
    r"^(?:photo|photograph|image|picture|illustration)s?\s+(?:by|courtesy|via|from)\b",
    r"(?:getty\s+images|via\s+getty|\b(?:shutterstock|istock(?:photo)?|alamy|unsplash|pexels|"
    r"picture[- ]alliance|imago|keystone|sipa)\b|\bap\s+photo\b|\bafp\s+photo\b|reuters/|/reuters\b|/ap\b|"
    r"/afp\b|\bdpa\b/|/dpa\b|epa-efe|\bepa\b/)",
    r"^©|\(c\)\s|©\s*\w",
    r"^(?:mitarbeit|mitarbeit\s*:|mit\s+material\s+(?:von|der)|mit\s+agenturmaterial|"
    r"unter\s+mitarbeit\s+von)\b",
    r"\b(?:a|ont)\s+contribué\s+à\s+(?:cet|ce)\s+(?:article|reportage)",
    r"^(?:avec\s+(?:l'?)?(?:afp|reuters|ap)|avec\s+agences)\b",
    r"\b(?:colaboró|colaboraron|contribuyó|contribuyeron)\s+(?:con|en|a)\s+(?:este|esta)\s+"
    r"(?:informe|reporte|nota|artículo|información)",
    r"^(?:con\s+información\s+de|con\s+informaci[oó]n\s+de)\b",
    r"^(?:this\s+(?:story|article|report)\s+(?:was\s+)?(?:originally\s+)?"
    r"(?:appeared|published|produced|written|reported|updated)|"
    r"a\s+version\s+of\s+this\s+(?:article|story)\s+(?:appeared|was\s+published))",
)]
#: Credit lines that name photo agencies must be short.
PHOTO_AGENCY_MAX_CHARS = 160
#: The CREDIT_PATTERNS searched in short lines only: agency names anywhere in the line, and ©...
_AGENCY_NAMES, _COPYRIGHT = 8, 9
#: ...and the one that matches an agency's name alone ("(Reuters)", "The Associated Press.").
_AGENCY_ALONE = 5
#: A picture credit ("Photo: …", "Photograph by …"; with an agency name: "… /Getty Images") is a
#: credit wherever it stands in the article (`is_media_credit`), not only after its last paragraph.
_MEDIA_RE = re.compile(r"^(?:photo|photograph|foto|image|picture)s?\s*(?:credit)?\s*[:©]", re.IGNORECASE)
_PHOTO_BY = 7  # the CREDIT_PATTERNS entry "Photo by …", "Image courtesy of …"
#: ...and words every match of the agency names holds (case-folded): that regex is the slowest by far.
_AGENCY_KEYS = ("getty", "shutterstock", "istock", "alamy", "unsplash", "pexels", "picture", "imago",
                "photo", "reuters", "/ap", "/afp", "dpa", "epa", "keystone", "sipa")
#: The pre-test of `is_credit` (searching all CREDIT_PATTERNS costs a line 7-24 us): a line can
#: match one of them only when, lower-cased, it holds one of these...
_CREDIT_KEYS = ("contribu", "colabor", "reporting", "writing", "editing", "©", "(c)")
#: ...or opens with one of these (the patterns anchored at the start)...
_CREDIT_OPENINGS = ("additional", "research", "fact", "photo", "image", "picture", "illustration", "graphic",
                    "video", "foto", "bild", "grafik", "crédit", "credit", "cover", "top", "header", "lead",
                    "featured", "mit", "unter", "avec", "con", "this", "a version")
#: ...or may name an agency (`_may_name_agency`). A line with none of them can match only the
#: agency named alone (`_AGENCY_ALONE`), in at most this many characters: "(The Associated Press).".
_CREDIT_SHORT = 30
#: What re.IGNORECASE matches to an ASCII letter but str.lower() does not give: dotless i, long
#: s, and the combining dot of "İ".lower().
_RE_FOLD = str.maketrans({"ı": "i", "ſ": "s", "\u0307": None})
_RE_FOLD_CHARS = tuple(map(chr, _RE_FOLD))

BIO_MAX_CHARS = 800
BIO_MAX_SENTENCES = 4
BIO_ROLE = (r"reporter|correspondent|editor|writer|bureau\s+chief|columnist|journalist|author|"
            r"contributor|critic|producer|photographer|photojournalist|blogger|novelist|"
            r"analyst|commentator|anchor|host|freelancer|staff\s+writer|fellow|"
            r"redakteur(?:in)?|korrespondent(?:in)?|journalist(?:in)?|autor(?:in)?|reporter(?:in)?|"
            r"kolumnist(?:in)?|ressortleiter(?:in)?|"
            r"journaliste|correspondant(?:e)?|rédact(?:eur|rice)|chroniqueu(?:r|se)|"
            r"periodista|corresponsal|redactor(?:a)?|columnista|escritor(?:a)?")
_BIO_HEAD = rf"^\s*({NAME_RE})\s+"
BIO_RE = re.compile(
    _BIO_HEAD + r"(?:"
    rf"(?:is|was|has\s+been|serves\s+as|works\s+as)\s+(?:(?:a|an|the)\s+)?[^.]{{0,120}}?\b(?i:{BIO_ROLE})s?\b"
    r"|covers\b|writes\s+(?:about|on|for)\b|reports\s+on\b|has\s+(?:covered|reported|written)\b"
    r"|joined\s+(?:the|[A-Z])"
    rf"|(?:ist|war)\s+(?:[^.]{{0,80}}?)\b(?i:{BIO_ROLE})\b|schreibt\s+(?:über|für)\b|berichtet\s+(?:über|aus)\b"
    rf"|(?:est|était)\s+(?:[^.]{{0,80}}?)\b(?i:{BIO_ROLE})\b"
    rf"|(?:es|fue)\s+(?:[^.]{{0,80}}?)\b(?i:{BIO_ROLE})\b"
    r")"
)
#: With a known author, a weaker pattern suffices: the paragraph opens with the name + a verb.
BIO_KNOWN_RE = re.compile(_BIO_HEAD + r"(?:is|was|has|covers|writes|reports|joined|ist|est|es)\b")
SENTENCE_END_RE = re.compile(r"[.!?](?:\s+|$)")


# ---------------------------------------------------------------------------
# Functions
# ---------------------------------------------------------------------------


def _words(text: str) -> list[str]:
    return text.split()


def parse_byline(text: str) -> list[str] | None:
    """Author names from a byline line, or None when the line is not a byline.

    Accepts "By Jane Doe and John Roe", "By JANE DOE | Reuters",
    "Von Max Mustermann", "Par Jean Dupont", "Por María López",
    "Jane Doe, Staff Writer". The line must be short (≤ 160 chars,
    ≤ 18 words); after the prefix the first segment (before "|", " - ", "•")
    must read as capitalised names; trailing agency/date segments are ignored
    unless nothing else is named.
    """
    if not text:
        return None
    t = " ".join(text.split())
    if not t or len(t) > BYLINE_MAX_CHARS or len(_words(t)) > BYLINE_MAX_WORDS:
        return None
    m = BYLINE_PREFIX_RE.match(t)
    if m:
        rest = t[m.end():]
        segments = [s for s in BYLINE_TAIL_SPLIT_RE.split(rest) if s.strip()]
        if not segments:
            return None
        head = segments[0]
        # "By the time ..." / "par exemple": the names must be capitalised.
        first = head.split()[0]
        if not (first[:1].isupper() or first.isupper()):
            return None
        names = clean_authors([head])
        names = [n for n in names if _is_name_like(n)]
        if not names:
            # "By Reuters" / "By JANE DOE | Reuters": allow org-only bylines.
            names = [n for n in clean_authors(segments[:2]) if _is_name_like(n, allow_single=True)]
        if not names:
            return None
        # a byline has names, not a sentence: reject when the head has many unexplained words
        leftover = _leftover_words(head, names)
        if leftover > 3:
            return None
        return names
    m2 = NAME_ROLE_RE.match(t) if "," in t else None  # "Jane Doe, Staff Writer": a comma, always
    if m2 and len(_words(t)) <= 10:
        names = clean_authors([m2.group(1)])
        return names or None
    return None


def _is_name_like(name: str, allow_single: bool = False) -> bool:
    words = name.split()
    if not words or len(words) > 5:
        return False
    if len(words) == 1 and not allow_single and not is_organisation(name):
        return False
    caps = sum(1 for w in words if w[:1].isupper())
    return caps >= max(1, len(words) - 1)


def _leftover_words(head: str, names: list[str]) -> int:
    low = _norm(head)
    for n in names:
        low = low.replace(_norm(n), " ")
    filler = {"and", "und", "et", "y", "the", "staff", "writer", "reporter", "editor",
              "correspondent", "senior", "in", "for", "de", "von", "par", "por"}
    return sum(1 for w in low.split() if w not in filler and len(w) > 1)


def is_dateline(text: str) -> bool:
    """True for a short line that is mostly a date and/or time.

    Needs a date (month name + number, numeric date, or a year with a month)
    or a relative time ("3 hours ago"); after removing dates, times and
    dateline words (updated, published, am/pm, time zones, weekdays; German,
    French, Spanish equivalents) at most 2 words may remain.
    """
    if not text or _DIGIT_RE.search(text) is None:  # every date form below holds a digit
        return False
    t = " ".join(text.split())
    if len(t) > DATELINE_MAX_CHARS or len(_words(t)) > DATELINE_MAX_WORDS:
        return False
    has_date = bool(DATE_SUBSTRING_RE.search(t) or NUMERIC_DATE_RE.search(t)
                    or (MONTH_RE.search(t) and YEAR_RE.search(t)) or RELATIVE_RE.search(t))
    if not has_date:
        return False
    rest = DATE_SUBSTRING_RE.sub(" ", t)
    rest = NUMERIC_DATE_RE.sub(" ", rest)
    rest = RELATIVE_RE.sub(" ", rest)
    rest = TIME_RE.sub(" ", rest)
    rest = MONTH_RE.sub(" ", rest)
    rest = YEAR_RE.sub(" ", rest)
    leftover = [w for w in re.split(r"[\s,;:|()\[\]/•·—–-]+", rest.casefold())
                if w and not w.strip(".").isdigit() and w.strip(".") not in DATELINE_WORDS
                and w not in DATELINE_WORDS and w not in (".", "st", "nd", "rd", "th")]
    return len(leftover) <= 2


def is_credit(text: str) -> bool:
    """True for contributor and media credit lines.

    "Ahmed Ramadan in Beirut contributed to this report.", "Additional
    reporting by …", "Reporting by X; Editing by Y", "(Reuters)",
    "Photo: … /Getty Images", "Image credit: …", "Mitarbeit: …",
    "Mit Material von dpa", "… a contribué à cet article", "Con información de …".
    Lines longer than 300 characters never are.
    """
    if not text:
        return False
    t = " ".join(text.split())
    if not t or len(t) > CREDIT_MAX_CHARS:
        return False
    short = len(t) <= PHOTO_AGENCY_MAX_CHARS  # agency names inside long prose are no credit
    agency = short and _may_name_agency(t.casefold())
    low = t.lower()
    if not t.isascii() and any(map(low.__contains__, _RE_FOLD_CHARS)):
        low = low.translate(_RE_FOLD)
    if not (agency or low.startswith(_CREDIT_OPENINGS) or any(map(low.__contains__, _CREDIT_KEYS))):
        # without those words, only an agency named alone can match
        return len(t) <= _CREDIT_SHORT and CREDIT_PATTERNS[_AGENCY_ALONE].search(t) is not None
    for i, pat in enumerate(CREDIT_PATTERNS):
        if i == _AGENCY_NAMES and not agency:
            continue
        if i == _COPYRIGHT and not short:
            continue
        if pat.search(t):
            return True
    return False


def is_media_credit(text: str) -> bool:
    """True for a picture credit line ("Photograph by Ed Marshall", "Photo: Jane Roe/Reuters").

    Lines longer than PHOTO_AGENCY_MAX_CHARS never are (tested before re-spacing: it runs on
    every kept block, most of them long paragraphs)."""
    if not text or len(text) > PHOTO_AGENCY_MAX_CHARS:
        return False
    t = " ".join(text.split())
    if not t:
        return False
    if _MEDIA_RE.search(t) or CREDIT_PATTERNS[_PHOTO_BY].search(t):
        return True
    return _may_name_agency(t.casefold()) and CREDIT_PATTERNS[_AGENCY_NAMES].search(t) is not None


def _may_name_agency(folded: str) -> bool:
    """Whether a case-folded line holds a word every agency-name match needs (a cheap pre-test)."""
    return any(map(folded.__contains__, _AGENCY_KEYS))


def bio_author(text: str, known_authors: Iterable[str] = ()) -> str | None:
    """Name of the person an author-bio paragraph describes, or None.

    A bio opens with a 2–4 word capitalised name followed by "is/was a … "
    + a journalism role (reporter, correspondent, editor, writer, bureau
    chief, columnist, …), or "covers …", "writes about/for …", "reports on
    …", "joined …" (German "ist … Redakteur", "schreibt über"; French "est
    … journaliste"; Spanish "es … periodista"), and has at most 4 sentences
    and 800 characters. When ``known_authors`` contains the opening name, a
    weaker opening ("<name> is/has/covers/…") suffices.
    """
    if not text:
        return None
    t = " ".join(text.split())
    if not t or len(t) > BIO_MAX_CHARS:
        return None
    known = {_norm(a) for a in known_authors if a}
    mk = BIO_KNOWN_RE.match(t) if known else None
    name = _match_known(mk.group(1), known) if mk else None
    m = None if name else BIO_RE.match(t)
    # the opening first (it rarely matches), then the sentences
    if (not name and m is None) or _sentences(t) > BIO_MAX_SENTENCES:
        return None
    if name:
        return name
    name = m.group(1).strip()
    # the captured name may swallow a verb-less prefix; trim to the last 4 words
    words = name.split()
    if len(words) > 4:
        name = " ".join(words[-4:])
    if is_organisation(name):
        return None
    return name


def _sentences(t: str) -> int:
    """How many sentences `t` holds (the pieces between sentence ends that are not blank)."""
    return sum(1 for s in SENTENCE_END_RE.split(t) if s.strip())


def _match_known(candidate: str, known: set[str]) -> str | None:
    """The suffix of `candidate` that equals a known author (case-insensitive)."""
    words = candidate.split()
    for i in range(len(words)):
        sub = " ".join(words[i:])
        if _norm(sub) in known:
            return sub
    return None
