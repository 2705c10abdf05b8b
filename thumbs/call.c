/* The per-call state: deadline and first error message. */
#include <stdarg.h>
#include <stdio.h>
#include <time.h>

#include <libavutil/error.h>

#include "thumbs_int.h"

static int64_t now_ns(void)
{
    struct timespec ts;

    /* Monotonic so that a clock change during a night run cannot stretch or cut the limit. */
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void thumb_call_init(thumb_call *c, double timeout)
{
    c->timeout = timeout;
    c->deadline = now_ns() + (int64_t)(timeout * 1e9);
    c->err[0] = '\0';
}

int thumb_call_expired(const thumb_call *c)
{
    return now_ns() > c->deadline;
}

int thumb_fail(thumb_call *c, int status, const char *fmt, ...)
{
    if (c->err[0] == '\0') {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(c->err, sizeof(c->err), fmt, ap);
        va_end(ap);
    }
    return status;
}

int thumb_fail_av(thumb_call *c, int averr, const char *what)
{
    char reason[AV_ERROR_MAX_STRING_SIZE];

    if (averr == AVERROR_EXIT || thumb_call_expired(c))
        return thumb_fail(c, THUMB_TIMEOUT, "timed out after %g s", c->timeout);
    av_strerror(averr, reason, sizeof(reason));
    return thumb_fail(c, THUMB_ERROR, "%s: %s", what, reason);
}
