/*
 * `tetris cosim` inside the CLI: the options, the cached simulator build
 * (cosim_build.c) and the command (cmd_cosim.c).
 */
#ifndef TETRIS_CLI_COSIM_H
#define TETRIS_CLI_COSIM_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "cli.h"
#include "tetris.h"

/* The testbench harness the simulator is built from (tb/cosim/). */
enum cosim_harness {
    COSIM_HARNESS_CPP,     /* main.cpp: a plain C++ clock loop, the faster */
    COSIM_HARNESS_SYSTEMC, /* sc_main.cpp: SystemC processes around the Verilated top */
};

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
    enum cosim_harness harness; /* --harness: the simulator's testbench */
    int pgo;                 /* --pgo: a profile-guided simulator build */
    int x_unique;            /* Verilate with --x-assign/--x-initial unique, random per seed */
    int fault_row, fault_col; /* --fault: a broken PE in the generated RTL, -1: none */
    int jobs;                /* simulators run at once */
    int keep;                /* keep the work folder */
    int quiet;
    char **plusargs;         /* +args for the simulator, NULL-terminated */
} cosim_options;

/*
 * Find or build the simulator of cfg; its path goes to sim. A --pgo build
 * trains the compiler's profile on layer train (index train_index of its
 * network, o's batch and seed). Returns 0, or an exit status after an error
 * line.
 */
int cosim_build(const tetris_config *cfg, const cosim_options *o, const tetris_layer *train, int train_index,
                char *sim, size_t size);

/* Write n bytes to the file path; 0 or -1 (errno set). */
int cosim_write_file(const char *path, const uint8_t *p, uint64_t n);

/*
 * Run argv (argv[0] looked up in PATH) to completion, its output to the file
 * log (NULL: inherited). status: its exit status (128 + signal). 0 or -1.
 */
int cosim_spawn(char *const argv[], const char *log, int *status);

/* Most simulators --jobs runs at once. */
#define COSIM_MAX_JOBS 64

/* The descriptor on which a simulator started with a progress pipe writes
 * its simulated cycles (tetris_cosim_sim --progress-fd). */
#define COSIM_PROGRESS_FD 3

/*
 * Start argv (looked up in PATH) without waiting, its output to the file log
 * (NULL: inherited). With progress, the child's COSIM_PROGRESS_FD is the
 * write end of a pipe whose read end (close-on-exec) goes to *progress.
 * 0 or -1 (errno set).
 */
int cosim_start(char *const argv[], const char *log, int *progress, pid_t *pid);

/*
 * Collect a child of cosim_start: with hang, wait for it. status: its exit
 * status (128 + signal). 1 when it has ended, 0 when it still runs, -1.
 */
int cosim_reap(pid_t pid, int hang, int *status);

/* A layer whose simulator runs. */
typedef struct cosim_slot {
    tetris_job job;
    int run;          /* its index in runs[] and rtl[] (start order) */
    pid_t pid;
    int fd;           /* read end of its progress pipe, -1 once closed */
    uint64_t cycles;  /* simulated so far, as last reported */
    double t0, t;     /* when it started and when it last reported, s */
    char part[32];    /* an unfinished progress line */
    int profiling;
    char prof[CLI_PATH_MAX], prof_out[CLI_PATH_MAX];
} cosim_slot;

/* The simulators of one `tetris cosim`: up to --jobs run at once. */
typedef struct cosim_pool {
    const cosim_options *o;
    const char *sim, *config_file, *work;
    int n_sel;            /* layers selected */
    cli_layer_run *runs;  /* per started layer, in start order (= network order) */
    cli_rtl_run *rtl;
    char *ran;            /* per started layer: simulated and judged */
    cosim_slot *slot;     /* the running ones: [0, active) */
    int active, launched, failed;
    int show;             /* a progress line on the terminal */
    int shown;            /* it is on the screen now */
    double drawn;         /* when it was drawn, s */
    double t_first;       /* when the first simulator started, s */
} cosim_pool;

/* Monotonic time, s. */
double cosim_now(void);

/* --jobs by default: one simulator per processor (each is single-threaded). */
int cosim_online_cpus(void);

/* Prepare layer l (index index in the network) and start its simulator in
 * the next free slot. 0 or an exit status after an error line. */
int cosim_pool_start(cosim_pool *p, const tetris_config *cfg, const char *net_path,
                     const tetris_layer *l, int index);

/* Wait up to half a second for progress, then judge the simulators that
 * ended (and trace a mismatch with --trace). 0, or -1 when one could not run. */
int cosim_pool_wait(cosim_pool *p);

/* Stop every running simulator (after an error elsewhere). */
void cosim_pool_stop(cosim_pool *p);

/* Erase the progress line, if it is on the screen, before other output. */
void cosim_pool_clear_line(cosim_pool *p);

#endif
