/* clock.h - one monotonic clock for deadlines and elapsed times. */
#ifndef REEL_CLOCK_H
#define REEL_CLOCK_H

/* Seconds on CLOCK_MONOTONIC: never jumps with the wall clock. */
double mono_now(void);

#endif
