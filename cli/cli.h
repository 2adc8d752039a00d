/*
 * The tetris command-line tool: a thin layer over libtetris. This header
 * joins the command dispatcher (tetris.c), the commands (cmd_*.c) and the
 * result reports (report.c).
 */
#ifndef TETRIS_CLI_H
#define TETRIS_CLI_H

#include <stdio.h>

#include "tetris.h"

/* Exit statuses, documented in `tetris --help` and the README. */
enum cli_exit {
    CLI_EXIT_PASS = 0, /* every layer matches the golden model */
    CLI_EXIT_FAIL = 1, /* a mismatch or an engine error */
    CLI_EXIT_BAD = 2,  /* bad options, configuration or network; a layer that does not fit */
};

/* Room for any path the tool builds from a directory and a name. */
#define CLI_PATH_MAX 4096

/* The commands: argv[0] is the command name; they return an exit status. */
int cmd_run(int argc, char **argv);
int cmd_config(int argc, char **argv);
int cmd_gen(int argc, char **argv);
int cmd_cosim(int argc, char **argv);
int cmd_vectors(int argc, char **argv);

/* ---- helpers shared by the commands (tetris.c) ---- */

/* Print "tetris: MESSAGE" as one line on stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Report what getopt_long rejected (opt is its return value: '?' or ':')
 * as one line naming the command's --help; returns CLI_EXIT_BAD.
 */
int cli_bad_option(const char *cmd, int opt, char **argv);

/* Report a stray operand (argv[optind]) after the options; returns CLI_EXIT_BAD. */
int cli_bad_operand(const char *cmd, const char *arg);

/* Format a path into buf; -1 (after an error line) when it does not fit. */
int cli_path(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Strict decimal integer in [min, max]; 0 on success, -1 otherwise. */
int cli_parse_long(const char *s, long min, long max, long *out);

/* A --fault=pe:ROW,COL argument (a broken PE, for testing testbenches); 0 or -1. */
int cli_parse_fault(const char *s, int *row, int *col);

/* Strict unsigned 64-bit integer (decimal, or hex with 0x); 0 on success. */
int cli_parse_u64(const char *s, uint64_t *out);

/* A NAME|FILE argument names a file when it contains '/' or ends in ".yaml". */
int cli_is_path(const char *arg);

/*
 * Look NAME.yaml up in each non-empty directory of dirs in turn. On success
 * path holds the file and the index of its directory is returned; -1 when
 * no directory has it (what names the kind of file in the message).
 */
int cli_search(const char *name, const char *what, const char *const *dirs, int ndirs, char *path,
               size_t size);

/*
 * Load the configuration named by arg (NAME|FILE; NULL means the default
 * T-16). path receives the file it came from. Prints the error line itself;
 * returns 0 or CLI_EXIT_BAD.
 */
int cli_load_config(const char *arg, tetris_config *cfg, char *path, size_t size);

/* ---- networks (netsel.c) ---- */

/*
 * Load the network NAME|FILE: a file, or NAME looked up in $TETRIS_NET_DIR,
 * beside the configuration, the installed examples and ./examples/nets.
 * Prints the error line itself; returns 0 or CLI_EXIT_BAD.
 */
int cli_load_net(const char *arg, const char *config_path, tetris_net *net, char *path,
                 size_t size);

/*
 * Mark in sel (n_layers bytes, zeroed) the layers named in the comma list
 * (every layer when list is NULL) and count them. Returns 0 or CLI_EXIT_BAD.
 */
int cli_select_layers(const tetris_net *net, const char *net_path, const char *list, char *sel,
                      int *n_sel);

/*
 * Map, block and compile a layer without running it: does it fit? 0, or
 * CLI_EXIT_BAD after an error line naming the network file and line.
 */
int cli_layer_fits(const tetris_config *cfg, const tetris_layer *l, int batch,
                   const char *net_path);

/* Prepare the job of layer `index` of a network on seeded random data (tetris_job_prepare). */
int cli_prepare_job(const tetris_config *cfg, const tetris_layer *l, int index, int batch,
                    uint64_t seed, tetris_job *job, tetris_error *err);

/* ---- reports (report.c) ---- */

/* What the RTL did with one layer (`tetris cosim`). */
typedef struct cli_rtl_run {
    char status[16];           /* how the simulation ended: done, err, watchdog, ... */
    uint64_t cycles;           /* start to done */
    tetris_counters counts;    /* the RTL's counters (cycles: its own counter) */
    int counters_equal;        /* counters equal to the model's, of TETRIS_CNT_COUNT - 1 */
    int first_bad_counter;     /* the first that differs, -1 none */
    tetris_mismatch mm;        /* where the results first differ */
    double deviation;          /* RTL cycles against the model's prediction, percent */
    double sim_seconds;        /* wall time of the simulation */
    int pass;                  /* ended at END, bit-exact, counters equal, deviation within bound */
    char message[512];         /* why it failed, for people */
} cli_rtl_run;

/* One layer that ran. */
typedef struct cli_layer_run {
    int index;                 /* index of the layer in the network (the data stream) */
    const tetris_layer *layer; /* the layer */
    tetris_layer_result res;   /* filled when the layer ran */
    const cli_rtl_run *rtl;    /* the RTL's run (cosim), or NULL */
} cli_layer_run;

/* Everything a report shows about one `tetris run`. */
typedef struct cli_report {
    const tetris_config *cfg;
    const char *config_path;
    const tetris_net *net;
    const char *net_path;
    int batch;
    uint64_t seed;
    int n_runs;                /* layers that ran */
    const cli_layer_run *runs; /* n_runs entries, in network order */
    const char *error;         /* the error that stopped the run, or NULL */
    int sim_jobs;              /* cosim: simulators run at once (0: no RTL runs) */
    double sim_wall_seconds;   /* cosim: wall time from the first simulator's start to the end */
} cli_report;

/* Short name of a layer type ("conv", "fc", "maxpool", ...). */
const char *cli_layer_type_name(enum tetris_layer_type t);

/* The results table, a total line and "N passed, M failed". */
void report_table(const cli_report *r, FILE *out);

/* The co-simulation table: RTL against model, per layer, and a summary line. */
void report_cosim_table(const cli_report *r, double bound, FILE *out);

/* The whole result as JSON (docs/json.md); 0 or a TETRIS_E* status. */
int report_json(const cli_report *r, FILE *out);

#endif
