/*
 * bench_tetris: speed of the naive reference, the golden model and the
 * engine model on the AlexNet convolutions (batch 1, the default T-16
 * configuration), one thread. The naive model runs once, the golden and
 * engine models best of 3; the engine time is tetris_engine_run alone
 * (blocking, compilation and loading the vault are not timed). Prints a
 * table of MAC rates and ratios; asserts nothing (a model that disagrees
 * with the golden model is reported on stderr).
 *
 *   bench_tetris [--nets DIR]    DIR holds alexnet.yaml (default examples/nets)
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "naive.h"
#include "tetris.h"

#define RUNS 3

/* Monotonic wall time, seconds. */
static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static size_t ofmap_words(const tetris_layer *l)
{
    return (size_t)l->m * (size_t)l->ho * (size_t)l->wo;
}

/*
 * Best-of-RUNS time of tetris_engine_run on one layer (batch 1), inputs
 * reloaded before every run; eng->ofmap receives the engine's result.
 * Returns 0, or a status with err filled.
 */
static int time_engine(const tetris_config *cfg, const tetris_layer *l, int shift,
                       tetris_layer_data *eng, double *best, tetris_error *err)
{
    tetris_blocking b;
    tetris_program prog = {NULL, 0, 0};
    tetris_vault_layout lay;
    tetris_engine *e = NULL;
    int st = tetris_blocking_default(l, 1, cfg, &b, err);
    if (!st)
        st = tetris_compile(l, 1, cfg, shift, &b, &prog, &lay, err);
    if (!st && (st = tetris_engine_create(cfg, lay.end, &e)))
        snprintf(err->msg, sizeof err->msg, "engine_create: %s", tetris_strerror(st));
    *best = INFINITY;
    for (int k = 0; !st && k < RUNS; k++) {
        if ((st = tetris_vault_put_inputs(e, l, &lay, eng))) {
            snprintf(err->msg, sizeof err->msg, "vault_put_inputs: %s", tetris_strerror(st));
            break;
        }
        tetris_engine_reset_counters(e);
        double t0 = now();
        st = tetris_engine_run(e, &prog, err);
        double t = now() - t0;
        *best = t < *best ? t : *best;
    }
    if (!st && (st = tetris_vault_get_ofmap(e, l, &lay, eng)))
        snprintf(err->msg, sizeof err->msg, "vault_get_ofmap: %s", tetris_strerror(st));
    if (e)
        tetris_engine_destroy(e);
    tetris_program_free(&prog);
    return st;
}

int main(int argc, char **argv)
{
    const char *nets = "examples/nets";
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--nets") && i + 1 < argc) {
            nets = argv[++i];
        } else {
            fprintf(stderr, "usage: %s [--nets DIR]\n", argv[0]);
            return strcmp(argv[i], "--help") ? 2 : 0;
        }
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/alexnet.yaml", nets);
    tetris_net net;
    tetris_error err = {""};
    if (tetris_net_load(path, &net, &err)) {
        fprintf(stderr, "bench_tetris: %s\n", err.msg);
        return 1;
    }
    tetris_config cfg;
    tetris_config_defaults(&cfg);
    tetris_arith a;
    tetris_arith_from_config(&cfg, &a);

    printf("AlexNet convolutions, batch 1, configuration %s, one thread\n", cfg.name);
    printf("naive: 1 run; golden, engine: best of %d (engine: tetris_engine_run only)\n\n", RUNS);
    printf("%-8s %12s %13s %14s %13s %14s %14s\n", "layer", "MACs", "naive GMAC/s",
           "golden GMAC/s", "golden/naive", "engine GMAC/s", "engine/golden");
    double log_speedup = 0, log_engine = 0;
    int n_speedup = 0, n_engine = 0, status = 0;
    for (int i = 0; i < net.n_layers; i++) {
        const tetris_layer *l = &net.layers[i];
        if (l->type != TETRIS_LAYER_CONV)
            continue;
        int shift = tetris_layer_shift(l, &cfg);
        double macs = (double)tetris_layer_macs(l, 1);
        tetris_layer_data d, ref, eng;
        if (tetris_layer_data_alloc(l, 1, &d) || tetris_layer_data_alloc(l, 1, &ref)) {
            fprintf(stderr, "bench_tetris: %s: out of memory\n", l->name);
            status = 1;
            break;
        }
        tetris_layer_data_random(l, &a, 1, (uint64_t)i, &d);
        tetris_layer_data_random(l, &a, 1, (uint64_t)i, &ref);

        double t0 = now();
        naive_layer(l, &a, shift, &ref);
        double t_naive = now() - t0;

        double t_golden = INFINITY;
        for (int k = 0; k < RUNS; k++) {
            t0 = now();
            int st = tetris_golden_layer(l, &a, shift, &d);
            double t = now() - t0;
            if (st) {
                fprintf(stderr, "bench_tetris: %s: golden model: %s\n", l->name, tetris_strerror(st));
                break;
            }
            t_golden = t < t_golden ? t : t_golden;
        }
        if (memcmp(d.ofmap, ref.ofmap, ofmap_words(l) * sizeof *d.ofmap))
            fprintf(stderr, "bench_tetris: %s: golden and naive ofmaps differ\n", l->name);

        /* the engine gets the same inputs and its own ofmap buffer */
        eng = d;
        eng.ofmap = ref.ofmap;
        memset(eng.ofmap, 0, ofmap_words(l) * sizeof *eng.ofmap);
        double t_engine;
        err.msg[0] = '\0';
        int est = time_engine(&cfg, l, shift, &eng, &t_engine, &err);
        if (est)
            fprintf(stderr, "bench_tetris: %s: engine model: %s\n", l->name, err.msg);
        else if (memcmp(d.ofmap, eng.ofmap, ofmap_words(l) * sizeof *d.ofmap))
            fprintf(stderr, "bench_tetris: %s: engine and golden ofmaps differ\n", l->name);

        printf("%-8s %12.0f %13.3f %14.3f %12.1fx", l->name, macs, macs / t_naive * 1e-9,
               macs / t_golden * 1e-9, t_naive / t_golden);
        log_speedup += log(t_naive / t_golden);
        n_speedup++;
        if (!est) {
            printf(" %14.3f %13.1fx\n", macs / t_engine * 1e-9, t_engine / t_golden);
            log_engine += log(t_engine / t_golden);
            n_engine++;
        } else {
            printf(" %14s %14s\n", "-", "-");
        }
        tetris_layer_data_free(&d);
        tetris_layer_data_free(&ref);
    }
    if (n_speedup) {
        printf("\ngeometric mean: golden/naive speed-up %.1fx", exp(log_speedup / n_speedup));
        if (n_engine)
            printf(", engine/golden time %.1fx (%d layers)\n", exp(log_engine / n_engine), n_engine);
        else
            printf(", engine: no layer ran\n");
    }
    tetris_net_free(&net);
    return status;
}
