"""Tests for copydesk.newsparts: byline, dateline, credit and bio lines."""
from __future__ import annotations

import pytest

from copydesk.newsparts import bio_author, is_credit, is_dateline, is_media_credit, parse_byline

SEED = "seed/000_0d6a4207ea6a159f.txt"
LOVEDAY_BIO = ("Loveday Morris is The Post's Baghdad bureau chief. She joined The Post in 2013 as a "
               "Beirut-based correspondent. She has previously covered the Middle East for The National, "
               "based in Abu Dhabi, and for the Independent, based in London and Beirut.")


@pytest.mark.parametrize("text,expected", [
    ("By Jane Doe and John Roe", ["Jane Doe", "John Roe"]),
    ("By JANE DOE | Reuters", ["Jane Doe"]),
    ("Von Max Mustermann", ["Max Mustermann"]),
    ("Par Jean Dupont et Marie Curie", ["Jean Dupont", "Marie Curie"]),
    ("Por María López", ["María López"]),
    ("Jane Doe, Staff Writer", ["Jane Doe"]),
    ("Jane Doe, Senior Correspondent", ["Jane Doe"]),
    ("By Jane Doe, Senior Reporter | March 4, 2019", ["Jane Doe"]),
    ("by Jane Doe - Updated 3 hours ago", ["Jane Doe"]),
    ("By Reuters", ["Reuters"]),
    ("Written by Jean-Luc O'Neil", ["Jean-Luc O'Neil"]),
    ("View all posts by Ray Ansari", ["Ray Ansari"]),
])
def test_parse_byline_positive(text, expected):
    assert parse_byline(text) == expected


@pytest.mark.parametrize("text", [
    "By the time we arrived, the talks were over.",
    "by far the largest group of rebels in the province",
    "Par exemple, le gouvernement a annoncé de nouvelles mesures.",
    "Von Anfang an war klar, dass die Gespräche scheitern würden.",
    "Jane Doe said the talks would resume on Tuesday.",
    "Deputy Foreign Minister Faisal Mekdad, speaking to reporters in Geneva",
    "",
    "By " + "word " * 40,
    "The government, meanwhile, blamed “terrorists” for the disruption.",
])
def test_parse_byline_negative(text):
    assert parse_byline(text) is None


@pytest.mark.parametrize("text", [
    "Updated 3:45 p.m. EST, March 4, 2019",
    "Published 12.03.2021",
    "March 4, 2019",
    "Monday, March 4, 2019 10:32 AM",
    "Last modified on 2021-03-04",
    "3 hours ago",
    "Aktualisiert am 12. März 2021, 14:30 Uhr",
    "Veröffentlicht am 04.03.2019",
    "Publié le 4 mars 2019 à 10h30",
    "Mis à jour le 5 avril 2020",
    "Publicado el 4 de marzo de 2019",
    "Actualizado: 04/03/2019 10:30",
    "Published: 2025.12.17",
    "19 Dec, 2025",
    "2022-11-23T08:10+02:00",
])
def test_is_dateline_positive(text):
    assert is_dateline(text)


@pytest.mark.parametrize("text", [
    "The meeting on March 4, 2019 was cancelled by the board after a long debate.",
    "Syrian state news agency SANA said the dead included 42 women, children and elderly people.",
    "In 2013 she joined The Post.",
    "Tuesday",
    "Opposition spokesman Louay al-Safi squarely charged the government.",
    "",
    "Campaign 2016 Email Updates",
])
def test_is_dateline_negative(text):
    assert not is_dateline(text)


@pytest.mark.parametrize("text", [
    "Ahmed Ramadan in Beirut contributed to this report.",
    "Karen DeYoung in Washington contributed reporting.",
    "Additional reporting by Jane Doe in London.",
    "Reporting by John Smith; Editing by Mary Jones",
    "Writing by Jane Doe; editing by John Roe",
    "(Reuters)",
    "AP",
    "Photo: John Smith/Getty Images",
    "Image credit: NASA",
    "Photograph: Jane Doe/Reuters",
    "Photo by Jane Doe on Unsplash",
    "© 2019 The Associated Press",
    "Mitarbeit: Max Mustermann",
    "Mit Material von dpa",
    "Pierre Dupont a contribué à cet article.",
    "Avec AFP",
    "Juan Pérez colaboró en este reporte.",
    "Con información de EFE",
    "A version of this article appeared in print on March 4, 2019.",
])
def test_is_credit_positive(text):
    assert is_credit(text)


@pytest.mark.parametrize("text", [
    "LONDON (Reuters) - The pound fell on Monday as investors weighed the vote.",
    "The report was edited by hand before it was sent to the committee.",
    "He contributed money to the campaign in 2016.",
    "Syrian state news agency SANA said the dead included 42 women.",
    "The photo shows a slain man in military fatigues.",
    "Heat pipes and a vented backplate help with heat dissipation.",  # "sipa" inside a word
    "",
])
def test_is_credit_negative(text):
    assert not is_credit(text)


@pytest.mark.parametrize("text", [
    "ADDİTİONAL REPORTİNG BY JANE DOE",  # "İ".lower() is two code points; re.IGNORECASE matches it to i
    "Reportıng by John Smith; Edıtıng by Mary Jones",  # dotless i
    "Pıcture by Jane Doe",
    "Reuterſ",  # long s
    "PHOTO CREDIT: JANE DOE",
    "Cover image: Jane Doe",
    "\u212aEYSTONE/Jane Doe",  # Kelvin sign
    "He contributed money to the campaign in 2016.",  # a keyword, no credit
    "(Reuters)", "( The Associated Press ).", "BLOOMBERG", "(ſda)", "Apa.",  # an agency alone: short lines
    "Ap", "Reuters News", "(CNN) —", "Home", "Contact us",  # short lines without a keyword, no credit
])
def test_is_credit_pre_test_keeps_what_the_patterns_match(text):
    """The pre-test (keywords of the lower-cased line) never drops a line a credit pattern
    matches, whatever case forms it holds."""
    from copydesk import newsparts
    t = " ".join(text.split())
    short = len(t) <= newsparts.PHOTO_AGENCY_MAX_CHARS
    full = any(p.search(t) for i, p in enumerate(newsparts.CREDIT_PATTERNS)
               if (i != newsparts._AGENCY_NAMES or newsparts._may_name_agency(t.casefold()) and short)
               and (i != newsparts._COPYRIGHT or short))
    assert is_credit(text) == full


@pytest.mark.parametrize("text,expected", [
    ("Photograph by Ed Marshall, Redonda Restoration Programme", True),
    ("Photo: John Smith/Getty Images", True),
    ("Sean Gallup via Getty Images", True),
    ("Image credit: NASA", True),
    ("Graphics: NVIDIA GeForce 8600/9600GT", False),   # a spec sheet line, not a picture credit
    ("Video: the launch, filmed from the pad", False),
    ("Reporting by Jane Roe; Editing by Bob Smith", False),  # a credit, but of the text
    ("The photographer took this picture by the lake in 2019.", False),
])
def test_is_media_credit(text, expected):
    assert is_media_credit(text) is expected


@pytest.mark.parametrize("text,expected", [
    (LOVEDAY_BIO, "Loveday Morris"),
    ("Jane Doe is a staff writer covering technology. Follow her on Twitter.", "Jane Doe"),
    ("John Roe covers the White House for The Times.", "John Roe"),
    ("Mary Ann Smith writes about food and culture.", "Mary Ann Smith"),
    ("Jean-Luc Picard is an award-winning freelance journalist based in Paris.", "Jean-Luc Picard"),
    ("Max Mustermann ist Redakteur im Ressort Politik.", "Max Mustermann"),
    ("Marie Curie est journaliste au service Sciences.", "Marie Curie"),
    ("María López es periodista y corresponsal en Madrid.", "María López"),
])
def test_bio_author_positive(text, expected):
    assert bio_author(text) == expected


def test_bio_author_known_author_is_strong_evidence():
    text = "Jane Doe has spent a decade in Kabul. She previously lived in Cairo."
    assert bio_author(text) is None
    assert bio_author(text, known_authors=["jane doe"]) == "Jane Doe"


@pytest.mark.parametrize("text", [
    "Faisal Mekdad is the deputy foreign minister of Syria.",
    "Opposition spokesman Louay al-Safi squarely charged the government with the attacks.",
    "The Syrian Observatory for Human Rights said 25 people were killed.",
    "Lakhdar Brahimi is a veteran diplomat who has mediated many conflicts.",
    "Jane Doe is a reporter. " * 6,  # too many sentences
    "",
])
def test_bio_author_negative(text):
    assert bio_author(text) is None


def test_seed_article(shared_data):
    text = (shared_data / SEED).read_text(encoding="utf-8")
    paras = [p.strip() for p in text.split("\n\n") if p.strip()]
    credit_i = next(i for i, p in enumerate(paras) if p.startswith("Ahmed Ramadan"))
    assert is_credit(paras[credit_i])
    assert bio_author(paras[credit_i + 1]) == "Loveday Morris"
    assert bio_author(paras[credit_i + 1], known_authors=["Loveday Morris"]) == "Loveday Morris"
    assert not is_credit(paras[credit_i + 1])
    body = paras[2:credit_i]  # after the masthead and the headline
    assert len(body) > 15
    for p in body:
        assert parse_byline(p) is None, p
        assert not is_credit(p), p
        assert bio_author(p) is None, p
        assert not is_dateline(p), p
