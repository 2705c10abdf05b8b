/* known.c - the known files of a root as a path-ordered stream. */
#include "known.h"

#include <stdlib.h>
#include <string.h>

void known_open(known_stream *s, cat *c, int64_t root_id, int sidecars)
{
    *s = (known_stream){.c = c, .root_id = root_id, .sidecars = sidecars};
}

static void drop_chunk(known_stream *s)
{
    cat_known_free(s->row, s->n);
    s->row = NULL;
    s->n = s->pos = 0;
}

cat_known *known_head(known_stream *s)
{
    cat_known *next;
    size_t n;
    if (s->pos < s->n)
        return &s->row[s->pos];
    if (s->end || s->rc)
        return NULL;
    /* each chunk is a new query, run to its end before the caller writes:
     * rows the walk adds or removes behind the head are never read again */
    if ((s->rc = (s->sidecars ? cat_sidecars_load : cat_known_load)(
             s->c, s->root_id, s->after ? s->after : "", KNOWN_CHUNK, &next, &n)) != CAT_OK)
        return NULL;
    drop_chunk(s);
    s->row = next;
    s->n = n;
    s->end = n < KNOWN_CHUNK;
    if (!n)
        return NULL;
    free(s->after);
    if (!(s->after = strdup(next[n - 1].path))) {
        s->rc = CAT_ERROR;
        return NULL;
    }
    return &s->row[0];
}

void known_pop(known_stream *s)
{
    if (s->pos < s->n)
        s->pos++;
}

void known_close(known_stream *s)
{
    drop_chunk(s);
    free(s->after);
    s->after = NULL;
}
