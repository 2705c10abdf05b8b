/* progress.c - the progress line and warnings of long runs, on stderr. */
#include <stdio.h>

#include "cli.h"
#include "indexer.h"

void cli_progress(const index_progress *p, void *payload)
{
    cli_progress_state *s = payload;
    double rate, eta;
    if (!s->tty || (p->elapsed - s->last < 0.1 && p->done < p->total))
        return;
    s->last = p->elapsed;
    rate = p->elapsed > 0 ? p->done / p->elapsed : 0;
    eta = rate > 0 ? (p->total - p->done) / rate : 0;
    fprintf(stderr, "\r\033[K%zu/%zu files  %.1f files/s  ETA %d:%02d", p->done, p->total,
            rate, (int)eta / 60, (int)eta % 60);
    s->shown = 1;
}

void cli_warn(const char *message, void *payload)
{
    cli_progress_state *s = payload;
    if (s->shown) {
        fputs("\r\033[K", stderr);
        s->shown = 0;
    }
    fputs("reel: ", stderr);
    cli_put_safe(stderr, message);
    fputc('\n', stderr);
}
