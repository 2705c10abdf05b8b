/* catalog_rank.c - reel_rank(), the relevance of a full-text hit.
 *
 * FTS5's bm25() divides each hit's term frequency by its length relative
 * to the average, and reads that length from the docsize table: one random
 * page read per hit. A common word matches tens of thousands of cues, and
 * those reads were most of a search's time (100,000 files, 1,000,000 cues:
 * "prison" 102 -> 67 ms without them for cues alone). So reel ranks hits
 * with bm25's own formula at b = 0 (no length normalisation): the sum over
 * phrases of idf * tf * (k1 + 1) / (tf + k1), with k1 = 1.2, idf as bm25
 * computes it, and tf the phrase's occurrences weighted by column as
 * bm25(table, w0, w1, ...) weighs them: reel_rank(table, w0, w1, ...).
 * Cues and segment titles are short and of similar length; in a file's
 * text the title's weight already outranks a long description. Like
 * bm25(), lower is better. */
#include "catalog_int.h"

#include <math.h>
#include <stdlib.h>

#define RANK_K1 1.2

typedef struct rank_query {
    int n_phrase;
    double idf[];           /* per phrase */
} rank_query;

static int count_row(const Fts5ExtensionApi *x, Fts5Context *ctx, void *payload)
{
    (void)x;
    (void)ctx;
    (*(sqlite3_int64 *)payload)++;
    return SQLITE_OK;
}

/* idf of each phrase, once per query (as bm25 does: a pass over each
 * phrase's own doclist, no document read) */
static rank_query *query_data(const Fts5ExtensionApi *x, Fts5Context *ctx, int *rc)
{
    rank_query *q = x->xGetAuxdata(ctx, 0);
    sqlite3_int64 rows = 0;
    int n;

    if (q)
        return q;
    n = x->xPhraseCount(ctx);
    q = calloc(1, sizeof *q + (size_t)(n > 0 ? n : 1) * sizeof q->idf[0]);
    if (!q) {
        *rc = SQLITE_NOMEM;
        return NULL;
    }
    q->n_phrase = n;
    *rc = x->xRowCount(ctx, &rows);
    for (int i = 0; *rc == SQLITE_OK && i < n; i++) {
        sqlite3_int64 hits = 0;
        double idf;
        *rc = x->xQueryPhrase(ctx, i, &hits, count_row);
        idf = log(((double)rows - (double)hits + 0.5) / ((double)hits + 0.5));
        q->idf[i] = idf > 1e-6 ? idf : 1e-6;
    }
    if (*rc == SQLITE_OK)
        *rc = x->xSetAuxdata(ctx, q, free);
    else
        free(q);
    return *rc == SQLITE_OK ? q : NULL;
}

static void rank(const Fts5ExtensionApi *x, Fts5Context *ctx, sqlite3_context *out, int argc,
                 sqlite3_value **argv)
{
    int rc = SQLITE_OK, n_inst = 0;
    rank_query *q = query_data(x, ctx, &rc);
    double score = 0, tf_small[16] = {0}, *tf = tf_small;

    if (q && q->n_phrase > 16 && !(tf = calloc((size_t)q->n_phrase, sizeof *tf)))
        rc = SQLITE_NOMEM;
    if (rc == SQLITE_OK)
        rc = x->xInstCount(ctx, &n_inst);
    for (int i = 0; rc == SQLITE_OK && i < n_inst; i++) {
        int phrase, col, off;
        rc = x->xInst(ctx, i, &phrase, &col, &off);
        if (rc == SQLITE_OK && phrase >= 0 && phrase < q->n_phrase)
            tf[phrase] += col < argc ? sqlite3_value_double(argv[col]) : 1.0;
    }
    for (int i = 0; rc == SQLITE_OK && i < q->n_phrase; i++)
        score += q->idf[i] * tf[i] * (RANK_K1 + 1) / (tf[i] + RANK_K1);
    if (tf != tf_small)
        free(tf);
    if (rc == SQLITE_OK)
        sqlite3_result_double(out, -score);
    else
        sqlite3_result_error_code(out, rc);
}

/* ---- reel_rank_all: every hit of a one-phrase query, ranked in C ----------
 * A query's hits reach C one SQL row each, with reel_rank() called per row:
 * for a word with 23,000 hits, more time in the statement's machinery than
 * in the index. When the query is one phrase (a word, a prefix, a quoted
 * phrase: what people type), reel_rank_all(table, collector, weights...)
 * on the query's first row walks all of them itself with xQueryPhrase and
 * hands each hit's rowid and rank (the same value reel_rank gives) to the
 * collector. */

typedef struct all_state {
    const rank_query *q;
    cat_rank_collector *coll;
    int argc;
    sqlite3_value **weights;
} all_state;

static int collect_row(const Fts5ExtensionApi *x, Fts5Context *ctx, void *payload)
{
    all_state *a = payload;
    sqlite3_int64 rowid = x->xRowid(ctx);
    int rc, n_inst = 0;
    double tf = 0;
    if (a->coll->keep && !a->coll->keep(a->coll->payload, rowid))
        return SQLITE_OK;
    rc = x->xInstCount(ctx, &n_inst);
    for (int i = 0; rc == SQLITE_OK && i < n_inst; i++) {
        int phrase, col, off;
        rc = x->xInst(ctx, i, &phrase, &col, &off);
        if (rc == SQLITE_OK && phrase == 0)
            tf += col < a->argc ? sqlite3_value_double(a->weights[col]) : 1.0;
    }
    if (rc != SQLITE_OK)
        return rc;
    if (a->coll->offer(a->coll->payload, rowid, -(a->q->idf[0] * tf * (RANK_K1 + 1) / (tf + RANK_K1)))
        != 0) {
        a->coll->failed = 1;
        return SQLITE_ABORT;
    }
    return SQLITE_OK;
}

static void rank_all(const Fts5ExtensionApi *x, Fts5Context *ctx, sqlite3_context *out, int argc,
                     sqlite3_value **argv)
{
    int rc = SQLITE_OK;
    cat_rank_collector *coll = argc > 0 ? sqlite3_value_pointer(argv[0], "reel_collector") : NULL;
    const rank_query *q;
    all_state a;

    if (!coll || x->xPhraseCount(ctx) != 1) {
        if (coll)
            coll->unsupported = 1;    /* the caller ranks row by row */
        sqlite3_result_null(out);
        return;
    }
    if (!(q = query_data(x, ctx, &rc))) {
        sqlite3_result_error_code(out, rc);
        return;
    }
    a = (all_state){q, coll, argc - 1, argv + 1};
    rc = x->xQueryPhrase(ctx, 0, &a, collect_row);
    if (rc != SQLITE_OK && !coll->failed)
        sqlite3_result_error_code(out, rc);
    else
        sqlite3_result_int(out, 1);
}

int cat_rank_register(sqlite3 *db)
{
    fts5_api *api = NULL;
    sqlite3_stmt *st = NULL;

    if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &st, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_pointer(st, 1, (void *)&api, "fts5_api_ptr", NULL);
    sqlite3_step(st);
    sqlite3_finalize(st);
    if (!api || api->iVersion < 2)
        return -1;
    return api->xCreateFunction(api, "reel_rank", NULL, rank, NULL) == SQLITE_OK
                   && api->xCreateFunction(api, "reel_rank_all", NULL, rank_all, NULL) == SQLITE_OK
               ? 0 : -1;
}
