/* copydesk._textstats: the counting behind features._text_stats, block by block in C.
 *
 * features.py owns the definitions and the arithmetic; this module only counts, and a test
 * checks that the rows it leads to are the same bit for bit as those of the numpy counting
 * (`features._text_counts_py`) on every shared page. Per block (one row of `out`, int64):
 *
 *   0 words: starts of runs of characters that are not white space (charclass.WS)
 *   1 sentence marks: ". ", "? ", "! " inside the block, and 。！？
 *   2 commas            3 "|" and "•"
 *   4 ASCII digits among the first `digit_sample` characters
 *   5 words of the lowercased text (str.split) that are stop words, 6 that start with a chrome
 *     prefix (`features._word_code`'s two bits, from the table `words` fills)
 *   7 t[0].isupper()    8 t.isupper()    9 t.istitle()
 *   10 last character in `terminal`       11 ... and not one of 。！？
 *   12 how many blocks of the page have the same text
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <string.h>

#include "_wordtable.h"

#define COLS 13

static int in_str(Py_UCS4 ch, PyObject *s) {
    Py_ssize_t n = PyUnicode_GET_LENGTH(s);
    int kind = PyUnicode_KIND(s);
    const void *d = PyUnicode_DATA(s);
    for (Py_ssize_t i = 0; i < n; i++)
        if (PyUnicode_READ(kind, d, i) == ch)
            return 1;
    return 0;
}

static int is_cjk_stop(Py_UCS4 ch) {
    return ch == 0x3002 || ch == 0xFF01 || ch == 0xFF1F;
}

/* str.isupper(), as CPython computes it */
static int str_isupper(int kind, const void *d, Py_ssize_t n) {
    if (n == 1)
        return Py_UNICODE_ISUPPER(PyUnicode_READ(kind, d, 0)) != 0;
    int cased = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_UCS4 ch = PyUnicode_READ(kind, d, i);
        if (Py_UNICODE_ISLOWER(ch) || Py_UNICODE_ISTITLE(ch))
            return 0;
        if (!cased && Py_UNICODE_ISUPPER(ch))
            cased = 1;
    }
    return cased;
}

/* str.istitle(), as CPython computes it */
static int str_istitle(int kind, const void *d, Py_ssize_t n) {
    if (n == 1) {
        Py_UCS4 ch = PyUnicode_READ(kind, d, 0);
        return (Py_UNICODE_ISTITLE(ch) != 0) || (Py_UNICODE_ISUPPER(ch) != 0);
    }
    int cased = 0, previous_is_cased = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_UCS4 ch = PyUnicode_READ(kind, d, i);
        if (Py_UNICODE_ISUPPER(ch) || Py_UNICODE_ISTITLE(ch)) {
            if (previous_is_cased)
                return 0;
            previous_is_cased = cased = 1;
        } else if (Py_UNICODE_ISLOWER(ch)) {
            if (!previous_is_cased)
                return 0;
            previous_is_cased = cased = 1;
        } else {
            previous_is_cased = 0;
        }
    }
    return cased;
}

/* The stop words and chrome prefixes (`features._STOPWORDS`, `_CHROME_PREFIXES`), lowercase, in a
 * word table (`_wordtable.h`) whose values are bits: 1 stop word, 2 chrome prefix. Words are looked
 * up as their code points lowercased one by one, which is str.lower() but for U+0130 (İ, two code
 * points) and capital sigma (final form by context): words holding either go to `word_code`. */
#define KEY_MAX 8
static table_t word_table;
static int word_table_ready = 0;
static int stop_max = -1;

static int key_bits(const Py_UCS4 *s, int n) {
    Py_ssize_t e = table_find(&word_table, s, n, hash_cps(s, n), 0);
    return e >= 0 ? (int)word_table.slot[e].value : 0;
}

static int key_add(PyObject *word, int bit) {
    Py_ssize_t n = PyUnicode_GET_LENGTH(word);
    if (n == 0 || n > KEY_MAX)
        return 0;  /* never looked up: prefixes are read at 3 to 6 characters, stop words whole */
    Py_UCS4 s[KEY_MAX];
    for (Py_ssize_t i = 0; i < n; i++)
        s[i] = PyUnicode_READ_CHAR(word, i);
    Py_ssize_t e = table_find(&word_table, s, n, hash_cps(s, n), 1);
    if (e < 0) {
        PyErr_SetString(PyExc_ValueError, "words: too many words for the table");
        return -1;
    }
    word_table.slot[e].value |= bit;
    return 0;
}

/* words(stop_words, chrome_prefixes): the vocabulary `counts` codes words with. */
static PyObject *words(PyObject *self, PyObject *args) {
    PyObject *stop, *chrome;
    if (!PyArg_ParseTuple(args, "OO", &stop, &chrome))
        return NULL;
    stop_max = -1;
    PyObject *lists[2] = {stop, chrome};
    Py_ssize_t total = PyObject_Length(stop) + PyObject_Length(chrome);
    if (PyErr_Occurred())
        return NULL;
    if (word_table_ready)
        table_free(&word_table);
    word_table_ready = 0;
    if (table_init(&word_table, (size_t)total) < 0)
        return PyErr_NoMemory();
    word_table_ready = 1;
    for (int k = 0; k < 2; k++) {
        PyObject *seq = PySequence_Fast(lists[k], "words: sequences of str");
        if (seq == NULL)
            return NULL;
        for (Py_ssize_t i = 0; i < PySequence_Fast_GET_SIZE(seq); i++) {
            PyObject *w = PySequence_Fast_GET_ITEM(seq, i);
            if (!PyUnicode_Check(w)) {
                Py_DECREF(seq);
                PyErr_SetString(PyExc_TypeError, "words: sequences of str");
                return NULL;
            }
            if (k == 0 && PyUnicode_GET_LENGTH(w) > stop_max)
                stop_max = (int)PyUnicode_GET_LENGTH(w);
            if (key_add(w, 1 << k) < 0) {
                Py_DECREF(seq);
                return NULL;
            }
        }
        Py_DECREF(seq);
    }
    if (stop_max > KEY_MAX) {
        stop_max = -1;
        PyErr_SetString(PyExc_ValueError, "words: a stop word is longer than the table's keys");
        return NULL;
    }
    Py_RETURN_NONE;
}

/* `_word_code`'s bits 1 (stop word) and 2 (chrome) of the word text[a:b]. */
static int word_bits(PyObject *text, int kind, const void *d, Py_ssize_t a, Py_ssize_t b, PyObject *word_code) {
    Py_UCS4 low[KEY_MAX];
    Py_ssize_t n = b - a;
    for (Py_ssize_t i = a; i < b; i++) {
        Py_UCS4 ch = PyUnicode_READ(kind, d, i);
        if (ch == 0x130 || ch == 0x3A3) {  /* str.lower() differs from the simple mapping */
            PyObject *w = PyUnicode_Substring(text, a, b);
            if (w == NULL)
                return -1;
            PyObject *lw = PyObject_CallMethod(w, "lower", NULL);
            Py_DECREF(w);
            if (lw == NULL)
                return -1;
            PyObject *code = PyObject_CallOneArg(word_code, lw);
            Py_DECREF(lw);
            if (code == NULL)
                return -1;
            long v = PyLong_AsLong(code);
            Py_DECREF(code);
            return v == -1 && PyErr_Occurred() ? -1 : (int)(v & 3);
        }
        if (i - a < KEY_MAX)
            low[i - a] = Py_UNICODE_TOLOWER(ch);
    }
    int bits = n <= stop_max ? key_bits(low, (int)n) & 1 : 0;
    for (int m = 6; m >= 3; m--)
        if (key_bits(low, (int)(n < m ? n : m)) & 2) {
            bits |= 2;
            break;
        }
    return bits;
}

/* counts(texts, out, table, ws_bit, terminal, word_code, digit_sample) */
static PyObject *counts(PyObject *self, PyObject *args) {
    PyObject *texts, *out_obj, *table_obj, *terminal, *word_code;
    long ws_bit;
    Py_ssize_t digit_sample;
    if (!PyArg_ParseTuple(args, "O!OOlUOn", &PyList_Type, &texts, &out_obj, &table_obj, &ws_bit, &terminal,
                          &word_code, &digit_sample))
        return NULL;
    if (stop_max < 0) {
        PyErr_SetString(PyExc_RuntimeError, "counts: call words() first");
        return NULL;
    }
    Py_ssize_t n = PyList_GET_SIZE(texts);
    Py_buffer out, table;
    if (PyObject_GetBuffer(out_obj, &out, PyBUF_WRITABLE | PyBUF_C_CONTIGUOUS | PyBUF_FORMAT) < 0)
        return NULL;
    if (PyObject_GetBuffer(table_obj, &table, PyBUF_C_CONTIGUOUS | PyBUF_FORMAT) < 0) {
        PyBuffer_Release(&out);
        return NULL;
    }
    PyObject *seen = NULL, *result = NULL;
    if (out.itemsize != 8 || out.len != (Py_ssize_t)(n * COLS * 8) || table.itemsize != 2 || table.len < 2) {
        PyErr_SetString(PyExc_ValueError, "counts: out must be int64 (n, 13) and table uint16");
        goto done;
    }
    long long *row = (long long *)out.buf;
    const unsigned short *cls = (const unsigned short *)table.buf;
    Py_UCS4 limit = (Py_UCS4)(table.len / 2 - 1);
    seen = PyDict_New();
    if (seen == NULL)
        goto done;
    for (Py_ssize_t b = 0; b < n; b++, row += COLS) {
        PyObject *t = PyList_GET_ITEM(texts, b);
        if (!PyUnicode_Check(t) || PyUnicode_GET_LENGTH(t) == 0) {
            PyErr_SetString(PyExc_ValueError, "counts: every text must be a non-empty str");
            goto done;
        }
        Py_ssize_t len = PyUnicode_GET_LENGTH(t);
        int kind = PyUnicode_KIND(t);
        const void *d = PyUnicode_DATA(t);
        long long words = 0, sent = 0, comma = 0, pipes = 0, digits = 0, stops = 0, chrome = 0;
        int prev_ws = 1;
        Py_ssize_t word_start = 0;
        for (Py_ssize_t i = 0; i <= len; i++) {
            Py_UCS4 ch = i < len ? PyUnicode_READ(kind, d, i) : ' ';
            int ws = (cls[ch < limit ? ch : limit] & ws_bit) != 0;
            if (!ws && prev_ws) {
                words++;
                word_start = i;
            } else if (ws && !prev_ws) {
                int bits = word_bits(t, kind, d, word_start, i, word_code);
                if (bits < 0)
                    goto done;
                stops += bits & 1;
                chrome += (bits & 2) != 0;
            }
            prev_ws = ws;
            if (i == len)
                break;
            if ((ch == '.' || ch == '?' || ch == '!') && i + 1 < len && PyUnicode_READ(kind, d, i + 1) == ' ')
                sent++;
            else if (is_cjk_stop(ch))
                sent++;
            else if (ch == ',')
                comma++;
            else if (ch == '|' || ch == 0x2022)
                pipes++;
            if (i < digit_sample && ch >= '0' && ch <= '9')
                digits++;
        }
        Py_UCS4 first = PyUnicode_READ(kind, d, 0), last = PyUnicode_READ(kind, d, len - 1);
        row[0] = words;
        row[1] = sent;
        row[2] = comma;
        row[3] = pipes;
        row[4] = digits;
        row[5] = stops;
        row[6] = chrome;
        row[7] = Py_UNICODE_ISUPPER(first) != 0;
        row[8] = str_isupper(kind, d, len);
        row[9] = str_istitle(kind, d, len);
        row[10] = in_str(last, terminal);
        row[11] = row[10] && !is_cjk_stop(last);
        PyObject *k = PyDict_GetItemWithError(seen, t);
        if (k == NULL && PyErr_Occurred())
            goto done;
        PyObject *count = PyLong_FromLong(k == NULL ? 1 : PyLong_AsLong(k) + 1);
        if (count == NULL || PyDict_SetItem(seen, t, count) < 0) {
            Py_XDECREF(count);
            goto done;
        }
        Py_DECREF(count);
    }
    row = (long long *)out.buf;
    for (Py_ssize_t b = 0; b < n; b++, row += COLS) {
        PyObject *k = PyDict_GetItemWithError(seen, PyList_GET_ITEM(texts, b));
        if (k == NULL) {
            if (!PyErr_Occurred())
                PyErr_SetString(PyExc_KeyError, "counts: text vanished");
            goto done;
        }
        row[12] = PyLong_AsLong(k);
    }
    result = Py_NewRef(Py_None);
done:
    Py_XDECREF(seen);
    PyBuffer_Release(&out);
    PyBuffer_Release(&table);
    return result;
}

static PyMethodDef METHODS[] = {
    {"words", words, METH_VARARGS, "words(stop_words, chrome_prefixes): the vocabulary counts() codes words with"},
    {"counts", counts, METH_VARARGS, "counts(texts, out, table, ws_bit, terminal, word_code, digit_sample)"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef MODULE = {PyModuleDef_HEAD_INIT, "_textstats", NULL, -1, METHODS, NULL, NULL, NULL, NULL};

PyMODINIT_FUNC PyInit__textstats(void) { return PyModule_Create(&MODULE); }
