/*
 * `tetris run`: run the selected layers of a network on the engine model,
 * compare each with the golden model (tetris_run_layer does both), and
 * report. The exit status separates bad input (2) from model failures (1).
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

struct run_opts {
    const char *config; /* NAME|FILE, NULL for the default */
    const char *net;    /* NAME|FILE */
    const char *layers; /* comma list, NULL for every layer */
    const char *json;   /* output file or NULL */
    const char *save;   /* directory for each layer's tensors, or NULL */
    const char *load;   /* directory of input tensors replacing the random data, or NULL */
    int batch;
    int batch_given;    /* --batch was set: loaded tensors must agree with it */
    uint64_t seed;
    int quiet;
};

static void print_usage(FILE *out)
{
    fputs("Usage: tetris run --net=NAME|FILE [OPTION]...\n"
          "Run the layers of a network on the engine model, check each output against the\n"
          "golden model, and print events, cycles and energy per layer.\n"
          "\n"
          "  -c, --config=NAME|FILE  accelerator configuration (default: t16)\n"
          "  -n, --net=NAME|FILE     network to run (required)\n"
          "  -l, --layers=LIST       comma-separated layer names (default: every layer)\n"
          "  -b, --batch=N           images per batch (default: 1)\n"
          "  -s, --seed=S            seed of the pseudo-random data, 0 to 2^63-1, decimal\n"
          "                          or 0x hex (default: 1)\n"
          "  -j, --json=FILE         also write the whole result as JSON (docs/json.md)\n"
          "      --save-npy=DIR      write each layer's ifmap, filter, bias and golden ofmap\n"
          "                          as DIR/LAYER.{ifmap,filter,bias,ofmap}.npy\n"
          "      --load-npy=DIR      take each layer's inputs from DIR/LAYER.{ifmap,filter,\n"
          "                          bias}.npy instead of random data (batch from the files)\n"
          "  -q, --quiet             no progress lines on standard error\n"
          "  -h, --help              print this help and exit\n"
          "\n"
          "Exit status: 0 when every layer matches, 1 on a mismatch or engine error,\n"
          "2 on bad options, configuration or network, or a layer that does not fit.\n",
          out);
}

/* Parse the options into o; returns -1 to go on, or the exit status. */
static int parse_options(int argc, char **argv, struct run_opts *o)
{
    static const struct option opts[] = {
        {"config", required_argument, NULL, 'c'},
        {"net", required_argument, NULL, 'n'},
        {"layers", required_argument, NULL, 'l'},
        {"batch", required_argument, NULL, 'b'},
        {"seed", required_argument, NULL, 's'},
        {"json", required_argument, NULL, 'j'},
        {"save-npy", required_argument, NULL, 'S'},
        {"load-npy", required_argument, NULL, 'L'},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    long batch;
    int c;
    while ((c = getopt_long(argc, argv, ":c:n:l:b:s:j:qh", opts, NULL)) != -1) {
        switch (c) {
        case 'c': o->config = optarg; break;
        case 'n': o->net = optarg; break;
        case 'l': o->layers = optarg; break;
        case 'j': o->json = optarg; break;
        case 'S': o->save = optarg; break;
        case 'L': o->load = optarg; break;
        case 'q': o->quiet = 1; break;
        case 'b':
            if (cli_parse_long(optarg, 1, INT_MAX, &batch)) {
                cli_error("run: --batch: '%s' is not a positive integer", optarg);
                return CLI_EXIT_BAD;
            }
            o->batch = (int)batch;
            o->batch_given = 1;
            break;
        case 's':
            /* below 2^63 so that JSON readers get the seed back as an integer */
            if (cli_parse_u64(optarg, &o->seed) || o->seed > INT64_MAX) {
                cli_error("run: --seed: '%s' is not an integer from 0 to 2^63-1", optarg);
                return CLI_EXIT_BAD;
            }
            break;
        case 'h': print_usage(stdout); return CLI_EXIT_PASS;
        default: return cli_bad_option("run", c, argv);
        }
    }
    if (optind < argc)
        return cli_bad_operand("run", argv[optind]);
    if (!o->net) {
        cli_error("run: no network given (--net=NAME|FILE); try 'tetris run --help'");
        return CLI_EXIT_BAD;
    }
    return -1;
}

/*
 * A layer's inputs: read from --load-npy (whose batch must agree with an
 * explicit --batch, and sets it otherwise), or seeded random data.
 */
static int layer_inputs(struct run_opts *o, const tetris_config *cfg, const tetris_layer *l,
                        uint64_t stream, tetris_layer_data *d, tetris_error *err)
{
    if (o->load) {
        int rc = tetris_layer_data_load(l, o->load, d, err);
        if (rc)
            return rc;
        if (o->batch_given && d->n != o->batch) {
            int n = d->n;
            tetris_layer_data_free(d);
            snprintf(err->msg, sizeof err->msg, "%s/%s.ifmap.npy: holds %d images, --batch is %d",
                     o->load, l->name, n, o->batch);
            return TETRIS_EINVAL;
        }
        o->batch = d->n;
        o->batch_given = 1; /* every layer of the run has the same batch */
        return TETRIS_OK;
    }
    if (tetris_layer_data_alloc(l, o->batch, d)) {
        snprintf(err->msg, sizeof err->msg, "%s: out of memory for the layer data", l->name);
        return TETRIS_ENOMEM;
    }
    tetris_arith a;
    tetris_arith_from_config(cfg, &a);
    tetris_layer_data_random(l, &a, o->seed, stream, d);
    return TETRIS_OK;
}

/*
 * Run the selected layers in network order into runs. Stops at the first
 * error: its message goes to stderr and into errmsg; returns the exit status
 * it implies, or 0.
 */
static int run_layers(struct run_opts *o, const tetris_config *cfg, const tetris_net *net,
                      const char *net_path, const char *sel, int n_sel, cli_layer_run *runs,
                      int *n_runs, char *errmsg, size_t errsize)
{
    /* progress is for a person watching a long run, not for logs or tests */
    int progress = !o->quiet && n_sel > 1 && isatty(STDERR_FILENO);
    *n_runs = 0;
    for (int i = 0; i < net->n_layers; i++) {
        if (!sel[i])
            continue;
        const tetris_layer *l = &net->layers[i];
        cli_layer_run *run = &runs[*n_runs];
        run->index = i;
        run->layer = l;
        if (progress)
            fprintf(stderr, "[%d/%d] %s ...\n", *n_runs + 1, n_sel, l->name);
        tetris_error err = {""};
        tetris_layer_data d;
        int status = layer_inputs(o, cfg, l, (uint64_t)i, &d, &err);
        if (!status)
            status = tetris_run_layer_data(cfg, l, &d, &run->res, &err);
        if (!status && o->save)
            status = tetris_layer_data_save(l, &d, o->save, &err);
        tetris_layer_data_free(&d);
        if (status) {
            /* the library does not know the network file: name it and the layer's line */
            snprintf(errmsg, errsize, "%s:%d: %s", net_path, l->line,
                     err.msg[0] ? err.msg : tetris_strerror(status));
            cli_error("%s", errmsg);
            return status == TETRIS_EINVAL || status == TETRIS_EFIT || status == TETRIS_EIO
                       ? CLI_EXIT_BAD
                       : CLI_EXIT_FAIL;
        }
        (*n_runs)++;
    }
    return 0;
}

/* Open the --json file before running, so a bad path fails in a second, not after an hour. */
static int open_json(const char *path, FILE **out)
{
    *out = NULL;
    if (!path)
        return 0;
    *out = fopen(path, "w");
    if (!*out) {
        cli_error("%s: --json: cannot write: %s", path, strerror(errno));
        return CLI_EXIT_BAD;
    }
    return 0;
}

static int finish_json(FILE *f, const char *path, const cli_report *rep)
{
    if (!f)
        return 0;
    int status = report_json(rep, f);
    if (fclose(f) != 0 || status) {
        cli_error("%s: --json: cannot write: %s", path,
                  tetris_strerror(status ? status : TETRIS_EIO));
        return CLI_EXIT_BAD;
    }
    return 0;
}

int cmd_run(int argc, char **argv)
{
    struct run_opts o = {.batch = 1, .seed = 1};
    int status = parse_options(argc, argv, &o);
    if (status >= 0)
        return status;

    tetris_config cfg;
    char config_path[CLI_PATH_MAX];
    status = cli_load_config(o.config, &cfg, config_path, sizeof config_path);
    if (status)
        return status;
    tetris_net net = {.n_layers = 0};
    char net_path[CLI_PATH_MAX];
    status = cli_load_net(o.net, config_path, &net, net_path, sizeof net_path);
    if (status)
        return status;

    char *sel = calloc((size_t)net.n_layers + 1, 1);
    cli_layer_run *runs = calloc((size_t)net.n_layers + 1, sizeof *runs);
    FILE *json = NULL;
    int n_sel = 0, n_runs = 0;
    char errmsg[sizeof(tetris_error) + CLI_PATH_MAX];
    if (!sel || !runs) {
        cli_error("%s", tetris_strerror(TETRIS_ENOMEM));
        status = CLI_EXIT_FAIL;
    } else {
        status = cli_select_layers(&net, net_path, o.layers, sel, &n_sel);
        if (!status)
            status = open_json(o.json, &json);
    }
    if (!status) {
        status =
            run_layers(&o, &cfg, &net, net_path, sel, n_sel, runs, &n_runs, errmsg, sizeof errmsg);
        cli_report rep = {.cfg = &cfg,
                          .config_path = config_path,
                          .net = &net,
                          .net_path = net_path,
                          .batch = o.batch,
                          .seed = o.seed,
                          .n_runs = n_runs,
                          .runs = runs,
                          .error = status ? errmsg : NULL};
        if (!status)
            report_table(&rep, stdout);
        int json_status = finish_json(json, o.json, &rep);
        if (!status)
            status = json_status;
        for (int i = 0; !status && i < n_runs; i++)
            if (!runs[i].res.pass)
                status = CLI_EXIT_FAIL;
    }
    free(runs);
    free(sel);
    tetris_net_free(&net);
    return status;
}
