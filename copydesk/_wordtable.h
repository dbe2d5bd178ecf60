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

/* An open-addressing table of code point strings: the word tables, and a page's repeat keys. */
typedef struct {
    size_t mask, used;
    uint64_t *hash;
    Py_ssize_t *off, *len; /* key i: pool[off[i] .. off[i] + len[i]) */
    int64_t *value;        /* the word's number or bits; for a repeat key, its count */
    Py_ssize_t *slot;      /* entry of each slot, -1: empty */
    Py_UCS4 *pool;
    Py_ssize_t pool_len, pool_cap;
} table_t;

static void table_free(table_t *t) {
    if (!t) return;
    free(t->hash); free(t->off); free(t->len); free(t->value); free(t->slot); free(t->pool);
    memset(t, 0, sizeof *t);
}

static int table_init(table_t *t, size_t entries) {
    size_t cap = 16;
    while (cap < entries * 2 + 2) cap <<= 1;
    memset(t, 0, sizeof *t);
    t->mask = cap - 1;
    t->hash = malloc(cap * sizeof *t->hash);
    t->off = malloc(cap * sizeof *t->off);
    t->len = malloc(cap * sizeof *t->len);
    t->value = malloc(cap * sizeof *t->value);
    t->slot = malloc(cap * sizeof *t->slot);
    t->pool_cap = 1024;
    t->pool = malloc(t->pool_cap * sizeof *t->pool);
    if (!t->hash || !t->off || !t->len || !t->value || !t->slot || !t->pool) {
        table_free(t);
        return -1;
    }
    for (size_t i = 0; i < cap; i++) t->slot[i] = -1;
    return 0;
}

/* The entry holding key k, or (insert) a new one with value 0; -1: absent (or out of memory). */
static Py_ssize_t table_find(table_t *t, const Py_UCS4 *k, Py_ssize_t n, uint64_t h, int insert) {
    size_t i = (size_t)h & t->mask;
    for (;;) {
        Py_ssize_t e = t->slot[i];
        if (e < 0) break;
        if (t->hash[e] == h && t->len[e] == n && memcmp(t->pool + t->off[e], k, n * sizeof *k) == 0)
            return e;
        i = (i + 1) & t->mask;
    }
    if (!insert || t->used * 2 + 2 > t->mask + 1) return -1;
    if (t->pool_len + n > t->pool_cap) {
        Py_ssize_t cap = t->pool_cap;
        while (cap < t->pool_len + n) cap *= 2;
        Py_UCS4 *p = realloc(t->pool, cap * sizeof *p);
        if (!p) return -1;
        t->pool = p;
        t->pool_cap = cap;
    }
    Py_ssize_t e = (Py_ssize_t)t->used++;
    memcpy(t->pool + t->pool_len, k, n * sizeof *k);
    t->hash[e] = h;
    t->off[e] = t->pool_len;
    t->len[e] = n;
    t->value[e] = 0;
    t->pool_len += n;
    t->slot[i] = e;
    return e;
}

#endif
