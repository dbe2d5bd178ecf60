/* copydesk._linestats: the counting behind textfeatures.base_features, line by line in C, and
 * the columns made from it.
 *
 * textfeatures.py owns the definitions, and its numpy code is the reference: tests check that
 * this module's counts and columns are those of `textfeatures._line_counts_py`, `_columns_py`
 * and `vocab_columns` on every tenth shared rendering. `counts`, per line, clipped to `max_chars`
 * characters (one row of `out`, int64; the columns are textfeatures.COUNTS):
 *
 *   words (runs of non-white-space), ends TERM, ends ":", first character upper-case,
 *   SEP characters among the first `sep_chars`, "https?://|www\.|@|\.com\b" anywhere,
 *   "©" anywhere or "opyright" ending within `copyright_chars`, ". " plus a SENT_END ending,
 *   SPACE characters, upper-case characters after a space or at the start, upper-case
 *   characters, letters, ASCII digits, characters neither letter, digit nor space,
 *   \w+ tokens of the lowercased line, those that are stop words, how many lines of the page
 *   share its repeat key, and whether it is the key's first line.
 *
 * The repeat key is `textfeatures.normalise_line` of the lowercased line's first
 * `copyright_chars` characters. Tokens and keys lowercase code point by code point, which is
 * str.lower() but for U+0130 (two code points) and capital sigma (final form by context):
 * `counts` returns -1 for a page holding either, and numpy counts it.
 *
 * Each token's number in a word table (`table`, built once from a list of words) is written to
 * `wid` (-1: not in it), and its line to `tok_line`.
 *
 * Beside the counting: `columns` turns the counts into the page's feature columns,
 * `vocab_columns` sums the numbered words' log-odds per line, `lines` splits a page into its
 * lines for textmode.segment and `marks` finds its list items and headings, and `any_in` tells
 * textmode.repair_text whether a text holds what it removes (see each).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>

#include "_wordtable.h"

enum { WS = 1, SPACE = 2, DIGIT = 4, UPPER = 8, LETTER = 16, SEP = 32, TERM = 64, SENT_END = 128, DECIMAL = 256 };
enum { C_WORDS, C_TERM, C_COLON, C_UPPER0, C_SEP, C_URL, C_COPY, C_SENT, C_SPACES, C_TITLE, C_UPPERS,
       C_LETTERS, C_DIGITS, C_OTHER, C_TOKENS, C_STOPS, C_REPEAT, C_FIRST, NCOLS };
#define CLASS_LIMIT 0xFFFF

/* ------------------------------------------------------------------ word tables (capsules) */

static void capsule_free(PyObject *cap) {
    table_t *t = PyCapsule_GetPointer(cap, "copydesk.linestats.table");
    table_free(t);
    free(t);
}

/* table(words) -> a word table: word i has the number i. */
static PyObject *py_table(PyObject *self, PyObject *args) {
    PyObject *words;
    if (!PyArg_ParseTuple(args, "O!", &PyList_Type, &words)) return NULL;
    Py_ssize_t n = PyList_GET_SIZE(words);
    table_t *t = malloc(sizeof *t);
    if (!t || table_init(t, (size_t)n) < 0) {
        free(t);
        return PyErr_NoMemory();
    }
    Py_UCS4 *buf = NULL;
    Py_ssize_t buf_cap = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *w = PyList_GET_ITEM(words, i);
        if (!PyUnicode_Check(w)) {
            PyErr_SetString(PyExc_TypeError, "table() takes a list of str");
            goto fail;
        }
        Py_ssize_t len = PyUnicode_GET_LENGTH(w);
        if (len > buf_cap) {
            free(buf);
            buf_cap = len * 2 + 16;
            buf = malloc(buf_cap * sizeof *buf);
            if (!buf) { PyErr_NoMemory(); goto fail; }
        }
        if (!PyUnicode_AsUCS4(w, buf, buf_cap, 0)) goto fail;
        uint64_t h = hash_cps(buf, len);
        if (table_find(t, buf, len, h, 0) >= 0) continue; /* a repeated word keeps its first number */
        Py_ssize_t e = table_find(t, buf, len, h, 1);
        if (e < 0) {
            PyErr_NoMemory();
            goto fail;
        }
        t->slot[e].value = (int32_t)i;
    }
    free(buf);
    PyObject *cap = PyCapsule_New(t, "copydesk.linestats.table", capsule_free);
    if (!cap) { table_free(t); free(t); }
    return cap;
fail:
    free(buf);
    table_free(t);
    free(t);
    return NULL;
}

/* ------------------------------------------------------------------ a page */

static unsigned cls_of(const uint16_t *cls, Py_UCS4 ch) { return cls[ch > CLASS_LIMIT ? CLASS_LIMIT : ch]; }

/* \w: alphanumeric or "_" (ASCII answered without the Unicode tables). */
static inline int is_word_char(Py_UCS4 ch) {
    if (ch < 128) return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_';
    return Py_UNICODE_ISALNUM(ch);
}

/* Py_UNICODE_TOLOWER, ASCII answered at once. */
static inline Py_UCS4 lower_of(Py_UCS4 ch) {
    if (ch < 128) return ch >= 'A' && ch <= 'Z' ? ch + 32 : ch;
    return Py_UNICODE_TOLOWER(ch);
}

/* One token of a line: counted, looked up as a stop word and in the vocabulary. 0, or -1: no room. */
static int emit_token(const Py_UCS4 *tok, Py_ssize_t n, int64_t *r, table_t *stops, table_t *vocab,
                      int64_t *wid, int64_t *tok_line, Py_ssize_t *ntok, Py_ssize_t cap, Py_ssize_t line) {
    uint64_t h = hash_cps(tok, n);
    r[C_TOKENS]++;
    if (table_find(stops, tok, n, h, 0) >= 0) r[C_STOPS]++;
    if (*ntok >= cap) return -1;
    Py_ssize_t e = vocab ? table_find(vocab, tok, n, h, 0) : -1;
    wid[*ntok] = e >= 0 ? vocab->slot[e].value : -1;
    tok_line[(*ntok)++] = line;
    return 0;
}

/* The repeat key in place: `normalise_line` (digit runs to "0", white space collapsed, stripped). */
static Py_ssize_t fold_key(Py_UCS4 *k, Py_ssize_t n) {
    Py_ssize_t o = 0;
    int space = 0, digit = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_UCS4 ch = k[i];
        if (Py_UNICODE_ISSPACE(ch)) {
            space = o > 0;
            digit = 0;
            continue;
        }
        if (space) k[o++] = ' ';
        if (ch < 128 ? ch >= '0' && ch <= '9' : Py_UNICODE_ISDECIMAL(ch)) { /* ASCII answered at once */
            if (!digit || space) k[o++] = '0';
            digit = 1;
        } else {
            k[o++] = ch;
            digit = 0;
        }
        space = 0;
    }
    return o;
}

static int matches(const Py_UCS4 *cp, Py_ssize_t len, Py_ssize_t i, const char *lit) {
    for (Py_ssize_t k = 0; lit[k]; k++)
        if (i + k >= len || cp[i + k] != (Py_UCS4)(unsigned char)lit[k]) return 0;
    return 1;
}

/* The first len code points of a string's data, into cp: one loop a string kind. */
static void read_cps(int kind, const void *d, Py_ssize_t len, Py_UCS4 *cp) {
    if (kind == PyUnicode_1BYTE_KIND) {
        for (Py_ssize_t i = 0; i < len; i++) cp[i] = ((const Py_UCS1 *)d)[i];
    } else if (kind == PyUnicode_2BYTE_KIND) {
        for (Py_ssize_t i = 0; i < len; i++) cp[i] = ((const Py_UCS2 *)d)[i];
    } else {
        memcpy(cp, d, len * sizeof *cp);
    }
}

/* counts(lines, out, wid, tok_line, class_table, stop_table, vocab_table, max_chars, sep_chars,
 *        copyright_chars) -> tokens written, or -1 (a page numpy must count: see above) */
static PyObject *py_counts(PyObject *self, PyObject *args) {
    PyObject *lines, *stop_cap, *vocab_cap;
    Py_buffer out, wid, tok_line, classes;
    Py_ssize_t max_chars, sep_chars, copy_chars;
    if (!PyArg_ParseTuple(args, "O!w*w*w*y*OOnnn", &PyList_Type, &lines, &out, &wid, &tok_line, &classes,
                          &stop_cap, &vocab_cap, &max_chars, &sep_chars, &copy_chars))
        return NULL;
    PyObject *result = NULL;
    Py_UCS4 *tok = NULL, *key = NULL, *cp = NULL;
    table_t keys;
    int keys_ready = 0;
    Py_ssize_t *key_entry = NULL; /* each line's entry in `keys` */
    Py_ssize_t n = PyList_GET_SIZE(lines);
    int64_t *o = out.buf, *w = wid.buf, *tl = tok_line.buf;
    const uint16_t *cls = classes.buf;
    Py_ssize_t tok_cap = wid.len / (Py_ssize_t)sizeof(int64_t), ntok = 0;
    table_t *stops = PyCapsule_GetPointer(stop_cap, "copydesk.linestats.table");
    table_t *vocab = vocab_cap == Py_None ? NULL : PyCapsule_GetPointer(vocab_cap, "copydesk.linestats.table");
    if (!stops || (vocab_cap != Py_None && !vocab)) goto done;
    if (out.len < n * NCOLS * (Py_ssize_t)sizeof(int64_t) || tok_line.len < wid.len ||
        classes.len < (CLASS_LIMIT + 1) * (Py_ssize_t)sizeof(uint16_t)) {
        PyErr_SetString(PyExc_ValueError, "counts(): a buffer is too small");
        goto done;
    }
    tok = malloc((max_chars + 1) * sizeof *tok);
    cp = malloc((max_chars + 1) * sizeof *cp);
    key = malloc((copy_chars + 1) * sizeof *key);
    if (!tok || !cp || !key || table_init(&keys, (size_t)n) < 0) {
        PyErr_NoMemory();
        goto done;
    }
    keys_ready = 1;
    memset(o, 0, n * NCOLS * sizeof *o);
    key_entry = malloc((n + 1) * sizeof *key_entry);
    if (!key_entry) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t li = 0; li < n; li++) {
        PyObject *s = PyList_GET_ITEM(lines, li);
        if (!PyUnicode_Check(s)) {
            PyErr_SetString(PyExc_TypeError, "counts() takes a list of str");
            goto done;
        }
        Py_ssize_t len = PyUnicode_GET_LENGTH(s);
        if (len > max_chars) len = max_chars;
        read_cps(PyUnicode_KIND(s), PyUnicode_DATA(s), len, cp);
        int64_t *r = o + li * NCOLS;
        /* the counts of the line, kept in registers until it ends (r is memory emit_token writes) */
        int64_t words = 0, spaces = 0, uppers = 0, title = 0, letters = 0, digits = 0, other = 0, seps = 0, sents = 0;
        int prev_ws = 1, prev_space = 1, copyright = 0, url = 0;
        Py_ssize_t tl_len = 0, key_len = len < copy_chars ? len : copy_chars;
        int fold = 0;
        for (Py_ssize_t i = 0; i < len; i++) {
            Py_UCS4 ch = cp[i];
            if (ch == 0x130 || ch == 0x3A3) { /* lowercased by context or into two code points */
                result = PyLong_FromLong(-1);
                goto done;
            }
            unsigned c = cls_of(cls, ch);
            int ws = (c & WS) != 0;
            words += !ws && prev_ws;
            spaces += (c & SPACE) != 0;
            uppers += (c & UPPER) != 0;
            title += (c & UPPER) && prev_space;
            letters += (c & LETTER) != 0;
            digits += (c & DIGIT) != 0;
            other += !(c & (LETTER | DIGIT | SPACE));
            seps += (c & SEP) && i < sep_chars;
            if (ch == 0xA9) copyright = 1;
            if (ch == '.' && i + 1 < len && cp[i + 1] == 32) sents++;
            if (!url) {
                if (ch == '@') url = 1;
                else if (ch == 'h' && (matches(cp, len, i, "http://") || matches(cp, len, i, "https://"))) url = 1;
                else if (ch == 'w' && matches(cp, len, i, "www.")) url = 1;
                else if (ch == '.' && matches(cp, len, i, ".com") && (i + 4 >= len || !is_word_char(cp[i + 4]))) url = 1;
            }
            if (!copyright && ch == 'o' && i + 8 <= copy_chars && matches(cp, len, i, "opyright")) copyright = 1;
            /* tokens: \w+ of the lowercased line */
            Py_UCS4 low = lower_of(ch);
            if (is_word_char(low)) {
                tok[tl_len++] = low;
            } else if (tl_len) {
                if (emit_token(tok, tl_len, r, stops, vocab, w, tl, &ntok, tok_cap, li) < 0) goto no_room;
                tl_len = 0;
            }
            /* the repeat key: folded (`fold_key`) if it holds a decimal digit or white space other
             * than single spaces between its characters, as textfeatures decides by class */
            if (i < key_len) {
                key[i] = low;
                if ((c & DECIMAL) || (ws && !(ch == 32 && i > 0 && !prev_ws && i + 1 < key_len &&
                                               !(cls_of(cls, cp[i + 1]) & WS))))
                    fold = 1;
            }
            prev_ws = ws;
            prev_space = (c & SPACE) != 0;
        }
        if (tl_len && emit_token(tok, tl_len, r, stops, vocab, w, tl, &ntok, tok_cap, li) < 0) goto no_room;
        r[C_WORDS] = words;
        r[C_SPACES] = spaces;
        r[C_UPPERS] = uppers;
        r[C_TITLE] = title;
        r[C_LETTERS] = letters;
        r[C_DIGITS] = digits;
        r[C_OTHER] = other;
        r[C_SEP] = seps;
        r[C_SENT] = sents;
        if (len > 0) {
            Py_UCS4 last = cp[len - 1];
            unsigned lc = cls_of(cls, last);
            r[C_TERM] = (lc & TERM) != 0;
            r[C_COLON] = last == ':';
            r[C_SENT] += (lc & SENT_END) != 0;
            r[C_UPPER0] = Py_UNICODE_ISUPPER(cp[0]) != 0;
        }
        r[C_URL] = url;
        r[C_COPY] = copyright;
        Py_ssize_t klen = fold ? fold_key(key, key_len) : key_len;
        Py_ssize_t e = table_find(&keys, key, klen, hash_cps(key, klen), 1);
        if (e < 0) {
            PyErr_NoMemory();
            goto done;
        }
        r[C_FIRST] = keys.slot[e].value == 0;
        keys.slot[e].value++;
        key_entry[li] = e;
    }
    for (Py_ssize_t li = 0; li < n; li++) o[li * NCOLS + C_REPEAT] = keys.slot[key_entry[li]].value;
    result = PyLong_FromSsize_t(ntok);
    goto done;
no_room:
    PyErr_SetString(PyExc_ValueError, "counts(): wid is too small");
done:
    if (keys_ready) table_free(&keys);
    free(key_entry);
    free(tok);
    free(cp);
    free(key);
    PyBuffer_Release(&out);
    PyBuffer_Release(&wid);
    PyBuffer_Release(&tok_line);
    PyBuffer_Release(&classes);
    return result;
}

/* ------------------------------------------------------------------ the columns of a page */

/* Constants of textfeatures, passed in `consts` (textfeatures._COLUMN_CONSTS, in this order). */
typedef struct {
    double prose_min_words, prose_long_words, run_gap_max_words;
    long run_max_gap, dens_a, dens_b, shape_window, period_window, shape_run_cap;
    double bins[5];
    long periods[4];
} consts_t;
#define NBASE 43
#define NCONSTS 18

static int cmp_float(const void *a, const void *b) {
    float x = *(const float *)a, y = *(const float *)b;
    return (x > y) - (x < y);
}

/* columns(counts, lens, chars, bullets, blank_before, blank_after, consts, out) -> None
 *
 * textfeatures._columns_py, the BASE_NAMES columns of a page from its `counts` rows: the same
 * float32 values (numpy's types followed step by step: which parts are float32, which float64).
 * Word sums are exact, so numpy's order of summing does not matter, while a page has fewer than
 * 2^24 words. `lens`: clipped line lengths, `chars`: whole ones; the others int64 per line. */
static PyObject *py_columns(PyObject *self, PyObject *args) {
    Py_buffer cb, lb, chb, bub, bbb, bab, kb, ob;
    if (!PyArg_ParseTuple(args, "y*y*y*y*y*y*y*w*", &cb, &lb, &chb, &bub, &bbb, &bab, &kb, &ob)) return NULL;
    PyObject *result = NULL;
    float *sorted = NULL;
    int *shape = NULL;
    double *cs = NULL, *pcs = NULL;
    Py_ssize_t n = lb.len / (Py_ssize_t)sizeof(int64_t);
    if (cb.len != n * NCOLS * (Py_ssize_t)sizeof(int64_t) || chb.len != lb.len || bub.len != lb.len ||
        bbb.len != lb.len || bab.len != lb.len || ob.len != n * NBASE * (Py_ssize_t)sizeof(float) ||
        kb.len != NCONSTS * (Py_ssize_t)sizeof(double) || n < 1) {
        PyErr_SetString(PyExc_ValueError, "columns(): buffers of the wrong size");
        goto done;
    }
    const int64_t *c = cb.buf, *lens = lb.buf, *chars = chb.buf, *bul = bub.buf, *bb = bbb.buf, *ba = bab.buf;
    const double *kv = kb.buf;
    consts_t k = {kv[0], kv[1], kv[2], (long)kv[3], (long)kv[4], (long)kv[5], (long)kv[6], (long)kv[7], (long)kv[8],
                  {kv[9], kv[10], kv[11], kv[12], kv[13]}, {(long)kv[14], (long)kv[15], (long)kv[16], (long)kv[17]}};
    if (k.shape_window < k.periods[3] || k.shape_window < 1) {
        PyErr_SetString(PyExc_ValueError, "columns(): periods longer than the shape window");
        goto done;
    }
    float *X = ob.buf;
    sorted = malloc(n * sizeof *sorted);
    shape = malloc(n * sizeof *shape);
    cs = malloc((n + 1) * sizeof *cs);  /* prose words before each line (float32 cumsum, as doubles) */
    pcs = malloc((n + 1) * 4 * sizeof *pcs);  /* lines repeating the shape k before, per period */
    if (!sorted || !shape || !cs || !pcs) {
        PyErr_NoMemory();
        goto done;
    }
    /* the line's own columns */
    float wsum = 0.0f, wmax = 0.0f, psum = 0.0f;
    long repeated = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        const int64_t *r = c + i * NCOLS;
        float *x = X + i * NBASE;
        float fw = (float)r[C_WORDS], w1 = fw > 1.0f ? fw : 1.0f;
        float nchar = (float)lens[i] > 1.0f ? (float)lens[i] : 1.0f, letters = (float)r[C_LETTERS];
        float title = (float)r[C_TITLE] / w1;
        x[0] = (float)chars[i];
        x[1] = fw;
        x[2] = (float)(((double)lens[i] - (double)(float)r[C_SPACES]) / (double)w1);
        x[3] = (float)r[C_TERM], x[4] = (float)r[C_COLON], x[5] = (float)r[C_UPPER0];
        x[6] = title < 1.0f ? title : 1.0f;
        x[7] = (float)r[C_UPPERS] / (letters > 1.0f ? letters : 1.0f);
        x[8] = (float)r[C_DIGITS] / nchar, x[9] = (float)r[C_OTHER] / nchar;
        x[10] = r[C_TOKENS] > 0 ? (float)((double)r[C_STOPS] / (double)r[C_TOKENS]) : 0.0f;
        x[11] = (float)bul[i];
        x[12] = (float)r[C_SEP], x[13] = (float)r[C_URL], x[14] = (float)r[C_COPY], x[15] = (float)r[C_SENT];
        x[16] = (float)r[C_REPEAT], x[17] = (float)r[C_FIRST], x[18] = (float)bb[i], x[19] = (float)ba[i];
        int prose = (fw >= k.prose_min_words && x[3] > 0) || fw >= k.prose_long_words;
        x[20] = (float)prose;
        x[22] = wsum;  /* words before: divided below */
        wsum += fw;
        if (fw > wmax) wmax = fw;
        psum += (float)prose;
        repeated += r[C_REPEAT] > 1;
        sorted[i] = x[0];
        int bin = 0;
        for (int b = 0; b < 5; b++) bin += k.bins[b] <= (double)fw;
        shape[i] = bin * 16 + (x[3] > 0) * 8 + (x[11] > 0) * 4 + (x[8] > 0) * 2 + (x[5] > 0);
    }
    double total_words = wsum != 0.0f ? (double)wsum : 1.0;
    /* the longest prose run by words, bridging short non-prose lines */
    Py_ssize_t best_s = -1, best_e = -1, cur_s = -1;
    double best_w = 0.0, cur_w = 0.0;
    long gap = 0;
    cs[0] = 0.0;
    float pc = 0.0f;
    for (Py_ssize_t i = 0; i < n; i++) {
        float *x = X + i * NBASE;
        if (x[20] > 0) {
            if (cur_s < 0) cur_s = i, cur_w = 0.0;
            cur_w += x[1];
            gap = 0;
            if (cur_w > best_w) best_s = cur_s, best_e = i, best_w = cur_w;
        } else if (cur_s >= 0 && x[1] <= k.run_gap_max_words && gap < k.run_max_gap) {
            gap++;
        } else {
            cur_s = -1, gap = 0;
        }
        pc += x[1] * x[20];
        cs[i + 1] = pc;
    }
    double total_prose = cs[n] != 0.0 ? cs[n] : 1.0;
    qsort(sorted, n, sizeof *sorted, cmp_float);
    double median = (double)(float)(sorted[(n - 1) / 2] + sorted[n / 2]) / 2;
    float rel_median = (float)(median > 1.0 ? median : 1.0);
    float maxw = (float)((double)wmax > 1.0 ? (double)wmax : 1.0);
    float page[5] = {(float)n, (float)total_words, psum / (float)n, wmax, (float)((double)repeated / (double)n)};
    /* shape runs and period counts */
    for (int p = 0; p < 4; p++) pcs[p] = 0.0;
    for (Py_ssize_t i = 0; i < n; i++)
        for (int p = 0; p < 4; p++)
            pcs[(i + 1) * 4 + p] = pcs[i * 4 + p] + (i - k.periods[p] >= 0 && shape[i - k.periods[p]] == shape[i]);
    Py_ssize_t run_start = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        float *x = X + i * NBASE;
        float fi = (float)i;
        x[21] = fi / (float)(n - 1 > 1 ? n - 1 : 1);
        x[22] = x[22] / (float)total_words;
        x[23] = x[1] / maxw;
        if (best_s >= 0) {
            float db = (float)best_s - fi, da = fi - (float)best_e;
            x[24] = (float)(i >= best_s && i <= best_e);
            x[25] = db > 0 ? db : 0.0f, x[26] = da > 0 ? da : 0.0f;
        } else {
            x[24] = 0.0f, x[25] = (float)n, x[26] = (float)n;
        }
        x[27] = (x[25] + x[26]) / (float)(n > 1 ? n : 1);
        x[28] = (float)(best_w / total_words);
        long dw[2] = {k.dens_a, k.dens_b};
        for (int d = 0; d < 2; d++) {
            Py_ssize_t lo = i - dw[d] < 0 ? 0 : i - dw[d], hi = i + dw[d] + 1 > n ? n : i + dw[d] + 1;
            x[29 + d] = (float)((cs[hi] - cs[lo]) / total_words);
        }
        x[31] = (float)((cs[n] - cs[i + 1]) / total_prose);
        x[32] = (float)(cs[i] / total_prose);
        for (int j = 0; j < 5; j++) x[33 + j] = page[j];
        long same = 0;
        for (long o = -k.shape_window; o <= k.shape_window; o++)
            same += i + o >= 0 && i + o < n && shape[i + o] == shape[i];
        x[38] = (float)((double)(same - 1) / (double)(2 * k.shape_window));
        if (i && shape[i] != shape[i - 1]) run_start = i;
        if (i == run_start) {  /* a new run: its length, written to all its lines below */
            Py_ssize_t e = i;
            while (e + 1 < n && shape[e + 1] == shape[i]) e++;
            for (Py_ssize_t j = i; j <= e; j++) X[j * NBASE + 39] = (float)(e - i + 1 < k.shape_run_cap ? e - i + 1 : k.shape_run_cap);
        }
        Py_ssize_t lo = i - k.period_window < 0 ? 0 : i - k.period_window;
        Py_ssize_t hi = i + k.period_window + 1 > n ? n : i + k.period_window + 1;
        double best_share = -1.0;
        int best = 0;
        for (int p = 0; p < 4; p++) {
            double share = (pcs[hi * 4 + p] - pcs[lo * 4 + p]) / (double)(hi - lo);
            if (share > best_share) best_share = share, best = p;
        }
        x[40] = (float)best_share;
        x[41] = best_share > 0 ? (float)k.periods[best] : 0.0f;
        x[42] = x[0] / rel_median;
    }
    result = Py_None;
    Py_INCREF(result);
done:
    free(sorted);
    free(shape);
    free(cs);
    free(pcs);
    PyBuffer_Release(&cb);
    PyBuffer_Release(&lb);
    PyBuffer_Release(&chb);
    PyBuffer_Release(&bub);
    PyBuffer_Release(&bbb);
    PyBuffer_Release(&bab);
    PyBuffer_Release(&kb);
    PyBuffer_Release(&ob);
    return result;
}

/* ------------------------------------------------------------------ log-odds per line */

/* Pairs of word numbers, (a << 32 | b) >= 0, in an open-addressing table of 2^k slots (key -1:
 * empty), probed linearly from a Fibonacci hash. */
static Py_ssize_t pair_slot(const int64_t *slots, Py_ssize_t size, int bits, int64_t key) {
    Py_ssize_t i = (Py_ssize_t)(((uint64_t)key * UINT64_C(0x9E3779B97F4A7C15)) >> (64 - bits));
    while (slots[i] != -1 && slots[i] != key) i = (i + 1) & (size - 1);
    return i;
}

/* The table's size (a power of two) and its log2, or -1 with an exception set. */
static int pair_buffers(Py_buffer *slots, Py_buffer *values, Py_ssize_t *size) {
    *size = slots->len / (Py_ssize_t)sizeof(int64_t);
    if (*size < 2 || (*size & (*size - 1)) || values->len != slots->len) {
        PyErr_SetString(PyExc_ValueError, "pair table: slots and values of one power-of-two length");
        return -1;
    }
    int bits = 0;
    while (((Py_ssize_t)1 << bits) < *size) bits++;
    return bits;
}

/* pair_table(keys, values, slots, slot_values) -> None: `keys` (int64 >= 0) and their `values` put
 * into `slots` (filled with -1 by the caller, at least twice as many) and `slot_values`. */
static PyObject *py_pair_table(PyObject *self, PyObject *args) {
    Py_buffer keys, values, slots, svalues;
    if (!PyArg_ParseTuple(args, "y*y*w*w*", &keys, &values, &slots, &svalues)) return NULL;
    PyObject *result = NULL;
    Py_ssize_t size, n = keys.len / (Py_ssize_t)sizeof(int64_t);
    const int64_t *k = keys.buf;
    int bits = pair_buffers(&slots, &svalues, &size);
    if (bits < 0) goto done;
    if (values.len != keys.len || 2 * n > size) {
        PyErr_SetString(PyExc_ValueError, "pair_table(): keys and values of one length, and room for them");
        goto done;
    }
    for (Py_ssize_t j = 0; j < n; j++) {
        if (k[j] < 0) {
            PyErr_SetString(PyExc_ValueError, "pair_table(): a negative key");
            goto done;
        }
        Py_ssize_t i = pair_slot(slots.buf, size, bits, k[j]);
        ((int64_t *)slots.buf)[i] = k[j];
        ((double *)svalues.buf)[i] = ((const double *)values.buf)[j];
    }
    result = Py_None;
    Py_INCREF(result);
done:
    PyBuffer_Release(&keys);
    PyBuffer_Release(&values);
    PyBuffer_Release(&slots);
    PyBuffer_Release(&svalues);
    return result;
}

/* vocab_columns(wid, tok_line, unigram, slots, slot_values, out) -> None
 *
 * textfeatures.vocab_columns of VocabIndex.values, for the words `counts` numbered: each word
 * (`wid`, -1 unknown; `tok_line` its line, non-decreasing) is looked up in `unigram` (float64,
 * its last entry answers -1), each pair of words on one line as (a << 32 | b) in the
 * `pair_table`. Per line of `out` (float32, zeroed by the caller, lines x 5): mean, min, max and
 * sum of the known values, and known / all terms. Sums run in numpy's order (the line's words,
 * then its pairs), so the columns are the same bit for bit. */
static PyObject *py_vocab_columns(PyObject *self, PyObject *args) {
    Py_buffer wid, tok_line, unigram, slots, svalues, out;
    if (!PyArg_ParseTuple(args, "y*y*y*y*y*w*", &wid, &tok_line, &unigram, &slots, &svalues, &out)) return NULL;
    PyObject *result = NULL;
    double *acc = NULL;
    const int64_t *w = wid.buf, *tl = tok_line.buf, *keys = slots.buf;
    const double *uni = unigram.buf, *pv = svalues.buf;
    float *o = out.buf;
    Py_ssize_t size, nw = wid.len / (Py_ssize_t)sizeof(int64_t), nuni = unigram.len / (Py_ssize_t)sizeof(double);
    Py_ssize_t lines = out.len / (5 * (Py_ssize_t)sizeof(float));
    int bits = pair_buffers(&slots, &svalues, &size);
    if (bits < 0) goto done;
    if (tok_line.len != wid.len || nuni < 1) {
        PyErr_SetString(PyExc_ValueError, "vocab_columns(): words and lines of unequal length, or no unigrams");
        goto done;
    }
    for (Py_ssize_t i = 0; i < nw; i++) {
        if (tl[i] < 0 || tl[i] >= lines || (i && tl[i] < tl[i - 1]) || w[i] >= nuni - 1) {
            PyErr_SetString(PyExc_ValueError, "vocab_columns(): a word's line or number is out of range");
            goto done;
        }
    }
    /* per line: sum, min, max, known, all */
    acc = malloc((size_t)(lines ? lines : 1) * 5 * sizeof *acc);
    if (!acc) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t l = 0; l < lines; l++) {
        double *a = acc + 5 * l;
        a[0] = 0.0, a[1] = INFINITY, a[2] = -INFINITY, a[3] = 0.0, a[4] = 0.0;
    }
    for (int pass = 0; pass < 2; pass++) {
        for (Py_ssize_t i = 0; i + pass < nw; i++) {
            double v;
            if (pass == 0) {
                v = uni[w[i] < 0 ? nuni - 1 : w[i]];
            } else {
                if (tl[i] != tl[i + 1]) continue;
                v = NAN;
                if (w[i] >= 0 && w[i + 1] >= 0) {
                    Py_ssize_t at = pair_slot(keys, size, bits, (int64_t)((uint64_t)w[i] << 32 | (uint64_t)w[i + 1]));
                    if (keys[at] != -1) v = pv[at];
                }
            }
            double *a = acc + 5 * tl[i];
            a[4] += 1.0;
            if (v != v) continue; /* NaN: not in the table */
            a[0] += v;
            if (v < a[1]) a[1] = v;
            if (v > a[2]) a[2] = v;
            a[3] += 1.0;
        }
    }
    for (Py_ssize_t l = 0; l < lines; l++) {
        double *a = acc + 5 * l;
        if (a[3] == 0.0) continue;
        float *r = o + 5 * l;
        r[0] = (float)(a[0] / a[3]), r[1] = (float)a[1], r[2] = (float)a[2], r[3] = (float)a[0];
        r[4] = (float)(a[3] / a[4]);
    }
    result = Py_None;
    Py_INCREF(result);
done:
    free(acc);
    PyBuffer_Release(&wid);
    PyBuffer_Release(&tok_line);
    PyBuffer_Release(&unigram);
    PyBuffer_Release(&slots);
    PyBuffer_Release(&svalues);
    PyBuffer_Release(&out);
    return result;
}

/* ------------------------------------------------------------------ a text's characters */

/* any_in(text, ranges) -> whether a character of text falls in one of `ranges`, a tuple of
 * (first, last) code points (inclusive): textmode.repair_text's scan for what it removes. */
static PyObject *py_any_in(PyObject *self, PyObject *args) {
    PyObject *text, *ranges;
    if (!PyArg_ParseTuple(args, "UO!", &text, &PyTuple_Type, &ranges)) return NULL;
    Py_ssize_t nr = PyTuple_GET_SIZE(ranges);
    Py_UCS4 lo[16], hi[16];
    unsigned char low[256] = {0}; /* code points below 256, answered by one read */
    if (nr > 16) {
        PyErr_SetString(PyExc_ValueError, "any_in(): at most 16 ranges");
        return NULL;
    }
    for (Py_ssize_t r = 0; r < nr; r++) {
        unsigned long a, b;
        if (!PyArg_ParseTuple(PyTuple_GET_ITEM(ranges, r), "kk", &a, &b)) return NULL;
        if (a > b || b > 0x10FFFF) {
            PyErr_SetString(PyExc_ValueError, "any_in(): a range is (first, last) code points");
            return NULL;
        }
        lo[r] = (Py_UCS4)a;
        hi[r] = (Py_UCS4)b;
        for (unsigned long c = a; c <= b && c < 256; c++) low[c] = 1;
    }
    int kind = PyUnicode_KIND(text);
    const void *d = PyUnicode_DATA(text);
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    /* one loop a string kind: the character read without a switch */
#define SCAN(T)                                                      \
    for (Py_ssize_t i = 0; i < n; i++) {                             \
        Py_UCS4 ch = ((const T *)d)[i];                              \
        if (ch < 256) {                                              \
            if (low[ch]) Py_RETURN_TRUE;                             \
            continue;                                                \
        }                                                            \
        for (Py_ssize_t r = 0; r < nr; r++)                          \
            if (ch >= lo[r] && ch <= hi[r]) Py_RETURN_TRUE;          \
    }
    if (kind == PyUnicode_1BYTE_KIND) {
        SCAN(Py_UCS1)
    } else if (kind == PyUnicode_2BYTE_KIND) {
        SCAN(Py_UCS2)
    } else {
        SCAN(Py_UCS4)
    }
#undef SCAN
    Py_RETURN_FALSE;
}

/* ------------------------------------------------------------------ lines of a page */

/* len(str.split()) of characters a..b-1 of a string's data. */
static long count_words(int kind, const void *d, Py_ssize_t a, Py_ssize_t b) {
    long nw = 0;
    int in_word = 0;
    for (Py_ssize_t i = a; i < b; i++) {
        int space = Py_UNICODE_ISSPACE(PyUnicode_READ(kind, d, i));
        nw += !space && !in_word;
        in_word = !space;
    }
    return nw;
}

/* lines(text, max_blank) -> (lines, blank_before, words): the non-blank pieces of
 * text.split("\n"), each str.strip()ped; how many blank pieces come before each (at most
 * max_blank); and each line's len(str.split()). textmode.segment's numbers, the first step. */
static PyObject *py_lines(PyObject *self, PyObject *args) {
    PyObject *text;
    long max_blank;
    if (!PyArg_ParseTuple(args, "Ul", &text, &max_blank)) return NULL;
    int kind = PyUnicode_KIND(text);
    const void *d = PyUnicode_DATA(text);
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    PyObject *lines = PyList_New(0), *blanks = PyList_New(0), *words = PyList_New(0), *result = NULL;
    if (!lines || !blanks || !words) goto done;
    long blank = 0;
    for (Py_ssize_t start = 0; start <= n;) {
        Py_ssize_t end = start;
        while (end < n && PyUnicode_READ(kind, d, end) != '\n') end++;
        Py_ssize_t a = start, b = end;
        while (a < b && Py_UNICODE_ISSPACE(PyUnicode_READ(kind, d, a))) a++;
        while (b > a && Py_UNICODE_ISSPACE(PyUnicode_READ(kind, d, b - 1))) b--;
        if (a < b) {
            long nw = count_words(kind, d, a, b);
            PyObject *line = PyUnicode_Substring(text, a, b);
            PyObject *nb = PyLong_FromLong(blank < max_blank ? blank : max_blank), *nwo = PyLong_FromLong(nw);
            int bad = !line || !nb || !nwo || PyList_Append(lines, line) || PyList_Append(blanks, nb)
                      || PyList_Append(words, nwo);
            Py_XDECREF(line);
            Py_XDECREF(nb);
            Py_XDECREF(nwo);
            if (bad) goto done;
            blank = 0;
        } else {
            blank++;
        }
        start = end + 1;
    }
    result = PyTuple_Pack(3, lines, blanks, words);
done:
    Py_XDECREF(lines);
    Py_XDECREF(blanks);
    Py_XDECREF(words);
    return result;
}

/* marks(lines, words, bullet_marks, heading_not_end, heading_max_words, kinds) -> (bullets, kinds)
 *
 * textmode.segment's second step, on its lists, in place: a line opening with one of
 * `bullet_marks`, or with 1-3 decimal digits and "." or ")", then white space (textfeatures.
 * BULLET_RE) loses that opening (`lines[i]`, `words[i]` changed) and is a list item; a line of 1 to
 * `heading_max_words` words, not a list item, opening upper-case and not ending in one of
 * `heading_not_end`, is a heading; the others paragraphs. `kinds`: the three kinds' names. */
static PyObject *py_marks(PyObject *self, PyObject *args) {
    PyObject *lines, *words, *marks, *ends, *names;
    long hmax;
    if (!PyArg_ParseTuple(args, "O!O!UUlO!", &PyList_Type, &lines, &PyList_Type, &words, &marks, &ends, &hmax,
                          &PyTuple_Type, &names))
        return NULL;
    Py_ssize_t n = PyList_GET_SIZE(lines);
    if (PyList_GET_SIZE(words) != n || PyTuple_GET_SIZE(names) != 3) {
        PyErr_SetString(PyExc_ValueError, "marks(): lines and words of unequal length, or not three kinds");
        return NULL;
    }
    PyObject *bullets = PyList_New(n), *kinds = PyList_New(n);
    if (!bullets || !kinds) goto fail;
    for (Py_ssize_t li = 0; li < n; li++) {
        PyObject *s = PyList_GET_ITEM(lines, li);
        if (!PyUnicode_Check(s)) {
            PyErr_SetString(PyExc_TypeError, "marks() takes a list of str");
            goto fail;
        }
        int kind = PyUnicode_KIND(s);
        const void *d = PyUnicode_DATA(s);
        Py_ssize_t len = PyUnicode_GET_LENGTH(s), j = -1;
        if (len > 0) {
            Py_UCS4 c0 = PyUnicode_READ(kind, d, 0);
            if (PyUnicode_FindChar(marks, c0, 0, PyUnicode_GET_LENGTH(marks), 1) >= 0) {
                j = 1;
            } else {
                Py_ssize_t k = 0;
                while (k < len && k < 4 && Py_UNICODE_ISDECIMAL(PyUnicode_READ(kind, d, k))) k++;
                if (k >= 1 && k <= 3 && k < len && (PyUnicode_READ(kind, d, k) == '.' || PyUnicode_READ(kind, d, k) == ')'))
                    j = k + 1;
            }
            if (j > 0 && !(j < len && Py_UNICODE_ISSPACE(PyUnicode_READ(kind, d, j)))) j = -1;
        }
        int which = 0; /* paragraph */
        if (j > 0) {
            while (j < len && Py_UNICODE_ISSPACE(PyUnicode_READ(kind, d, j))) j++;
            Py_ssize_t end = len;
            while (end > j && Py_UNICODE_ISSPACE(PyUnicode_READ(kind, d, end - 1))) end--;
            long nw = count_words(kind, d, j, end);
            PyObject *rest = PyUnicode_Substring(s, j, end), *nwo = PyLong_FromLong(nw);
            if (!rest || !nwo) {
                Py_XDECREF(rest);
                Py_XDECREF(nwo);
                goto fail;
            }
            PyList_SetItem(lines, li, rest); /* steals the references; drops the old line and count */
            PyList_SetItem(words, li, nwo);
            which = 1;
        } else {
            long nw = PyLong_AsLong(PyList_GET_ITEM(words, li));
            if (nw == -1 && PyErr_Occurred()) goto fail;
            if (nw >= 1 && nw <= hmax && Py_UNICODE_ISUPPER(PyUnicode_READ(kind, d, 0)) &&
                PyUnicode_FindChar(ends, PyUnicode_READ(kind, d, len - 1), 0, PyUnicode_GET_LENGTH(ends), 1) < 0)
                which = 2;
        }
        PyObject *b = which == 1 ? Py_True : Py_False, *name = PyTuple_GET_ITEM(names, which);
        Py_INCREF(b);
        Py_INCREF(name);
        PyList_SET_ITEM(bullets, li, b);
        PyList_SET_ITEM(kinds, li, name);
    }
    PyObject *result = PyTuple_Pack(2, bullets, kinds);
    Py_DECREF(bullets);
    Py_DECREF(kinds);
    return result;
fail:
    Py_XDECREF(bullets);
    Py_XDECREF(kinds);
    return NULL;
}

static PyMethodDef methods[] = {
    {"any_in", py_any_in, METH_VARARGS,
     "any_in(text, ranges) -> whether a character of text is in one of the (first, last) ranges"},
    {"columns", py_columns, METH_VARARGS,
     "columns(counts, lens, chars, bullets, blank_before, blank_after, consts, out): textfeatures._columns_py"},
    {"pair_table", py_pair_table, METH_VARARGS,
     "pair_table(keys, values, slots, slot_values): the pairs' hash table, for vocab_columns()"},
    {"vocab_columns", py_vocab_columns, METH_VARARGS,
     "vocab_columns(wid, tok_line, unigram, slots, slot_values, out): textfeatures.vocab_columns"},
    {"marks", py_marks, METH_VARARGS,
     "marks(lines, words, bullet_marks, heading_not_end, heading_max_words, kinds) -> (bullets, kinds)"},
    {"lines", py_lines, METH_VARARGS,
     "lines(text, max_blank) -> (stripped non-blank lines, blank lines before each, words of each)"},
    {"table", py_table, METH_VARARGS, "table(words) -> a word table (word i: number i), for counts()"},
    {"counts", py_counts, METH_VARARGS,
     "counts(lines, out, wid, tok_line, class_table, stop_table, vocab_table, max_chars, sep_chars, "
     "copyright_chars) -> tokens, or -1: a page for numpy (see the module's comment)"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "copydesk._linestats",
                                    "The counting behind textfeatures.base_features, in C.", -1, methods};

PyMODINIT_FUNC PyInit__linestats(void) { return PyModule_Create(&module); }
