/*
 * routing_cbc.h — solves the batch re-optimisation's programme (core/routing_batch.h) with
 * COIN-OR CBC through its C interface (Debian coinor-libcbc-dev, EPL). The only file that
 * includes CBC; used by POST /v1/routing/optimize and bench/bench_routing.c.
 */
#ifndef ORDO_APP_ROUTING_CBC_H
#define ORDO_APP_ROUTING_CBC_H

#include "core/routing_batch.h"
#include "lib/arena.h"
#include "lib/base.h"
#include "lib/err.h"

enum routing_cbc_status {
    ROUTING_CBC_OPTIMAL,     /* proven optimal */
    ROUTING_CBC_FEASIBLE,    /* a solution, not proven optimal (time or node limit) */
    ROUTING_CBC_NO_SOLUTION, /* infeasible, or none found in time */
};

struct routing_cbc_result {
    enum routing_cbc_status status;
    double *solution; /* [mip->cols] arena, NULL without a solution */
    double objective; /* with the programme's offset */
    double seconds;   /* wall time of the solve */
};

/* The status's name ("optimal", "feasible", "no_solution"). */
const char *routing_cbc_status_name(enum routing_cbc_status status);

/* Solves within seconds_max (> 0), from the start solution when not NULL (the current plan:
 * CBC then only looks for better); ERR_TOO_LARGE when the arena is full. */
MUST_CHECK enum err_code routing_cbc_solve(const struct routing_mip *mip, const double *start,
                                           double seconds_max, struct arena *arena,
                                           struct routing_cbc_result *out, struct err *err);

#endif
