/*
 * `tetris cosim` inside the CLI: the options, the cached simulator build
 * (cosim_build.c) and the command (cmd_cosim.c).
 */
#ifndef TETRIS_CLI_COSIM_H
#define TETRIS_CLI_COSIM_H

#include <stddef.h>
#include <stdint.h>

#include "tetris.h"

typedef struct cosim_options {
    const char *config, *net, *layers, *json, *cache;
    const char *trace_dir;   /* --trace: where FST files go on a mismatch (NULL: no trace) */
    const char *profile_dir; /* --profile: per-instruction cycles, RTL against model (NULL: off) */
    uint64_t trace_window;   /* cycles traced from the instruction that wrote the first bad element */
    int batch;
    uint64_t seed;
    int stall;               /* percent of cycles with back-pressure on the vault port */
    uint64_t watchdog;       /* cycles without activity that stop a run */
    double bound;            /* allowed |cycle deviation| per layer, percent */
    int x_unique;            /* Verilate with --x-assign/--x-initial unique, random per seed */
    int fault_row, fault_col; /* --fault: a broken PE in the generated RTL, -1: none */
    int keep;                /* keep the work folder */
    int quiet;
    char **plusargs;         /* +args for the simulator, NULL-terminated */
} cosim_options;

/*
 * Find or build the simulator of cfg; its path goes to sim. Returns 0, or
 * an exit status after an error line.
 */
int cosim_build(const tetris_config *cfg, const cosim_options *o, char *sim, size_t size);

/*
 * Run argv (argv[0] looked up in PATH) to completion, its output to the file
 * log (NULL: inherited). status: its exit status (128 + signal). 0 or -1.
 */
int cosim_spawn(char *const argv[], const char *log, int *status);

#endif
