/* walk.c - a stat-only recursive walk with loop protection. */
#include "walk.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define WALK_MAX_DEPTH 128

/* Files that sit beside media but are not media: they are read by other
 * parts of reel (sidecars, subtitles) or by nobody. Probing them would only
 * fill the error list. */
static const char *const not_media_ext[] = {
    "ass", "ssa", "sub", "idx", "txt", "md", "nfo", "xmp", "pdf",
    "doc", "docx", "csv", "log", "ini", "db", "db-wal", "db-shm", "db-journal", "sqlite",
    "part", "tmp", "lnk", "url", NULL,
};
/* ...of which these carry editorial values: reported as companions. */
static const char *const companion_ext[] = {"json", "srt", "vtt", NULL};

void walk_skip_add(walk_skip *skip, const char *path)
{
    struct stat st;
    if (skip->n < 8 && stat(path, &st) == 0) {
        skip->dev[skip->n] = st.st_dev;
        skip->ino[skip->n] = st.st_ino;
        skip->n++;
    }
}

static int skipped(const walk_skip *skip, const struct stat *st)
{
    for (int i = 0; skip && i < skip->n; i++)
        if (skip->dev[i] == st->st_dev && skip->ino[i] == st->st_ino)
            return 1;
    return 0;
}

static int has_ext(const char *name, const char *const *list)
{
    const char *dot = strrchr(name, '.');
    if (!dot)
        return 0;
    for (const char *const *e = list; *e; e++)
        if (strcasecmp(dot + 1, *e) == 0)
            return 1;
    return 0;
}

int walk_utf8_valid(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        int n;
        uint32_t cp;
        if (*p < 0x80) {
            p++;
            continue;
        } else if ((*p & 0xE0) == 0xC0) {
            n = 1, cp = *p & 0x1F;
        } else if ((*p & 0xF0) == 0xE0) {
            n = 2, cp = *p & 0x0F;
        } else if ((*p & 0xF8) == 0xF0) {
            n = 3, cp = *p & 0x07;
        } else {
            return 0;
        }
        for (int i = 1; i <= n; i++) {
            if ((p[i] & 0xC0) != 0x80)
                return 0;
            cp = cp << 6 | (p[i] & 0x3F);
        }
        /* overlong forms, surrogates and values past U+10FFFF */
        if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000)
            || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
            return 0;
        p += n + 1;
    }
    return 1;
}

void walk_escape(const char *s, char *out, size_t size)
{
    size_t o = 0;
    char one[8];
    while (*s && o + 5 < size) {
        /* copy the longest valid UTF-8 sequence at s, else escape one byte */
        int len = 1;
        unsigned char c = (unsigned char)*s;
        if (c >= 0xC0)
            len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
        if (c < 0x80) {
            out[o++] = *s++;
            continue;
        }
        if (c >= 0xC0 && strnlen(s, (size_t)len) == (size_t)len) {
            memcpy(one, s, (size_t)len);
            one[len] = 0;
            if (walk_utf8_valid(one)) {
                memcpy(out + o, s, (size_t)len);
                o += (size_t)len;
                s += len;
                continue;
            }
        }
        o += (size_t)snprintf(out + o, size - o, "\\x%02X", c);
        s++;
    }
    out[o < size ? o : size - 1] = 0;
}

/* ---- visited folders: an open-addressing set of (dev, ino) -------------- */

typedef struct visited {
    struct { dev_t dev; ino_t ino; int used; } *slot;
    size_t cap, n;
} visited;

static size_t slot_of(const visited *v, dev_t dev, ino_t ino)
{
    uint64_t h = ((uint64_t)dev * 0x9E3779B97F4A7C15ull) ^ ((uint64_t)ino * 0xC2B2AE3D27D4EB4Full);
    size_t i = (size_t)(h ^ (h >> 29)) & (v->cap - 1);
    while (v->slot[i].used && !(v->slot[i].dev == dev && v->slot[i].ino == ino))
        i = (i + 1) & (v->cap - 1);
    return i;
}

/* 1 when newly added, 0 when already there, -1 out of memory. */
static int visited_add(visited *v, dev_t dev, ino_t ino)
{
    size_t i;
    if ((v->n + 1) * 2 > v->cap) {
        visited bigger = {.cap = v->cap ? v->cap * 2 : 256};
        bigger.slot = calloc(bigger.cap, sizeof *bigger.slot);
        if (!bigger.slot)
            return -1;
        for (size_t k = 0; k < v->cap; k++)
            if (v->slot[k].used)
                bigger.slot[slot_of(&bigger, v->slot[k].dev, v->slot[k].ino)] = v->slot[k];
        bigger.n = v->n;
        free(v->slot);
        *v = bigger;
    }
    i = slot_of(v, dev, ino);
    if (v->slot[i].used)
        return 0;
    v->slot[i].dev = dev;
    v->slot[i].ino = ino;
    v->slot[i].used = 1;
    v->n++;
    return 1;
}

/* ---- the walk --------------------------------------------------------------- */

typedef struct walk {
    const walk_skip *skip;
    const walk_callbacks *cb;
    visited seen;
    char rel[PATH_MAX];
} walk;

/* A folder entry. Folders sort as "NAME/" and names that are not UTF-8 as
 * their escaped form, so a walk reports paths in strcmp order of the whole
 * path ("a.jpg" < "a/x.jpg" < "a0.jpg"): the order of the catalogue's
 * (root_id, path) index, which the indexer merges with the walk instead of
 * holding every known path in memory. */
typedef struct entry {
    char *key;               /* the sort key; one allocation with name */
    const char *name;        /* the name on disk */
} entry;

static int entry_cmp(const void *a, const void *b)
{
    return strcmp(((const entry *)a)->key, ((const entry *)b)->key);
}

static void report(walk *w, size_t rel_len, const char *name, const char *msg)
{
    char raw[PATH_MAX], esc[PATH_MAX];
    snprintf(raw, sizeof raw, "%.*s%s", (int)rel_len, w->rel, name);
    walk_escape(raw, esc, sizeof esc);
    w->cb->error(esc, msg, w->cb->payload);
}

/* Whether a directory entry is a folder, following symbolic links as the
 * walk does; d_type saves a stat on most file systems. */
static int is_folder(int dfd, const struct dirent *e)
{
    struct stat st;
    if (e->d_type == DT_DIR)
        return 1;
    if (e->d_type != DT_LNK && e->d_type != DT_UNKNOWN)
        return 0;
    return fstatat(dfd, e->d_name, &st, 0) == 0 && S_ISDIR(st.st_mode);
}

static int entry_make(entry *en, int dfd, const struct dirent *e)
{
    size_t len = strlen(e->d_name);
    char esc[NAME_MAX * 4 + 8];
    const char *key = e->d_name;
    const char *slash = "";
    size_t key_len;

    if (!walk_utf8_valid(e->d_name)) {
        walk_escape(e->d_name, esc, sizeof esc);   /* reported, never entered */
        key = esc;
    } else if (is_folder(dfd, e)) {
        slash = "/";
    }
    key_len = strlen(key) + strlen(slash);
    if (!(en->key = malloc(key_len + 1 + len + 1)))
        return -1;
    snprintf(en->key, key_len + 1, "%s%s", key, slash);
    memcpy(en->key + key_len + 1, e->d_name, len + 1);
    en->name = en->key + key_len + 1;
    return 0;
}

/* Reads a folder's entries, sorted so walks are repeatable. */
static entry *list_entries(int dfd, size_t *count)
{
    DIR *d = fdopendir(dfd);
    struct dirent *e;
    entry *list = NULL;
    size_t n = 0, cap = 0;

    *count = 0;
    if (!d) {
        close(dfd);
        return NULL;
    }
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;           /* ".", ".." and hidden names */
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 64;
            entry *nl = realloc(list, ncap * sizeof *list);
            if (!nl)
                break;
            list = nl;
            cap = ncap;
        }
        if (entry_make(&list[n], dirfd(d), e) != 0)
            break;
        n++;
    }
    closedir(d);
    if (n)
        qsort(list, n, sizeof *list, entry_cmp);
    *count = n;
    return list;
}

static int walk_dir(walk *w, int dfd, size_t rel_len, int depth)
{
    size_t n = 0;
    int copy = dup(dfd);      /* fdopendir takes the descriptor over */
    entry *list = copy >= 0 ? list_entries(copy, &n) : NULL;
    int rc = 0;

    for (size_t i = 0; i < n; i++) {
        const char *name = list[i].name;
        size_t len = strlen(name);
        struct stat st;

        if (rc != 0)
            goto next;
        /* stat follows symbolic links: a link to a file is that file */
        if (fstatat(dfd, name, &st, 0) != 0) {
            if (errno == ENOENT || errno == ELOOP)
                report(w, rel_len, name, "broken symbolic link");
            else
                report(w, rel_len, name, strerror(errno));
            goto next;
        }
        if (skipped(w->skip, &st))
            goto next;
        if (!walk_utf8_valid(name)) {
            report(w, rel_len, name,
                   S_ISDIR(st.st_mode) ? "folder name is not valid UTF-8: not entered"
                                       : "file name is not valid UTF-8");
            goto next;
        }
        if (rel_len + len + 2 >= sizeof w->rel) {
            report(w, rel_len, name, "path too long");
            goto next;
        }
        if (S_ISDIR(st.st_mode)) {
            int sub, added;
            if (depth >= WALK_MAX_DEPTH) {
                report(w, rel_len, name, "folders nested too deep: not entered");
                goto next;
            }
            added = visited_add(&w->seen, st.st_dev, st.st_ino);
            if (added <= 0)
                goto next;      /* entered before, through a link: a loop or a repeat */
            sub = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
            if (sub < 0) {
                char msg[300];
                snprintf(msg, sizeof msg, "cannot open folder: %s", strerror(errno));
                report(w, rel_len, name, msg);
                goto next;
            }
            memcpy(w->rel + rel_len, name, len);
            w->rel[rel_len + len] = '/';
            w->rel[rel_len + len + 1] = 0;
            rc = walk_dir(w, sub, rel_len + len + 1, depth + 1);
            close(sub);
            w->rel[rel_len] = 0;
        } else if (S_ISREG(st.st_mode) && has_ext(name, companion_ext)) {
            if (w->cb->companion) {
                memcpy(w->rel + rel_len, name, len + 1);
                rc = w->cb->companion(w->rel, &st, w->cb->payload);
                w->rel[rel_len] = 0;
            }
        } else if (S_ISREG(st.st_mode) && !has_ext(name, not_media_ext)) {
            memcpy(w->rel + rel_len, name, len + 1);
            rc = w->cb->file(w->rel, &st, w->cb->payload);
            w->rel[rel_len] = 0;
        }
next:
        free(list[i].key);
    }
    free(list);
    return rc;
}

int walk_root(const char *root, const walk_skip *skip, const walk_callbacks *cb)
{
    walk w = {.skip = skip, .cb = cb};
    struct stat st;
    int dfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc;

    if (dfd < 0)
        return -errno;
    if (fstat(dfd, &st) != 0) {
        rc = -errno;
        close(dfd);
        return rc;
    }
    visited_add(&w.seen, st.st_dev, st.st_ino);
    rc = walk_dir(&w, dfd, 0, 0);
    close(dfd);
    free(w.seen.slot);
    return rc;
}
