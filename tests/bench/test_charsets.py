"""The charset-recovery bench: cases made from UTF-8 pages, scored per decoder."""
from copydesk.bench import charsets
from copydesk.bench.datasets import Page

TEXT = ("<html><head><title>Caf\u00e9</title></head><body><p>\u2018Never again,\u2019 she said \u2013 "
        "the caf\u00e9 stays shut.</p></body></html>")


def _page(html: str, key: str = "1") -> Page:
    return Page(id=key, dataset="wcxb-dev", html=html.encode("utf-8"), url=None, host="example.com",
                page_type="article")


def test_cases_are_legacy_bytes_of_the_page_with_declarations_defused():
    page = _page(TEXT.replace("<head>", '<head><meta charset="utf-8">'))
    bare = list(charsets.cases([page], lying=False, per_codec=5))
    assert {c for c, _, _ in bare} >= {"cp1252", "cp1250"}  # charsets that hold every character
    for codec, raw, text in bare:
        assert raw.decode(codec) == text and 'charset="' not in text and "charsex" in text
    lying = dict((c, t) for c, _, t in charsets.cases([page], lying=True, per_codec=5))
    assert lying["cp1252"].count('<meta charset="utf-8">') == 1


def test_pages_that_stay_valid_utf8_or_ascii_make_no_case():
    assert list(charsets.cases([_page("<p>plain ascii</p>")], lying=False)) == []


def test_report_scores_copydesk_and_the_utf8_baseline_on_every_condition():
    report = charsets.run_charsets([_page(TEXT), _page(TEXT.replace("shut", "closed"), "2")], per_codec=2)
    for condition in charsets.CONDITIONS:
        assert f"#### {condition}" in report
    header = next(line for line in report.splitlines() if line.startswith("| charset |"))
    columns = [c.strip() for c in header.strip("|").split("|")]
    row = next(line for line in report.splitlines() if line.startswith("| cp1252 |"))
    cells = dict(zip(columns, (c.strip() for c in row.strip("|").split("|"))))
    assert cells["cases"] == "2" and cells["copydesk"] == "1.00" and cells["utf-8, replacing"] == "0.00"
