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


def test_single_byte_page_with_few_non_ascii_bytes_is_not_utf8():
    # Three curly quotes in a Windows-1252 page: invalid UTF-8 bytes, few of them, and not one valid
    # multi-byte sequence. Read as UTF-8 they would become replacement characters.
    body = "<p>" + "The council met on Tuesday to discuss the harbour plans. " * 40 + "</p>"
    raw = ("<html><body>" + body + "<p>\u2018Never again,\u2019 she said \u2013 twice.</p></body></html>").encode("cp1252")
    d = decode(raw)
    assert d.encoding == "cp1252" and "\u2018Never again,\u2019 she said \u2013 twice." in d.text
    assert "\ufffd" not in d.text


def test_short_western_text_under_a_lying_utf8_label_reads_as_windows_1252():
    # charset-normalizer ranks cp775, cp1250, cp1252 and cp1257 alike on this; the web's default wins.
    raw = '<html><head><meta charset=utf-8></head><body><p>Caf\xe9 na\xefve r\xe9sum\xe9 </p></body></html>'.encode("latin-1")
    assert "Café naïve résumé" in decode(raw).text


def test_undeclared_central_european_and_cyrillic_pages_keep_their_charsets():
    polish = ("<html><body><p>Rada miejska w Łodzi zebrała się we wtorek, aby omówić plany przebudowy portu. "
              "Według wójta gminy, prace rozpoczną się wiosną, a zakończą się jesienią przyszłego roku. "
              "Mieszkańcy zgłaszali wątpliwości dotyczące hałasu i utrudnień w ruchu drogowym. "
              "Zażółć gęślą jaźń – powiedział przewodniczący na zakończenie posiedzenia.</p></body></html>").encode("cp1250")
    assert "Mieszkańcy zgłaszali wątpliwości dotyczące hałasu" in decode(polish).text
    russian = ("<p>" + "Городской совет обсудил планы реконструкции порта. " * 30 + "</p>").encode("cp1251")
    assert "Городской совет" in decode(russian).text


def test_undeclared_east_asian_pages_with_few_such_characters():
    # Mostly English markup with one line of Chinese or Japanese: too little for charset-normalizer's
    # language measures, enough for uchardet's byte-sequence models.
    filler = "<p>" + "The council met on Tuesday to discuss the harbour plans. " * 40 + "</p>"
    for text, charset in (("<p>\u6e2f\u53e3\u7ba1\u7406\u5c40\u5468\u56db\u8868\u793a\u3002</p>", "gb18030"),
                          ("<p>\u6e2f\u6e7e\u5c40\u306f\u6728\u66dc\u65e5\u306b\u767a\u8868\u3057\u307e\u3057\u305f\u3002</p>", "shift_jis")):
        page = "<html><body>" + filler + text + "</body></html>"
        assert decode(page.encode(charset)).text == page, charset


def test_utf16_without_byte_order_mark_is_text():
    page = "<html><body><p>Grüße aus Köln – " + "the pier reopens on Monday. " * 20 + "</p></body></html>"
    for enc in ("utf-16-le", "utf-16-be"):
        raw = page.encode(enc)
        assert sniff_binary(raw) is None
        d = decode(raw)
        assert d.text == page and d.encoding == enc
    assert sniff_binary(bytes(range(256)) * 8) == "binary data"  # zeros, but not in every other byte


def test_utf8_bytes_are_handed_on_only_when_they_are_the_text_exactly():
    data = "<p>Grüße</p>".encode("utf-8")
    assert decode(data).utf8 is data
    assert decode(codecs.BOM_UTF8 + data).utf8 is None
    assert decode("<p>Grüße</p>".encode("cp1252")).utf8 is None
    assert decode(data + b"\xff caf\xc3\xa9 \xc3\xa9t\xc3\xa9").utf8 is None  # stray byte replaced


def test_text_decoded_twice_is_counted_and_repaired():
    from copydesk.decode import fix_mojibake, mojibake_hits
    good = "The café’s owner said — in French — « à bientôt »."
    as_cp1252 = good.encode("utf-8").decode("cp1252", "replace")   # "cafÃ©â€™s"
    as_latin1 = good.encode("utf-8").decode("latin-1")             # "â" and C1 controls for "’"
    assert mojibake_hits(good) == 0 and mojibake_hits("SÃO PAULO, A DIVISÃO") == 0
    assert mojibake_hits(as_cp1252) >= 4 and mojibake_hits(as_latin1) >= 4
    assert fix_mojibake(as_cp1252) == good and fix_mojibake(as_latin1) == good
    assert fix_mojibake(good) == good


def _small_ftfy(step):
    """ftfy, with fix_text cutting lines longer than `step` characters (as it cuts lines of 1M)."""
    import ftfy

    class Small:
        @staticmethod
        def TextFixerConfig():  # ftfy's name
            return ftfy.TextFixerConfig(max_decode_length=step)

        @staticmethod
        def fix_text(text, **kw):
            return ftfy.fix_text(text, max_decode_length=step, **kw)
    return Small


def test_fix_all_mends_only_the_lines_ftfy_could_change_and_gives_its_text():
    """`_fix_text` skips the lines of printable ASCII without "&": the string of ftfy.fix_text,
    including its one state (no HTML entities from the first piece holding a "<" on)."""
    import random

    import ftfy

    from copydesk.decode import _fix_text
    atoms = ["plain words", "\n", "\n\n", "&amp;", "&lt;b&gt;", "<", "café", "cafÃ©", "â€™", "\x00", "\x1b[31m", "\r",
             "\x85", "\u2028", "“quoted”", "ﬁne", "ＬＯＵＤ", "&eacute;", "x" * 23, "\ufeff", "\u200b", "&"]
    rnd = random.Random(3)
    cases = ["", "ascii only\nlines\n", "caf&eacute;\n<b>bold</b>\nP&eacute;rez\n",
             "&amp; before\nâ€™ mojibake <\n&amp;"]
    cases += ["".join(rnd.choice(atoms) for _ in range(rnd.randint(1, 30))) for _ in range(3000)]
    for text in cases:
        assert _fix_text(ftfy, text) == ftfy.fix_text(text, normalization="NFC"), repr(text)
        small = _small_ftfy(7)  # long lines cut into pieces: the "<" state starts mid-line
        assert _fix_text(small, text) == small.fix_text(text, normalization="NFC"), repr(text)
