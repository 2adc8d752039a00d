/*
 * `tetris cosim`: run layers of a network on the generated RTL (a
 * co-simulator of tb/cosim/, built once per configuration) and check each
 * against the models: ofmaps bit-exact with the golden model, the vault's
 * psum and ofmap areas byte-equal with the engine model's, every counter
 * equal to the engine model's count, and the RTL's cycles within --bound
 * percent of the model's prediction. libtetris prepares every layer and
 * judges the results; the simulator only runs them (docs/cosim.md).
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "cosim.h"

static void print_usage(FILE *out)
{
    fputs("Usage: tetris cosim --net=NAME|FILE [OPTION]... [+PLUSARG]...\n"
          "Run layers of a network on the generated RTL of a configuration (Verilator) and\n"
          "check them against the models: ofmaps bit-exact, every event counter equal,\n"
          "cycles within the bound of the model's prediction.\n"
          "\n"
          "  -c, --config=NAME|FILE  accelerator configuration (default: t16)\n"
          "  -n, --net=NAME|FILE     network (required)\n"
          "  -l, --layers=LIST       comma-separated layer names (default: every layer)\n"
          "  -b, --batch=N           images per batch (default: 1)\n"
          "  -s, --seed=S            seed of the data and of the injected back-pressure\n"
          "                          (default: 1)\n"
          "  -j, --json=FILE         also write the whole result as JSON (docs/json.md)\n"
          "      --jobs=N            layers simulated at once (default: the number of\n"
          "                          processors)\n"
          "      --bound=PERCENT     allowed cycle deviation per layer (default: 5)\n"
          "      --stall=PERCENT     cycles with back-pressure on the vault port, 0 to 90\n"
          "                          (default: 0); results and counts must not change\n"
          "      --watchdog=CYCLES   stop a run without activity for this long (default:\n"
          "                          1000000) and print the sequencer and queue states\n"
          "      --trace=DIR         on a mismatch, rerun the layer with an FST trace of\n"
          "                          the instruction that wrote the first bad element\n"
          "      --trace-window=CYCLES  cycles of that trace (default: 20000)\n"
          "      --profile=DIR       write DIR/LAYER.profile: each LOAD, STORE and PASS with\n"
          "                          its RTL and model cycles; a summary per opcode on stderr\n"
          "      --fault=pe:ROW,COL  break one PE of the generated RTL on purpose, to see the\n"
          "                          testbench catch it (tetris gen --fault)\n"
          "      --harness=cpp|systemc  the testbench around the RTL: a plain C++ clock loop\n"
          "                          (default, faster) or SystemC processes; the same\n"
          "                          cycles, counters and results\n"
          "      --pgo               build the simulator profile-guided: a second compile\n"
          "                          trained on the start of the first layer; about twice\n"
          "                          the build time, about 1.17x faster on t16\n"
          "      --x-unique          build with --x-assign/--x-initial unique; each seed\n"
          "                          draws other initial values\n"
          "      --cache=DIR         simulator cache (default: $TETRIS_CACHE_DIR,\n"
          "                          $XDG_CACHE_HOME/tetris or ~/.cache/tetris)\n"
          "      --keep              keep the work folder (images, dumps, logs)\n"
          "  -q, --quiet             no progress lines on standard error\n"
          "  -h, --help              print this help and exit\n"
          "  +PLUSARG                passed to the simulator (+trace: trace whole runs)\n"
          "\n"
          "Exit status: 0 when every layer passes, 1 on a mismatch, a timeout or a\n"
          "failed build, 2 on bad options, configuration or network, or a layer that does\n"
          "not fit.\n",
          out);
}

/* Parse the options into o; returns -1 to go on, or the exit status. */
static int parse_options(int argc, char **argv, cosim_options *o)
{
    enum { O_BOUND = 256, O_STALL, O_WATCHDOG, O_TRACE, O_WINDOW, O_XUNIQUE, O_CACHE, O_KEEP, O_PROFILE,
           O_FAULT, O_JOBS, O_HARNESS, O_PGO };
    static const struct option opts[] = {
        {"config", required_argument, NULL, 'c'},  {"net", required_argument, NULL, 'n'},
        {"layers", required_argument, NULL, 'l'},  {"batch", required_argument, NULL, 'b'},
        {"seed", required_argument, NULL, 's'},    {"json", required_argument, NULL, 'j'},
        {"bound", required_argument, NULL, O_BOUND}, {"stall", required_argument, NULL, O_STALL},
        {"watchdog", required_argument, NULL, O_WATCHDOG},
        {"trace", required_argument, NULL, O_TRACE},
        {"trace-window", required_argument, NULL, O_WINDOW},
        {"x-unique", no_argument, NULL, O_XUNIQUE}, {"cache", required_argument, NULL, O_CACHE},
        {"keep", no_argument, NULL, O_KEEP},        {"quiet", no_argument, NULL, 'q'},
        {"profile", required_argument, NULL, O_PROFILE},
        {"fault", required_argument, NULL, O_FAULT},
        {"jobs", required_argument, NULL, O_JOBS},
        {"harness", required_argument, NULL, O_HARNESS},
        {"pgo", no_argument, NULL, O_PGO},
        {"help", no_argument, NULL, 'h'},           {NULL, 0, NULL, 0},
    };
    long v;
    int c;
    /* '-' hands the +plusargs over as operands, in order */
    int n_plus = 0;
    while ((c = getopt_long(argc, argv, "-:c:n:l:b:s:j:qh", opts, NULL)) != -1) {
        switch (c) {
        case 1:
            if (optarg[0] != '+')
                return cli_bad_operand("cosim", optarg);
            o->plusargs[n_plus++] = optarg;
            break;
        case 'c': o->config = optarg; break;
        case 'n': o->net = optarg; break;
        case 'l': o->layers = optarg; break;
        case 'j': o->json = optarg; break;
        case 'q': o->quiet = 1; break;
        case O_TRACE: o->trace_dir = optarg; break;
        case O_PROFILE: o->profile_dir = optarg; break;
        case O_FAULT:
            if (cli_parse_fault(optarg, &o->fault_row, &o->fault_col)) {
                cli_error("cosim: --fault: '%s' is not pe:ROW,COL", optarg);
                return CLI_EXIT_BAD;
            }
            break;
        case O_XUNIQUE: o->x_unique = 1; break;
        case O_PGO: o->pgo = 1; break;
        case O_HARNESS:
            if (strcmp(optarg, "cpp") == 0) {
                o->harness = COSIM_HARNESS_CPP;
            } else if (strcmp(optarg, "systemc") == 0) {
                o->harness = COSIM_HARNESS_SYSTEMC;
            } else {
                cli_error("cosim: --harness: '%s' is not cpp or systemc", optarg);
                return CLI_EXIT_BAD;
            }
            break;
        case O_CACHE: o->cache = optarg; break;
        case O_KEEP: o->keep = 1; break;
        case 'b':
            if (cli_parse_long(optarg, 1, INT_MAX, &v)) {
                cli_error("cosim: --batch: '%s' is not a positive integer", optarg);
                return CLI_EXIT_BAD;
            }
            o->batch = (int)v;
            break;
        case 's':
            if (cli_parse_u64(optarg, &o->seed) || o->seed > INT64_MAX) {
                cli_error("cosim: --seed: '%s' is not an integer from 0 to 2^63-1", optarg);
                return CLI_EXIT_BAD;
            }
            break;
        case O_BOUND:
            if (cli_parse_long(optarg, 0, 1000, &v)) {
                cli_error("cosim: --bound: '%s' is not a whole percentage from 0 to 1000", optarg);
                return CLI_EXIT_BAD;
            }
            o->bound = (double)v;
            break;
        case O_STALL:
            if (cli_parse_long(optarg, 0, 90, &v)) {
                cli_error("cosim: --stall: '%s' is not a percentage from 0 to 90", optarg);
                return CLI_EXIT_BAD;
            }
            o->stall = (int)v;
            break;
        case O_WATCHDOG:
        case O_WINDOW:
            if (cli_parse_u64(optarg, c == O_WATCHDOG ? &o->watchdog : &o->trace_window) ||
                (c == O_WATCHDOG && o->watchdog == 0)) {
                cli_error("cosim: --%s: '%s' is not a positive number of cycles",
                          c == O_WATCHDOG ? "watchdog" : "trace-window", optarg);
                return CLI_EXIT_BAD;
            }
            break;
        case O_JOBS:
            if (cli_parse_long(optarg, 1, COSIM_MAX_JOBS, &v)) {
                cli_error("cosim: --jobs: '%s' is not a number from 1 to %d", optarg, COSIM_MAX_JOBS);
                return CLI_EXIT_BAD;
            }
            o->jobs = (int)v;
            break;
        case 'h': print_usage(stdout); return CLI_EXIT_PASS;
        default: return cli_bad_option("cosim", c, argv);
        }
    }
    if (!o->net) {
        cli_error("cosim: no network given (--net=NAME|FILE); try 'tetris cosim --help'");
        return CLI_EXIT_BAD;
    }
    return -1;
}

int cmd_cosim(int argc, char **argv)
{
    char **plus = calloc((size_t)argc + 1, sizeof *plus);
    if (!plus) {
        cli_error("%s", tetris_strerror(TETRIS_ENOMEM));
        return CLI_EXIT_FAIL;
    }
    cosim_options o = {.batch = 1, .seed = 1, .bound = 5.0, .watchdog = 1000000,
                       .trace_window = 20000, .fault_row = -1, .fault_col = -1,
                       .plusargs = plus};
    int status = parse_options(argc, argv, &o);
    if (status >= 0) {
        free(plus);
        return status;
    }
    tetris_config cfg;
    char config_path[CLI_PATH_MAX], net_path[CLI_PATH_MAX];
    tetris_net net = {.n_layers = 0};
    status = cli_load_config(o.config, &cfg, config_path, sizeof config_path);
    if (!status)
        status = cli_load_net(o.net, config_path, &net, net_path, sizeof net_path);
    char *sel = status ? NULL : calloc((size_t)net.n_layers + 1, 1);
    cli_layer_run *runs = status ? NULL : calloc((size_t)net.n_layers + 1, sizeof *runs);
    cli_rtl_run *rtl = status ? NULL : calloc((size_t)net.n_layers + 1, sizeof *rtl);
    int n_sel = 0;
    if (!status && (!sel || !runs || !rtl)) {
        cli_error("%s", tetris_strerror(TETRIS_ENOMEM));
        status = CLI_EXIT_FAIL;
    }
    if (!status)
        status = cli_select_layers(&net, net_path, o.layers, sel, &n_sel);
    /* every selected layer must map and fit before the (long) build starts */
    for (int i = 0; !status && i < net.n_layers; i++) {
        if (!sel[i])
            continue;
        status = cli_layer_fits(&cfg, &net.layers[i], o.batch, net_path);
    }
    if (!status && (o.fault_row >= cfg.array_h || o.fault_col >= cfg.array_w)) {
        cli_error("cosim: --fault: PE (%d, %d) is not in the %d x %d array of '%s'", o.fault_row,
                  o.fault_col, cfg.array_h, cfg.array_w, cfg.name);
        status = CLI_EXIT_BAD;
    }
    FILE *json = NULL;
    if (!status && o.json && !(json = fopen(o.json, "w"))) {
        cli_error("%s: --json: cannot write: %s", o.json, strerror(errno));
        status = CLI_EXIT_BAD;
    }
    char sim[CLI_PATH_MAX] = "", work[CLI_PATH_MAX] = "", config_file[CLI_PATH_MAX + 16] = "";
    const char *tmp = getenv("TMPDIR");
    int have_work = 0;
    /* the first selected layer trains a --pgo build's profile */
    int first = 0;
    while (!status && first < net.n_layers && !sel[first])
        first++;
    if (!status)
        status = cosim_build(&cfg, &o, &net.layers[first], first, sim, sizeof sim);
    if (!status) {
        snprintf(work, sizeof work, "%s/tetris-cosim-XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
        have_work = mkdtemp(work) != NULL;
        if (!have_work) {
            cli_error("cosim: %s: %s", work, strerror(errno));
            status = CLI_EXIT_FAIL;
        }
        /* the simulator reads the configuration from the cache, as it was built */
        const char *slash = strrchr(sim, '/');
        snprintf(config_file, sizeof config_file, "%.*s/rtl/config.yaml",
                 (int)(slash ? slash - sim : 0), sim);
    }
    setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 1);
    cosim_pool pool = {.o = &o, .sim = sim, .config_file = config_file, .work = work,
                       .n_sel = n_sel, .runs = runs, .rtl = rtl,
                       .show = !o.quiet && isatty(STDERR_FILENO)};
    int jobs = o.jobs > 0 ? o.jobs : cosim_online_cpus();
    pool.slot = status ? NULL : calloc((size_t)jobs, sizeof *pool.slot);
    pool.ran = status ? NULL : calloc((size_t)net.n_layers + 1, 1);
    if (!status && (!pool.slot || !pool.ran)) {
        cli_error("%s", tetris_strerror(TETRIS_ENOMEM));
        status = CLI_EXIT_FAIL;
    }
    for (int i = 0; !status || pool.active > 0;) {
        /* start layers while a simulator may run */
        while (!status && pool.active < jobs && i < net.n_layers) {
            if (sel[i])
                status = cosim_pool_start(&pool, &cfg, net_path, &net.layers[i], i);
            i++;
        }
        if (status) /* a layer could not start: the others are not worth waiting for */
            cosim_pool_stop(&pool);
        if (pool.active == 0)
            break;
        if (cosim_pool_wait(&pool))
            status = CLI_EXIT_FAIL;
    }
    cosim_pool_clear_line(&pool);
    double sim_wall = pool.launched ? cosim_now() - pool.t_first : 0;
    /* the layers that ran, in network order */
    int n_runs = 0;
    for (int k = 0; k < pool.launched; k++)
        if (pool.ran[k])
            runs[n_runs++] = runs[k];
    int failed = pool.failed;
    free(pool.slot);
    free(pool.ran);
    cli_report rep = {.cfg = &cfg, .config_path = config_path, .net = &net, .net_path = net_path,
                      .batch = o.batch, .seed = o.seed, .n_runs = n_runs, .runs = runs,
                      .sim_jobs = n_runs ? (jobs < n_sel ? jobs : n_sel) : 0,
                      .sim_wall_seconds = sim_wall};
    if (n_runs > 0) {
        report_table(&rep, stdout);
        report_cosim_table(&rep, o.bound, stdout);
    }
    if (json) {
        int jrc = report_json(&rep, json);
        if (fclose(json) != 0 || jrc) {
            cli_error("%s: --json: cannot write: %s", o.json, tetris_strerror(jrc ? jrc : TETRIS_EIO));
            if (!status)
                status = CLI_EXIT_BAD;
        }
    }
    if (have_work && !o.keep) {
        char *rm[] = {"rm", "-rf", work, NULL};
        int st;
        cosim_spawn(rm, NULL, &st);
    } else if (have_work && !o.quiet) {
        fprintf(stderr, "tetris: cosim: work files in %s\n", work);
    }
    if (!status && failed)
        status = CLI_EXIT_FAIL;
    free(rtl);
    free(runs);
    free(sel);
    free(plus);
    tetris_net_free(&net);
    return status;
}
