import codecs
import gzip

from copydesk.decode import declared_charset, decode, sniff_binary


def test_utf8_plain():
    d = decode("<p>Grüße</p>".encode("utf-8"))
    assert d.text == "<p>Grüße</p>" and d.encoding == "utf-8" and not d.warnings


def test_bom_wins_over_meta():
    raw = codecs.BOM_UTF16_LE + '<meta charset="iso-8859-1"><p>Ça va</p>'.encode("utf-16-le")
    d = decode(raw)
    assert "Ça va" in d.text and d.encoding == "utf-16"


def test_declared_charset_used_when_bytes_fit():
    raw = '<meta charset="windows-1251"><p>Привет мир</p>'.encode("cp1251")
    assert "Привет мир" in decode(raw).text


def test_lying_meta_utf8_on_cp1252_bytes():
    raw = '<meta charset="utf-8"><p>Müller und Söhne, Straße, Café, naïve</p>'.encode("cp1252")
    d = decode(raw)
    assert "Müller" in d.text and "Straße" in d.text
    assert any("does not fit" in w for w in d.warnings)


def test_missing_charset_latin1_detected():
    raw = ("<html><body><p>" + "Le cœur a ses raisons que la raison ne connaît point. " * 20 + "</p>").encode("cp1252")
    assert "connaît" in decode(raw).text


def test_header_charset_beats_meta():
    raw = '<meta charset="utf-8"><p>\xe9t\xe9</p>'.encode("latin-1")
    assert declared_charset(raw, "text/html; charset=ISO-8859-1") == "cp1252"
    assert "été" in decode(raw, "text/html; charset=ISO-8859-1").text


def test_binary_sniffed():
    assert sniff_binary(b"\x89PNG\r\n\x1a\n....") == "png image"
    assert sniff_binary(b"%PDF-1.4 ...") == "pdf document"
    assert sniff_binary(bytes(range(256)) * 4) == "binary data"
    assert sniff_binary(b"<html><body>hello</body></html>") is None


def test_gzipped_input_inflated():
    d = decode(gzip.compress("<p>zipped ü</p>".encode("utf-8")))
    assert d.text == "<p>zipped ü</p>"


def test_stray_bytes_in_utf8_kept_as_utf8():
    raw = ("<p>" + "naïve café " * 200 + "</p>").encode("utf-8") + b"\xff"
    d = decode(raw)
    assert d.encoding == "utf-8" and "naïve" in d.text and "\ufffd" in d.text
