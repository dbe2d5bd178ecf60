/* copydesk._segment: segmentation in C, the same result as segment.py's Python walk.
 *
 * segment.py owns the contract and the reference (`_segment_py`); a test checks that both
 * give equal results on every shared page. This module walks lexbor's tree directly, with no
 * node objects, and calls back into Python only for what segment.py keeps there: the class/id
 * vocabulary (`_attr_facts`, behind its cache, a dict read here) and the `Block` type.
 *
 * It links to nothing at build time: lexbor's functions are looked up in selectolax's own
 * extension module, already loaded (`bind`), and the one struct offset it reads (a text
 * node's characters) is found by segment.py on probe pages and checked there.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <dlfcn.h>
#include <stdint.h>
#include <string.h>

typedef void node_t;
typedef void attr_t;
typedef struct { const unsigned char *data; size_t length; } lstr_t;

static node_t *(*first_child)(node_t *);
static node_t *(*next_sibling)(node_t *);
static node_t *(*parent_of)(node_t *);
static uintptr_t (*tag_id_of)(node_t *);
static attr_t *(*first_attr)(node_t *);
static attr_t *(*next_attr)(attr_t *);
static const unsigned char *(*attr_name)(attr_t *, size_t *);
static const unsigned char *(*attr_value)(attr_t *, size_t *);
static Py_ssize_t text_offset = -1;

static const char *SYMBOLS[] = {
    "lxb_dom_node_first_child_noi", "lxb_dom_node_next_noi", "lxb_dom_node_parent_noi",
    "lxb_dom_node_tag_id_noi", "lxb_dom_element_first_attribute_noi",
    "lxb_dom_element_next_attribute_noi", "lxb_dom_attr_qualified_name", "lxb_dom_attr_value_noi",
};

/* What segment.py hands over once (`configure`). */
static struct {
    PyObject *tags;        /* tuple by tag id: block-level tag name, or None */
    PyObject *tag_flags;   /* tuple by tag id: landmark flags (int) */
    PyObject *tag_kinds;   /* tuple by tag id: 1-6 heading level, 7 list item, 8 caption, 9 cell, 0 other */
    PyObject *role_flags;  /* dict: role -> flags */
    PyObject *attr_cache;  /* dict: tokens -> (mask, flags, packed increments) */
    PyObject *attr_facts;  /* callable(tokens) -> the same tuple, filling the cache */
    PyObject *block_type;
    PyObject *kinds;       /* tuple: paragraph heading list_item quote code table caption */
    PyObject *space, *empty, *newline, *lower, *articlebody, *true_str;
    unsigned long long text_id, br_id, hr_id, a_id, first_element;
    long f_pre, f_quote, f_heading, f_link_block, f_body, f_hidden;
    Py_ssize_t max_depth, max_blocks;
    int ready;
} C;

static PyObject *bind(PyObject *self, PyObject *args) {
    const char *path;
    Py_ssize_t offset;
    if (!PyArg_ParseTuple(args, "sn", &path, &offset))
        return NULL;
    void *lib = dlopen(path, RTLD_NOW | RTLD_NOLOAD);
    if (lib == NULL) {
        PyErr_Format(PyExc_ImportError, "selectolax's module is not loaded: %s", path);
        return NULL;
    }
    void *found[8];
    for (int i = 0; i < 8; i++) {
        found[i] = dlsym(lib, SYMBOLS[i]);
        if (found[i] == NULL) {
            PyErr_Format(PyExc_ImportError, "selectolax's module lacks %s", SYMBOLS[i]);
            return NULL;
        }
    }
    first_child = found[0]; next_sibling = found[1]; parent_of = found[2]; tag_id_of = found[3];
    first_attr = found[4]; next_attr = found[5]; attr_name = found[6]; attr_value = found[7];
    text_offset = offset;
    Py_RETURN_NONE;
}

static PyObject *configure(PyObject *self, PyObject *args) {
    PyObject *tags, *tag_flags, *tag_kinds, *role_flags, *attr_cache, *attr_facts, *block_type, *kinds;
    if (!PyArg_ParseTuple(args, "O!O!O!O!O!OOO!(KKKKK)(llllll)nn", &PyTuple_Type, &tags, &PyTuple_Type, &tag_flags,
                          &PyTuple_Type, &tag_kinds, &PyDict_Type, &role_flags, &PyDict_Type, &attr_cache,
                          &attr_facts, &block_type, &PyTuple_Type, &kinds, &C.text_id, &C.br_id, &C.hr_id,
                          &C.a_id, &C.first_element, &C.f_pre, &C.f_quote, &C.f_heading, &C.f_link_block,
                          &C.f_body, &C.f_hidden, &C.max_depth, &C.max_blocks))
        return NULL;
    if (PyTuple_GET_SIZE(tag_flags) != PyTuple_GET_SIZE(tags) || PyTuple_GET_SIZE(tag_kinds) != PyTuple_GET_SIZE(tags)
            || PyTuple_GET_SIZE(kinds) != 7 || C.max_depth < 1) {
        PyErr_SetString(PyExc_ValueError, "configure: inconsistent tables");
        return NULL;
    }
    PyObject *objs[] = {tags, tag_flags, tag_kinds, role_flags, attr_cache, attr_facts, block_type, kinds};
    PyObject **slots[] = {&C.tags, &C.tag_flags, &C.tag_kinds, &C.role_flags, &C.attr_cache, &C.attr_facts,
                          &C.block_type, &C.kinds};
    for (int i = 0; i < 8; i++)
        Py_XSETREF(*slots[i], Py_NewRef(objs[i]));
    if (!C.space) {
        C.space = PyUnicode_InternFromString(" ");
        C.empty = PyUnicode_InternFromString("");
        C.newline = PyUnicode_InternFromString("\n");
        C.lower = PyUnicode_InternFromString("lower");
        C.articlebody = PyUnicode_InternFromString("articlebody");
        C.true_str = PyUnicode_InternFromString("true");
        if (!C.space || !C.empty || !C.newline || !C.lower || !C.articlebody || !C.true_str)
            return NULL;
    }
    C.ready = 1;
    Py_RETURN_NONE;
}

static PyObject *text_at(PyObject *self, PyObject *args) {
    unsigned long long ptr;
    Py_ssize_t offset;
    if (!PyArg_ParseTuple(args, "Kn", &ptr, &offset))
        return NULL;
    const lstr_t *s = (const lstr_t *)((const char *)(uintptr_t)ptr + offset);
    return Py_BuildValue("(KK)", (unsigned long long)(uintptr_t)s->data, (unsigned long long)s->length);
}

/* ------------------------------------------------------------------ small helpers */

static int all_space(PyObject *t) {
    Py_ssize_t n = PyUnicode_GET_LENGTH(t);
    int kind = PyUnicode_KIND(t);
    const void *d = PyUnicode_DATA(t);
    for (Py_ssize_t i = 0; i < n; i++)
        if (!Py_UNICODE_ISSPACE(PyUnicode_READ(kind, d, i)))
            return 0;
    return 1;
}

/* len(t.strip()) */
static Py_ssize_t stripped_len(PyObject *t) {
    Py_ssize_t n = PyUnicode_GET_LENGTH(t), a = 0, b;
    int kind = PyUnicode_KIND(t);
    const void *d = PyUnicode_DATA(t);
    while (a < n && Py_UNICODE_ISSPACE(PyUnicode_READ(kind, d, a)))
        a++;
    b = n;
    while (b > a && Py_UNICODE_ISSPACE(PyUnicode_READ(kind, d, b - 1)))
        b--;
    return b - a;
}

static PyObject *decode(const unsigned char *data, size_t len) {
    return PyUnicode_DecodeUTF8((const char *)data, (Py_ssize_t)len, "replace");
}

static PyObject *lowered(PyObject *s) {
    return PyObject_CallMethodNoArgs(s, C.lower);
}

/* ------------------------------------------------------------------ open elements */

typedef struct {
    Py_ssize_t eid;
    PyObject *tag;           /* borrowed from C.tags */
    PyObject *tokens;        /* owned */
    long flags, mask, kind;  /* kind: C.tag_kinds' code */
    unsigned long long cum;
} elem_t;

#define NAME_IS(lit) (len == sizeof(lit) - 1 && memcmp(name, lit, len) == 0)

/* segment._enter: the element's flags, class/id tokens, vocabulary bits and packed counts. */
static int enter(elem_t *e, node_t *node, uintptr_t tid, const elem_t *outer) {
    PyObject *vals[6] = {NULL, NULL, NULL, NULL, NULL, NULL}; /* class id role itemprop aria-hidden aria-modal */
    Py_ssize_t count = 0;
    int rc = -1;
    e->tag = PyTuple_GET_ITEM(C.tags, tid);
    e->flags = PyLong_AsLong(PyTuple_GET_ITEM(C.tag_flags, tid));
    e->kind = PyLong_AsLong(PyTuple_GET_ITEM(C.tag_kinds, tid));
    e->cum = 0;
    e->mask = 0;
    e->tokens = NULL;
    if (outer != NULL) {
        e->flags |= outer->flags;
        e->cum = outer->cum;
    }
    for (attr_t *a = first_attr(node); a != NULL; a = next_attr(a)) {
        size_t len = 0;
        const unsigned char *name = attr_name(a, &len);
        count++;
        if (name == NULL)
            continue;
        int k = NAME_IS("class") ? 0 : NAME_IS("id") ? 1 : NAME_IS("role") ? 2 : NAME_IS("itemprop") ? 3
              : NAME_IS("aria-hidden") ? 4 : NAME_IS("aria-modal") ? 5 : -1;
        if (k < 0)
            continue;
        size_t vlen = 0;
        const unsigned char *v = attr_value(a, &vlen);
        PyObject *val = v == NULL ? Py_NewRef(Py_None) : decode(v, vlen);
        if (val == NULL)
            goto done;
        Py_XSETREF(vals[k], val);
    }
    int has_cls = vals[0] != NULL && vals[0] != Py_None && PyUnicode_GET_LENGTH(vals[0]);
    int has_id = vals[1] != NULL && vals[1] != Py_None && PyUnicode_GET_LENGTH(vals[1]);
    if (has_cls || has_id) {
        PyObject *joined = PyUnicode_FromFormat("%U %U", has_cls ? vals[0] : C.empty, has_id ? vals[1] : C.empty);
        if (joined == NULL)
            goto done;
        e->tokens = lowered(joined);
        Py_DECREF(joined);
        if (e->tokens == NULL)
            goto done;
        PyObject *facts = PyDict_GetItemWithError(C.attr_cache, e->tokens);
        if (facts != NULL) {
            Py_INCREF(facts);
        } else {
            if (PyErr_Occurred())
                goto done;
            facts = PyObject_CallOneArg(C.attr_facts, e->tokens);
            if (facts == NULL)
                goto done;
        }
        if (!PyTuple_Check(facts) || PyTuple_GET_SIZE(facts) != 3) {
            Py_DECREF(facts);
            PyErr_SetString(PyExc_TypeError, "_attr_facts must return a 3-tuple");
            goto done;
        }
        e->mask = PyLong_AsLong(PyTuple_GET_ITEM(facts, 0));
        e->flags |= PyLong_AsLong(PyTuple_GET_ITEM(facts, 1));
        e->cum += PyLong_AsUnsignedLongLongMask(PyTuple_GET_ITEM(facts, 2));
        Py_DECREF(facts);
    } else {
        e->tokens = Py_NewRef(C.empty);
    }
    if (count > 1 || PyUnicode_GET_LENGTH(e->tokens) == 0) {
        PyObject *role = vals[2], *itemprop = vals[3];
        if (role != NULL && role != Py_None && PyUnicode_GET_LENGTH(role)) {
            PyObject *low = lowered(role);
            if (low == NULL)
                goto done;
            PyObject *f = PyDict_GetItemWithError(C.role_flags, low);
            Py_DECREF(low);
            if (f != NULL)
                e->flags |= PyLong_AsLong(f);
            else if (PyErr_Occurred())
                goto done;
        }
        if (itemprop != NULL && itemprop != Py_None && PyUnicode_GET_LENGTH(itemprop)) {
            PyObject *low = lowered(itemprop);
            if (low == NULL)
                goto done;
            int has = PyUnicode_Contains(low, C.articlebody);
            Py_DECREF(low);
            if (has < 0)
                goto done;
            if (has)
                e->flags |= C.f_body;
        }
        for (int k = 4; k < 6; k++)
            if (vals[k] != NULL && vals[k] != Py_None && PyUnicode_Compare(vals[k], C.true_str) == 0)
                e->flags |= C.f_hidden;
    }
    rc = PyErr_Occurred() ? -1 : 0;
done:
    for (int k = 0; k < 6; k++)
        Py_XDECREF(vals[k]);
    return rc;
}

/* ------------------------------------------------------------------ the walk */

typedef struct {
    elem_t *open;           /* open block-level elements, root first */
    Py_ssize_t depth;
    char *opened;           /* per open element: 0 inline, 1 block, 2 link */
    Py_ssize_t n_opened, cap_opened;
    PyObject *buf;          /* the current line's text pieces */
    Py_ssize_t link_chars;
    PyObject *blocks, *own, *parent, *cum, *rules;
    int truncated;
} walk_t;

static int push_opened(walk_t *w, char k) {
    if (w->n_opened == w->cap_opened) {
        Py_ssize_t cap = w->cap_opened ? w->cap_opened * 2 : 256;
        char *p = PyMem_Realloc(w->opened, (size_t)cap);
        if (p == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        w->opened = p;
        w->cap_opened = cap;
    }
    w->opened[w->n_opened++] = k;
    return 0;
}

static int append_new(PyObject *list, PyObject *item) {
    if (item == NULL)
        return -1;
    int rc = PyList_Append(list, item);
    Py_DECREF(item);
    return rc;
}

/* segment's line end: the text in `buf` (emptied) becomes a block of the innermost element. */
static int flush(walk_t *w) {
    if (PyList_GET_SIZE(w->buf) == 0)
        return 0;
    Py_ssize_t link_chars = w->link_chars;
    w->link_chars = 0;
    PyObject *raw = PyUnicode_Join(C.empty, w->buf);
    if (raw == NULL || PyList_SetSlice(w->buf, 0, PY_SSIZE_T_MAX, NULL) < 0) {
        Py_XDECREF(raw);
        return -1;
    }
    const elem_t *e = &w->open[w->depth - 1];
    long flags = e->flags;
    PyObject *text;
    if (flags & C.f_pre) {
        text = PyObject_CallMethod(raw, "strip", "O", C.newline);
        Py_DECREF(raw);
        if (text == NULL)
            return -1;
        if (all_space(text)) {
            Py_DECREF(text);
            return 0;
        }
    } else {
        PyObject *words = PyUnicode_Split(raw, NULL, -1);
        Py_DECREF(raw);
        if (words == NULL)
            return -1;
        if (PyList_GET_SIZE(words) == 0) {
            Py_DECREF(words);
            return 0;
        }
        text = PyUnicode_Join(C.space, words);
        Py_DECREF(words);
        if (text == NULL)
            return -1;
    }
    Py_ssize_t index = PyList_GET_SIZE(w->blocks);
    if (index >= C.max_blocks) {
        w->truncated = 1;
        Py_DECREF(text);
        return 0;
    }
    long level = 0;
    int kind;
    if (e->kind >= 1 && e->kind <= 6) {
        kind = 1;
        level = e->kind;
        flags |= C.f_heading;
    } else if (flags & C.f_pre) {
        kind = 4;
    } else if (e->kind == 7) {
        kind = 2;
    } else if (flags & C.f_quote) {
        kind = 3;
    } else if (e->kind == 8) {
        kind = 6;
    } else if (e->kind == 9) {
        kind = 5;
    } else {
        kind = 0;
    }
    Py_ssize_t n_chars = PyUnicode_GET_LENGTH(text);
    if (link_chars > n_chars)
        link_chars = n_chars;
    if (link_chars && (double)link_chars >= n_chars * 0.9)
        flags |= C.f_link_block;
    PyObject *ids = PyTuple_New(w->depth), *path = PyTuple_New(w->depth);
    if (ids == NULL || path == NULL) {
        Py_DECREF(text);
        Py_XDECREF(ids);
        Py_XDECREF(path);
        return -1;
    }
    for (Py_ssize_t i = 0; i < w->depth; i++) {
        PyObject *eid = PyLong_FromSsize_t(w->open[i].eid);
        if (eid == NULL) {
            Py_DECREF(text);
            Py_DECREF(ids);
            Py_DECREF(path);
            return -1;
        }
        PyTuple_SET_ITEM(ids, i, eid);
        PyTuple_SET_ITEM(path, i, Py_NewRef(w->open[i].tag));
    }
    PyObject *block = PyObject_CallFunction(C.block_type, "NOOlnnnlONN", text, PyTuple_GET_ITEM(C.kinds, kind), e->tag,
                                            level, index, w->depth - 1, link_chars, flags, e->tokens, ids, path);
    if (append_new(w->blocks, block) < 0)
        return -1;
    if (append_new(w->own, PyLong_FromLong(e->mask)) < 0
            || append_new(w->parent, PyLong_FromLong(w->depth > 1 ? w->open[w->depth - 2].mask : 0)) < 0
            || append_new(w->cum, PyLong_FromUnsignedLongLong(e->cum)) < 0)
        return -1;
    return 0;
}

static PyObject *text_of(node_t *node) {
    const lstr_t *s = (const lstr_t *)((const char *)node + text_offset);
    if (s->data == NULL)
        return NULL;
    return decode(s->data, s->length);
}

static int is_block(uintptr_t tid) {
    return tid < (uintptr_t)PyTuple_GET_SIZE(C.tags) && PyTuple_GET_ITEM(C.tags, tid) != Py_None;
}

/* segment(root) -> (blocks, own masks, parent masks, packed counts, rule_at, truncated) */
static PyObject *segment(PyObject *self, PyObject *args) {
    unsigned long long root_ptr;
    if (!PyArg_ParseTuple(args, "K", &root_ptr))
        return NULL;
    if (text_offset < 0 || !C.ready) {
        PyErr_SetString(PyExc_RuntimeError, "copydesk._segment is not bound and configured");
        return NULL;
    }
    node_t *root = (node_t *)(uintptr_t)root_ptr;
    uintptr_t root_tid = tag_id_of(root);
    if (!is_block(root_tid)) {
        PyErr_SetString(PyExc_ValueError, "the root is not a block-level element");
        return NULL;
    }
    walk_t w = {0};
    PyObject *result = NULL;
    Py_ssize_t eid = 1, in_link = 0, in_pre = 0;
    w.open = PyMem_Calloc((size_t)C.max_depth, sizeof(elem_t));
    w.buf = PyList_New(0);
    w.blocks = PyList_New(0);
    w.own = PyList_New(0);
    w.parent = PyList_New(0);
    w.cum = PyList_New(0);
    w.rules = PyList_New(0);
    if (!w.open || !w.buf || !w.blocks || !w.own || !w.parent || !w.cum || !w.rules) {
        PyErr_NoMemory();
        goto done;
    }
    if (enter(&w.open[0], root, root_tid, NULL) < 0)
        goto done;
    w.open[0].eid = 1;
    w.depth = 1;
    in_pre = (w.open[0].flags & C.f_pre) != 0;
    if (push_opened(&w, 1) < 0)
        goto done;
    node_t *node = first_child(root);
    while (node != NULL) {
        uintptr_t tid = tag_id_of(node);
        node_t *child = NULL;
        int leaving = 0;
        if (tid == C.text_id) {
            PyObject *t = text_of(node);
            if (t == NULL && PyErr_Occurred())
                goto done;
            if (t != NULL) {
                int rc = 0;
                if (PyUnicode_GET_LENGTH(t) && (PyList_GET_SIZE(w.buf) || in_pre || !all_space(t))) {
                    if (in_link)
                        w.link_chars += stripped_len(t);
                    rc = PyList_Append(w.buf, t);
                }
                Py_DECREF(t);
                if (rc < 0)
                    goto done;
            }
        } else if (tid < C.first_element) {
            /* a comment, or a node lexbor does not name */
        } else if (is_block(tid) && w.depth < C.max_depth) {
            if (flush(&w) < 0)
                goto done;
            elem_t *e = &w.open[w.depth];
            if (enter(e, node, tid, &w.open[w.depth - 1]) < 0) {
                Py_CLEAR(e->tokens);
                goto done;
            }
            e->eid = ++eid;
            w.depth++;
            if (e->flags & C.f_pre)
                in_pre++;
            if (push_opened(&w, 1) < 0)
                goto done;
            child = first_child(node);
            leaving = 1;
        } else if (tid == C.br_id || tid == C.hr_id) {
            if (flush(&w) < 0)
                goto done;
            if (tid == C.hr_id && append_new(w.rules, PyLong_FromSsize_t(PyList_GET_SIZE(w.blocks))) < 0)
                goto done;
        } else if (tid == C.a_id) {
            in_link++;
            if (push_opened(&w, 2) < 0)
                goto done;
            child = first_child(node);
            leaving = 1;
        } else {
            if (push_opened(&w, 0) < 0)
                goto done;
            child = first_child(node);
            leaving = 1;
        }
        if (child != NULL) {
            node = child;
            continue;
        }
        for (;;) {
            if (leaving) {
                char kind = w.opened[--w.n_opened];
                if (kind == 1) {
                    if (flush(&w) < 0)
                        goto done;
                    elem_t *e = &w.open[--w.depth];
                    if (e->flags & C.f_pre)
                        in_pre--;
                    Py_CLEAR(e->tokens);
                } else if (kind == 2) {
                    in_link--;
                }
            }
            node_t *nxt = next_sibling(node);
            if (nxt != NULL) {
                node = nxt;
                break;
            }
            node = parent_of(node);
            if (node == NULL || w.n_opened <= 1) {
                node = NULL;
                break;
            }
            leaving = 1;
        }
    }
    if (flush(&w) < 0)
        goto done;
    result = Py_BuildValue("(OOOOOO)", w.blocks, w.own, w.parent, w.cum, w.rules, w.truncated ? Py_True : Py_False);
done:
    if (w.open != NULL)
        for (Py_ssize_t i = 0; i < w.depth; i++)
            Py_CLEAR(w.open[i].tokens);
    PyMem_Free(w.open);
    PyMem_Free(w.opened);
    Py_XDECREF(w.buf);
    Py_XDECREF(w.blocks);
    Py_XDECREF(w.own);
    Py_XDECREF(w.parent);
    Py_XDECREF(w.cum);
    Py_XDECREF(w.rules);
    return result;
}

static PyMethodDef METHODS[] = {
    {"bind", bind, METH_VARARGS, "bind(path, text_offset): look lexbor's functions up in selectolax's module"},
    {"configure", configure, METH_VARARGS, "configure(...): segment.py's tables (see _bind_native)"},
    {"text_at", text_at, METH_VARARGS, "text_at(node, offset): (pointer, length) read at a node's offset (probing)"},
    {"segment", segment, METH_VARARGS, "segment(root): segment.py's result for the tree under `root`"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef MODULE = {PyModuleDef_HEAD_INIT, "_segment", NULL, -1, METHODS};

PyMODINIT_FUNC PyInit__segment(void) { return PyModule_Create(&MODULE); }
