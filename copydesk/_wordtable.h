/* copydesk/_wordtable.h: a table of code point strings (lowercase words), shared by the compiled
 * parts that look words up: _textstats.c (stop words and chrome prefixes) and _linestats.c
 * (stop words, the line model's vocabulary, a page's repeat keys). Open addressing, a 64-bit
 * FNV-1a hash; each entry holds a value (a word's bits or number, a key's count). */
#ifndef COPYDESK_WORDTABLE_H
#define COPYDESK_WORDTABLE_H

#include <Python.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static uint64_t hash_cps(const Py_UCS4 *k, Py_ssize_t n) {
    uint64_t h = 1469598103934665603ULL;
    for (Py_ssize_t i = 0; i < n; i++) {
        h ^= k[i];
        h *= 1099511628211ULL;
    }
    h ^= h >> 29;
    h *= 0xbf58476d1ce4e5b9ULL;
    return h ^ (h >> 32);
}

/* A slot holds its key's place in the pool, its length (-1: an empty slot), the high half of its
 * hash and its value: a probe reads one place, and the pool only to confirm a match. */
typedef struct {
    uint32_t tag;
    int32_t len;
    uint32_t off;
    int32_t value; /* the word's number or bits; for a repeat key, its count */
} slot_t;

/* An open-addressing table of code point strings: the word tables, and a page's repeat keys. An
 * entry is the number of its slot (slots never move: the table is sized for its entries). */
typedef struct {
    size_t mask, used;
    slot_t *slot;
    Py_UCS4 *pool;
    Py_ssize_t pool_len, pool_cap;
} table_t;

static void table_free(table_t *t) {
    if (!t) return;
    free(t->slot); free(t->pool);
    memset(t, 0, sizeof *t);
}

static int table_init(table_t *t, size_t entries) {
    size_t cap = 16;
    if (entries > INT32_MAX / 4) return -1;
    while (cap < entries * 2 + 2) cap <<= 1;
    memset(t, 0, sizeof *t);
    t->mask = cap - 1;
    t->slot = malloc(cap * sizeof *t->slot);
    t->pool_cap = 1024;
    t->pool = malloc(t->pool_cap * sizeof *t->pool);
    if (!t->slot || !t->pool) {
        table_free(t);
        return -1;
    }
    for (size_t i = 0; i < cap; i++) t->slot[i].len = -1;
    return 0;
}

/* Whether a and b hold the same n code points (keys are words: a loop beats a call of memcmp). */
static inline int same_cps(const Py_UCS4 *a, const Py_UCS4 *b, Py_ssize_t n) {
    for (Py_ssize_t i = 0; i < n; i++)
        if (a[i] != b[i]) return 0;
    return 1;
}

/* The entry holding key k, or (insert) a new one with value 0; -1: absent (or out of memory). */
static Py_ssize_t table_find(table_t *t, const Py_UCS4 *k, Py_ssize_t n, uint64_t h, int insert) {
    size_t i = (size_t)h & t->mask;
    uint32_t tag = (uint32_t)(h >> 32);
    for (;;) {
        const slot_t *s = &t->slot[i];
        if (s->len < 0) break;
        if (s->tag == tag && s->len == n && same_cps(t->pool + s->off, k, n))
            return (Py_ssize_t)i;
        i = (i + 1) & t->mask;
    }
    if (!insert || t->used * 2 + 2 > t->mask + 1 || n > INT32_MAX || t->pool_len + n > (Py_ssize_t)UINT32_MAX)
        return -1;
    if (t->pool_len + n > t->pool_cap) {
        Py_ssize_t cap = t->pool_cap;
        while (cap < t->pool_len + n) cap *= 2;
        Py_UCS4 *p = realloc(t->pool, cap * sizeof *p);
        if (!p) return -1;
        t->pool = p;
        t->pool_cap = cap;
    }
    memcpy(t->pool + t->pool_len, k, n * sizeof *k);
    slot_t *s = &t->slot[i];
    s->tag = tag;
    s->len = (int32_t)n;
    s->off = (uint32_t)t->pool_len;
    s->value = 0;
    t->pool_len += n;
    t->used++;
    return (Py_ssize_t)i;
}

#endif
