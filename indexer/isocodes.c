/* isocodes.c - countries and languages from Debian's iso-codes data: the
 * JSON tables, the gettext catalogues of their translations, and one hash
 * table of folded names per kind. */
#include "isocodes.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define ISO_NAME_MAX 512          /* longer texts name nothing */
#define ISO_FILE_MAX (16 << 20)   /* the largest table or catalogue we read */
#define ISO_CANDIDATES 4

/* Which source a folded name came from: a lower value wins. */
enum iso_prio {
    PRIO_CODE,          /* alpha-2, alpha-3, bibliographic code */
    PRIO_NAME,          /* English name, official or common name (639-2 for languages) */
    PRIO_TRANSLATION,   /* a gettext translation of one of those */
    PRIO_OTHER_NAME,    /* English names from ISO 639-3 */
};

typedef struct iso_cand {
    uint16_t item;      /* index in the db's countries or languages */
    uint16_t votes;     /* how many sources gave this name to this item */
} iso_cand;

typedef struct iso_slot {
    uint32_t name;      /* arena offset + 1; 0: empty slot */
    uint32_t hash;
    uint8_t prio;
    uint8_t n;          /* candidates used */
    uint8_t overflow;   /* more items than ISO_CANDIDATES claimed the name */
    iso_cand c[ISO_CANDIDATES];
} iso_slot;

typedef struct iso_table {
    iso_slot *slots;
    size_t cap;         /* a power of two */
    size_t used;
} iso_table;

typedef struct iso_item {
    char code[4];       /* the one form: "BY"; "ru" or "ast" */
    uint32_t name;      /* arena offset of the English display name */
} iso_item;

typedef struct iso_items {
    iso_item *v;
    size_t n, cap;
} iso_items;

struct iso_db {
    char *arena;        /* every string, NUL-terminated, addressed by offset */
    size_t arena_len, arena_cap;
    iso_table countries, languages;
    iso_items country, language;
};

/* ---- the db's storage --------------------------------------------------- */

static int arena_add(iso_db *db, const char *s, size_t len, uint32_t *off)
{
    if (db->arena_len + len + 1 > db->arena_cap) {
        /* from 64 KB (the country table's names); doubled as the
         * translations come */
        size_t cap = db->arena_cap ? db->arena_cap * 2 : 64 << 10;
        char *p;
        while (cap < db->arena_len + len + 1)
            cap *= 2;
        if (cap > UINT32_MAX || !(p = realloc(db->arena, cap)))
            return -1;
        db->arena = p;
        db->arena_cap = cap;
    }
    memcpy(db->arena + db->arena_len, s, len);
    db->arena[db->arena_len + len] = 0;
    *off = (uint32_t)db->arena_len;
    db->arena_len += len + 1;
    return 0;
}

static int items_add(iso_db *db, iso_items *it, const char *code, const char *name, size_t *idx)
{
    iso_item *v;
    if (it->n >= UINT16_MAX)
        return -1;
    if (it->n == it->cap) {
        size_t cap = it->cap ? it->cap * 2 : 256;
        if (!(v = realloc(it->v, cap * sizeof *v)))
            return -1;
        it->v = v;
        it->cap = cap;
    }
    v = &it->v[it->n];
    snprintf(v->code, sizeof v->code, "%s", code);
    if (arena_add(db, name, strlen(name), &v->name) < 0)
        return -1;
    *idx = it->n++;
    return 0;
}

static uint32_t hash_of(const char *s)
{
    uint32_t h = 2166136261u;     /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

/* The slot holding folded, or the empty slot where it would go. */
static iso_slot *slot_find(const iso_db *db, const iso_table *t, const char *folded, uint32_t h)
{
    size_t mask = t->cap - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
        iso_slot *s = &t->slots[i];
        if (!s->name || (s->hash == h && strcmp(db->arena + s->name - 1, folded) == 0))
            return s;
    }
}

static int table_grow(iso_table *t)
{
    /* from 2,048 slots: the country table alone (a search's --country)
     * fills a few hundred, and each slot touched first costs a page fault */
    size_t cap = t->cap ? t->cap * 2 : 1 << 11;
    iso_slot *slots = calloc(cap, sizeof *slots);
    if (!slots)
        return -1;
    for (size_t i = 0; i < t->cap; i++) {
        size_t j;
        if (!t->slots[i].name)
            continue;
        for (j = t->slots[i].hash & (cap - 1); slots[j].name; j = (j + 1) & (cap - 1))
            ;
        slots[j] = t->slots[i];
    }
    free(t->slots);
    t->slots = slots;
    t->cap = cap;
    return 0;
}

/* Records that key (a folded name, or an exact one in a load-time table of
 * English names) designates item, from a source of priority prio.
 * Returns 0, or -1 when out of memory. */
static int key_add(iso_db *db, iso_table *t, const char *key, size_t len, enum iso_prio prio,
                   size_t item)
{
    uint32_t h = hash_of(key);
    iso_slot *s;

    if ((t->used + 1) * 4 > t->cap * 3 && table_grow(t) < 0)
        return -1;
    s = slot_find(db, t, key, h);
    if (!s->name) {
        uint32_t off;
        if (arena_add(db, key, len, &off) < 0)
            return -1;
        *s = (iso_slot){.name = off + 1, .hash = h, .prio = (uint8_t)prio, .n = 1,
                        .c = {{(uint16_t)item, 1}}};
        t->used++;
        return 0;
    }
    if (prio > s->prio)
        return 0;
    if (prio < s->prio) {
        s->prio = (uint8_t)prio;
        s->n = 1;
        s->overflow = 0;
        s->c[0] = (iso_cand){(uint16_t)item, 1};
        return 0;
    }
    for (int i = 0; i < s->n; i++) {
        if (s->c[i].item == item) {
            if (s->c[i].votes < UINT16_MAX)
                s->c[i].votes++;
            return 0;
        }
    }
    if (s->n < ISO_CANDIDATES)
        s->c[s->n++] = (iso_cand){(uint16_t)item, 1};
    else
        s->overflow = 1;
    return 0;
}

/* key_add with name folded first; names that cannot be folded are skipped. */
static int name_add(iso_db *db, iso_table *t, const char *name, enum iso_prio prio, size_t item)
{
    char folded[ISO_NAME_MAX];
    int len = iso_fold(name, folded, sizeof folded);
    return len > 0 ? key_add(db, t, folded, (size_t)len, prio, item) : 0;
}

/* Adds every ';'-separated part of name (trimmed by folding), and the whole. */
static int names_add(iso_db *db, iso_table *t, const char *name, enum iso_prio prio, size_t item)
{
    char part[ISO_NAME_MAX];
    const char *p = name;

    if (name_add(db, t, name, prio, item) < 0)
        return -1;
    if (!strchr(name, ';'))
        return 0;
    while (*p) {
        size_t n = strcspn(p, ";");
        if (n < sizeof part) {
            memcpy(part, p, n);
            part[n] = 0;
            if (name_add(db, t, part, prio, item) < 0)
                return -1;
        }
        p += n + (p[n] == ';');
    }
    return 0;
}

/* The item key designates, with the priority of its best source in *prio
 * (may be NULL); -1 when none or ambiguous. */
static int key_item(const iso_db *db, const iso_table *t, const char *key, int *prio)
{
    const iso_slot *s;
    int best = -1, tie = 0;

    if (!t->cap)
        return -1;
    s = slot_find(db, t, key, hash_of(key));
    if (!s->name || s->overflow)
        return -1;
    for (int i = 0; i < s->n; i++) {
        if (best < 0 || s->c[i].votes > s->c[best].votes) {
            best = i;
            tie = 0;
        } else if (s->c[i].votes == s->c[best].votes) {
            tie = 1;
        }
    }
    if (best < 0 || tie)
        return -1;
    if (prio)
        *prio = s->prio;
    return s->c[best].item;
}

/* key_item of text folded. */
static int resolve(const iso_db *db, const iso_table *t, const char *text, int *prio)
{
    char folded[ISO_NAME_MAX];
    if (!db || !text || iso_fold(text, folded, sizeof folded) <= 0)
        return -1;
    return key_item(db, t, folded, prio);
}

/* ---- loading ------------------------------------------------------------ */

typedef struct iso_load {
    iso_db *db;
    const char *datadir;
    char *err;          /* the first error, malloc'd */
    /* English names exactly as written, where the catalogues' msgids are
     * looked up (saves folding each msgid once per locale) */
    iso_table country_ids, language_ids;
} iso_load;

/* Adds an English name of item idx: folded into t (with its ';'-separated
 * parts when split), and as written into ids. */
static int english_add(iso_load *l, iso_table *t, iso_table *ids, const char *name,
                       size_t idx, int split)
{
    if ((split ? names_add : name_add)(l->db, t, name, PRIO_NAME, idx) < 0)
        return -1;
    return key_add(l->db, ids, name, strlen(name), PRIO_NAME, idx);
}

__attribute__((format(printf, 2, 3)))
static int load_fail(iso_load *l, const char *fmt, ...)
{
    va_list ap;
    char buf[1024];
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (!l->err)
        l->err = strdup(buf);
    return -1;
}

/* Reads the whole file at path into *out (caller frees) and *len.
 * Returns 0, or -errno (-EFBIG when it is larger than max). */
static int slurp(const char *path, size_t max, unsigned char **out, size_t *len)
{
    unsigned char *buf = NULL;
    struct stat st;
    size_t n = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC), rc = -EIO;

    *out = NULL;
    if (fd < 0)
        return -errno;
    if (fstat(fd, &st) < 0) {
        rc = -errno;
        goto done;
    }
    if (st.st_size < 0 || (uint64_t)st.st_size > max) {
        rc = -EFBIG;
        goto done;
    }
    if (!(buf = malloc((size_t)st.st_size + 1))) {
        rc = -ENOMEM;
        goto done;
    }
    while (n < (size_t)st.st_size) {
        ssize_t got = read(fd, buf + n, (size_t)st.st_size - n);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            rc = -errno;
            goto done;
        }
        if (got == 0)
            break;      /* shrank while read: what was there */
        n += (size_t)got;
    }
    *out = buf;
    *len = n;
    buf = NULL;
    rc = 0;
done:
    free(buf);
    close(fd);
    return rc;
}

/* The array under key in datadir/iso-codes/json/file; *doc owns it. */
static json_t *table_json(iso_load *l, const char *file, const char *key, json_t **doc)
{
    char path[4096];
    json_error_t jerr;
    unsigned char *text = NULL;
    size_t len = 0;
    json_t *arr;
    int err;

    /* read whole, then parsed: json_load_file reads a byte at a time */
    snprintf(path, sizeof path, "%s/iso-codes/json/%s", l->datadir, file);
    if ((err = slurp(path, ISO_FILE_MAX, &text, &len)) < 0) {
        load_fail(l, "cannot read '%s': %s (is the iso-codes package installed?)", path,
                  strerror(-err));
        return NULL;
    }
    *doc = json_loadb((const char *)text, len, 0, &jerr);
    free(text);
    if (!*doc) {
        load_fail(l, "cannot parse '%s': %s at line %d", path, jerr.text, jerr.line);
        return NULL;
    }
    arr = json_object_get(*doc, key);
    if (!json_is_array(arr)) {
        load_fail(l, "'%s' has no \"%s\" array", path, key);
        return NULL;
    }
    return arr;
}

static const char *field(const json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

static int load_countries(iso_load *l)
{
    iso_db *db = l->db;
    json_t *doc = NULL, *arr = table_json(l, "iso_3166-1.json", "3166-1", &doc), *e;
    size_t i;
    int rc = -1;

    if (!arr)
        goto done;
    json_array_foreach(arr, i, e) {
        const char *a2 = field(e, "alpha_2"), *a3 = field(e, "alpha_3"), *name = field(e, "name");
        const char *common = field(e, "common_name"), *official = field(e, "official_name");
        size_t idx;
        if (!a2 || strlen(a2) != 2 || !name)
            continue;
        if (items_add(db, &db->country, a2, common ? common : name, &idx) < 0
            || name_add(db, &db->countries, a2, PRIO_CODE, idx) < 0
            || (a3 && name_add(db, &db->countries, a3, PRIO_CODE, idx) < 0)
            || english_add(l, &db->countries, &l->country_ids, name, idx, 0) < 0
            || (common && english_add(l, &db->countries, &l->country_ids, common, idx, 0) < 0)
            || (official && english_add(l, &db->countries, &l->country_ids, official, idx, 0) < 0)) {
            load_fail(l, "out of memory");
            goto done;
        }
    }
    rc = 0;
done:
    json_decref(doc);
    return rc;
}

/* Adds the codes of one ISO 639 entry for item idx. */
static int language_codes(iso_db *db, const json_t *e, size_t idx)
{
    const char *keys[] = {"alpha_2", "alpha_3", "bibliographic"};
    for (size_t k = 0; k < sizeof keys / sizeof *keys; k++) {
        const char *c = field(e, keys[k]);
        if (c && strlen(c) <= 3 && name_add(db, &db->languages, c, PRIO_CODE, idx) < 0)
            return -1;
    }
    return 0;
}

/* ISO 639-2: the languages whose names the catalogues translate. */
static int load_639_2(iso_load *l)
{
    iso_db *db = l->db;
    json_t *doc = NULL, *arr = table_json(l, "iso_639-2.json", "639-2", &doc), *e;
    size_t i;
    int rc = -1;

    if (!arr)
        goto done;
    json_array_foreach(arr, i, e) {
        const char *a2 = field(e, "alpha_2"), *a3 = field(e, "alpha_3"), *name = field(e, "name");
        char first[ISO_NAME_MAX];     /* "Spanish; Castilian" is shown as "Spanish" */
        size_t idx;
        if (!a3 || strlen(a3) != 3 || !name)
            continue;
        snprintf(first, sizeof first, "%.*s", (int)strcspn(name, ";"), name);
        if (items_add(db, &db->language, a2 ? a2 : a3, first, &idx) < 0
            || language_codes(db, e, idx) < 0
            || english_add(l, &db->languages, &l->language_ids, name, idx, 1) < 0) {
            load_fail(l, "out of memory");
            goto done;
        }
    }
    rc = 0;
done:
    json_decref(doc);
    return rc;
}

/* ISO 639-3, after 639-2: the individual languages 639-2 lacks, and more
 * English names for those it has. */
static int load_639_3(iso_load *l)
{
    iso_db *db = l->db;
    json_t *doc = NULL, *arr = table_json(l, "iso_639-3.json", "639-3", &doc), *e;
    size_t i;
    int rc = -1;

    if (!arr)
        goto done;
    json_array_foreach(arr, i, e) {
        const char *a2 = field(e, "alpha_2"), *a3 = field(e, "alpha_3"), *name = field(e, "name");
        const char *common = field(e, "common_name");
        int prio = -1, known;
        size_t idx;
        if (!a3 || strlen(a3) != 3 || !name)
            continue;
        known = resolve(db, &db->languages, a3, &prio);
        idx = (size_t)known;
        if ((!(known >= 0 && prio == PRIO_CODE)
             && (items_add(db, &db->language, a2 ? a2 : a3, name, &idx) < 0
                 || language_codes(db, e, idx) < 0))
            || names_add(db, &db->languages, name, PRIO_OTHER_NAME, idx) < 0
            || (common && names_add(db, &db->languages, common, PRIO_OTHER_NAME, idx) < 0)) {
            load_fail(l, "out of memory");
            goto done;
        }
    }
    rc = 0;
done:
    json_decref(doc);
    return rc;
}

/* ---- gettext catalogues ---------------------------------------------------- */

static uint32_t mo_u32(const unsigned char *p, int big)
{
    return big ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]
               : (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

/* Adds the translations in one .mo catalogue: each msgid that is an
 * English name in ids gives its msgstr to the same item in t. A catalogue
 * that cannot be read is skipped, a malformed one from its first bad entry
 * on. Returns 0, or -1 when out of memory. */
static int mo_load(iso_db *db, iso_table *t, const iso_table *ids, const char *path, int split)
{
    unsigned char *mo = NULL;
    size_t len = 0;
    uint32_t n, orig, trans;
    int big, rc = 0;

    if (slurp(path, ISO_FILE_MAX, &mo, &len) < 0 || len < 20)
        goto done;
    if (mo_u32(mo, 0) == 0x950412de)
        big = 0;
    else if (mo_u32(mo, 1) == 0x950412de)
        big = 1;
    else
        goto done;
    if (mo_u32(mo + 4, big) >> 16 > 1)     /* major revisions 0 and 1 share this layout */
        goto done;
    n = mo_u32(mo + 8, big);
    orig = mo_u32(mo + 12, big);
    trans = mo_u32(mo + 16, big);
    if ((uint64_t)orig + (uint64_t)n * 8 > len || (uint64_t)trans + (uint64_t)n * 8 > len)
        goto done;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t ilen = mo_u32(mo + orig + 8 * i, big), ioff = mo_u32(mo + orig + 8 * i + 4, big);
        uint32_t slen = mo_u32(mo + trans + 8 * i, big), soff = mo_u32(mo + trans + 8 * i + 4, big);
        const char *id = (const char *)mo + ioff, *str = (const char *)mo + soff;
        int item, prio = -1;
        /* each string is followed by a NUL (a plural msgstr holds its forms
         * NUL-separated: the first one is used) */
        if ((uint64_t)ioff + ilen >= len || (uint64_t)soff + slen >= len || id[ilen] || str[slen])
            break;
        if (ilen == 0 || slen == 0 || memchr(id, '\x04', ilen))   /* header; msgctxt */
            continue;
        if (ilen == slen && memcmp(id, str, ilen) == 0)   /* the English name beats it anyway */
            continue;
        item = key_item(db, ids, id, &prio);
        if (item >= 0 && (split ? names_add : name_add)(db, t, str, PRIO_TRANSLATION, (size_t)item) < 0) {
            rc = -1;
            break;
        }
    }
done:
    free(mo);
    return rc;
}

/* Every datadir/locale/LANG/LC_MESSAGES/domain.mo into t. */
static int load_translations(iso_load *l, iso_table *t, const iso_table *ids, const char *domain,
                             int split)
{
    char path[4096];
    struct dirent *de;
    DIR *d;
    int rc = 0;

    snprintf(path, sizeof path, "%s/locale", l->datadir);
    if (!(d = opendir(path)))
        return 0;     /* no translations: codes and English names still work */
    while (rc == 0 && (de = readdir(d))) {
        if (de->d_name[0] == '.')
            continue;
        snprintf(path, sizeof path, "%s/locale/%s/LC_MESSAGES/%s.mo", l->datadir, de->d_name,
                 domain);
        if (mo_load(l->db, t, ids, path, split) < 0)
            rc = load_fail(l, "out of memory");
    }
    closedir(d);
    return rc;
}

/* parts: ISO_COUNTRIES, ISO_639_2, ISO_639_3 (which needs ISO_639_2),
 * ISO_TRANSLATIONS (of the tables loaded) */
enum { ISO_COUNTRIES = 1, ISO_639_2 = 2, ISO_639_3 = 4, ISO_TRANSLATIONS = 8 };

static int load(iso_db **out, const char *datadir, int parts, char **errmsg)
{
    iso_load l = {.datadir = datadir ? datadir : "/usr/share"};
    int rc = -1;

    *out = NULL;
    if (errmsg)
        *errmsg = NULL;
    if (!(l.db = calloc(1, sizeof *l.db))) {
        load_fail(&l, "out of memory");
        goto done;
    }
    if (((parts & ISO_COUNTRIES) && load_countries(&l) < 0)
        || ((parts & ISO_639_2) && load_639_2(&l) < 0)
        || ((parts & ISO_639_3) && load_639_3(&l) < 0)
        || ((parts & ISO_TRANSLATIONS) && (parts & ISO_COUNTRIES)
            && load_translations(&l, &l.db->countries, &l.country_ids, "iso_3166-1", 0) < 0)
        || ((parts & ISO_TRANSLATIONS) && (parts & ISO_639_2)
            && load_translations(&l, &l.db->languages, &l.language_ids, "iso_639-2", 1) < 0))
        goto done;
    *out = l.db;
    l.db = NULL;
    rc = 0;
done:
    free(l.country_ids.slots);
    free(l.language_ids.slots);
    iso_db_free(l.db);
    if (errmsg && rc < 0)
        *errmsg = l.err ? l.err : strdup("out of memory");
    else
        free(l.err);
    return rc;
}

int iso_db_load(iso_db **out, const char *datadir, char **errmsg)
{
    return load(out, datadir, ISO_COUNTRIES | ISO_639_2 | ISO_639_3 | ISO_TRANSLATIONS, errmsg);
}

int iso_db_load_countries(iso_db **out, const char *datadir, char **errmsg)
{
    return load(out, datadir, ISO_COUNTRIES, errmsg);
}

int iso_db_load_language_codes(iso_db **out, const char *datadir, char **errmsg)
{
    return load(out, datadir, ISO_639_2, errmsg);
}

void iso_db_free(iso_db *db)
{
    if (!db)
        return;
    free(db->arena);
    free(db->countries.slots);
    free(db->languages.slots);
    free(db->country.v);
    free(db->language.v);
    free(db);
}

/* ---- lookups ------------------------------------------------------------ */

int iso_country(const iso_db *db, const char *text, char out[3])
{
    int item = db ? resolve(db, &db->countries, text, NULL) : -1;
    out[0] = 0;
    if (item < 0)
        return -1;
    memcpy(out, db->country.v[item].code, 3);
    return 0;
}

const char *iso_country_name(const iso_db *db, const char *code)
{
    int prio = -1, item = db ? resolve(db, &db->countries, code, &prio) : -1;
    return item >= 0 && prio == PRIO_CODE ? db->arena + db->country.v[item].name : NULL;
}

int iso_language(const iso_db *db, const char *text, char out[4])
{
    int item = db ? resolve(db, &db->languages, text, NULL) : -1;
    out[0] = 0;
    if (item < 0)
        return -1;
    memcpy(out, db->language.v[item].code, 4);
    return 0;
}

int iso_language_by_code(const iso_db *db, const char *text, char out[4])
{
    int prio = -1, item = db ? resolve(db, &db->languages, text, &prio) : -1;
    out[0] = 0;
    if (item < 0 || prio != PRIO_CODE)
        return -1;
    memcpy(out, db->language.v[item].code, 4);
    return 0;
}

const char *iso_language_name(const iso_db *db, const char *code)
{
    int prio = -1, item = db ? resolve(db, &db->languages, code, &prio) : -1;
    return item >= 0 && prio == PRIO_CODE ? db->arena + db->language.v[item].name : NULL;
}
