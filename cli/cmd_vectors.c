/*
 * `tetris vectors`: FPGA bring-up vectors. For each selected layer, prepare
 * the layer job (seeded data, compiled program, golden and engine models, as
 * `tetris cosim` does) and write DIR/LAYER/: the vault image, the expected
 * vault bytes and counters as $readmemh hex files, params.vh, the .npy
 * tensors, a self-checking Verilog testbench with its run.sh (libtetris,
 * tetris_job_write_vectors) and the configuration's generated RTL in rtl/
 * (docs/cosim.md).
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "tetris_gen.h"

static void print_usage(FILE *out)
{
    fputs("Usage: tetris vectors --net=NAME|FILE --layers=LIST --output=DIR [OPTION]...\n"
          "Write FPGA bring-up vectors for layers of a network: per layer, DIR/LAYER/ holds\n"
          "the vault image (inputs and program), the expected vault bytes and counters as\n"
          "$readmemh hex files, params.vh, the tensors as .npy, the configuration's\n"
          "generated RTL (rtl/) and a self-checking Verilog testbench (tb_vectors.v) with\n"
          "run.sh, which runs it under Icarus Verilog without any C code.\n"
          "\n"
          "  -c, --config=NAME|FILE  accelerator configuration (default: t16)\n"
          "  -n, --net=NAME|FILE     network (required)\n"
          "  -l, --layers=LIST       comma-separated layer names (required)\n"
          "  -b, --batch=N           images per batch (default: 1)\n"
          "  -s, --seed=S            seed of the data (default: 1; the same data as\n"
          "                          'tetris run' and 'tetris cosim' with that seed)\n"
          "  -o, --output=DIR        folder to write (created if missing)\n"
          "  -h, --help              print this help and exit\n"
          "\n"
          "Exit status: 0 when every layer is written, 1 when the engine model disagrees\n"
          "with the golden model, 2 on bad options, configuration or network, a layer\n"
          "that does not fit, or a folder that cannot be written.\n",
          out);
}

typedef struct vec_options {
    const char *config, *net, *layers, *output;
    int batch;
    uint64_t seed;
} vec_options;

/* Parse the options into o; returns -1 to go on, or the exit status. */
static int parse_options(int argc, char **argv, vec_options *o)
{
    static const struct option opts[] = {
        {"config", required_argument, NULL, 'c'}, {"net", required_argument, NULL, 'n'},
        {"layers", required_argument, NULL, 'l'}, {"batch", required_argument, NULL, 'b'},
        {"seed", required_argument, NULL, 's'},   {"output", required_argument, NULL, 'o'},
        {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0},
    };
    long v;
    int c;
    while ((c = getopt_long(argc, argv, ":c:n:l:b:s:o:h", opts, NULL)) != -1) {
        switch (c) {
        case 'c': o->config = optarg; break;
        case 'n': o->net = optarg; break;
        case 'l': o->layers = optarg; break;
        case 'o': o->output = optarg; break;
        case 'b':
            if (cli_parse_long(optarg, 1, INT_MAX, &v)) {
                cli_error("vectors: --batch: '%s' is not a positive integer", optarg);
                return CLI_EXIT_BAD;
            }
            o->batch = (int)v;
            break;
        case 's':
            if (cli_parse_u64(optarg, &o->seed) || o->seed > INT64_MAX) {
                cli_error("vectors: --seed: '%s' is not an integer from 0 to 2^63-1", optarg);
                return CLI_EXIT_BAD;
            }
            break;
        case 'h': print_usage(stdout); return CLI_EXIT_PASS;
        default: return cli_bad_option("vectors", c, argv);
        }
    }
    if (optind < argc)
        return cli_bad_operand("vectors", argv[optind]);
    if (!o->net) {
        cli_error("vectors: no network given (--net=NAME|FILE); try 'tetris vectors --help'");
        return CLI_EXIT_BAD;
    }
    if (!o->layers || !o->layers[0]) {
        cli_error("vectors: no layers given (--layers=LIST); try 'tetris vectors --help'");
        return CLI_EXIT_BAD;
    }
    if (!o->output || !o->output[0]) {
        cli_error("vectors: no output folder given (--output=DIR); try 'tetris vectors --help'");
        return CLI_EXIT_BAD;
    }
    return -1;
}

/* Prepare layer `index` of the network and write its folder; an exit status. */
static int write_layer(const vec_options *o, const tetris_config *cfg, const char *net_path,
                       const tetris_layer *l, int index)
{
    char dir[CLI_PATH_MAX], rtl[CLI_PATH_MAX];
    if (cli_path(dir, sizeof dir, "%s/%s", o->output, l->name) ||
        cli_path(rtl, sizeof rtl, "%s/rtl", dir))
        return CLI_EXIT_BAD;
    tetris_job job;
    tetris_error err = {""};
    int rc = cli_prepare_job(cfg, l, index, o->batch, o->seed, &job, &err);
    if (rc) {
        cli_error("%s:%d: %s", net_path, l->line, err.msg[0] ? err.msg : tetris_strerror(rc));
        return rc == TETRIS_ENOMEM ? CLI_EXIT_FAIL : CLI_EXIT_BAD;
    }
    rc = tetris_job_write_vectors(cfg, &job, dir, &err);
    if (!rc)
        rc = tetris_gen_write(cfg, rtl, &err);
    if (!rc) {
        uint64_t b = (uint64_t)cfg->dram_burst_bytes;
        printf("%s: %s: %zu instructions, image %" PRIu64 " bursts, expected %" PRIu64
               " bursts, model %" PRIu64 " cycles; run %s/run.sh\n",
               l->name, dir, job.prog.n, (job.image_bytes + b - 1) / b,
               (job.lay.end + b - 1) / b - job.lay.psum / b, job.res.counts.v[TETRIS_CNT_CYCLES],
               dir);
    }
    tetris_job_free(&job);
    if (!rc)
        return CLI_EXIT_PASS;
    cli_error("vectors: %s", err.msg[0] ? err.msg : tetris_strerror(rc));
    return rc == TETRIS_ENOMEM || rc == TETRIS_EMISMATCH ? CLI_EXIT_FAIL : CLI_EXIT_BAD;
}

int cmd_vectors(int argc, char **argv)
{
    vec_options o = {.batch = 1, .seed = 1};
    int status = parse_options(argc, argv, &o);
    if (status >= 0)
        return status;
    tetris_config cfg;
    char config_path[CLI_PATH_MAX], net_path[CLI_PATH_MAX];
    tetris_net net = {.n_layers = 0};
    status = cli_load_config(o.config, &cfg, config_path, sizeof config_path);
    if (!status)
        status = cli_load_net(o.net, config_path, &net, net_path, sizeof net_path);
    char *sel = status ? NULL : calloc((size_t)net.n_layers + 1, 1);
    int n_sel = 0;
    if (!status && !sel) {
        cli_error("%s", tetris_strerror(TETRIS_ENOMEM));
        status = CLI_EXIT_FAIL;
    }
    if (!status)
        status = cli_select_layers(&net, net_path, o.layers, sel, &n_sel);
    /* every selected layer must fit before anything is written */
    for (int i = 0; !status && i < net.n_layers; i++)
        if (sel[i])
            status = cli_layer_fits(&cfg, &net.layers[i], o.batch, net_path);
    if (!status && mkdir(o.output, 0777) != 0 && errno != EEXIST) {
        cli_error("vectors: %s: cannot create: %s", o.output, strerror(errno));
        status = CLI_EXIT_BAD;
    }
    for (int i = 0; !status && i < net.n_layers; i++)
        if (sel[i])
            status = write_layer(&o, &cfg, net_path, &net.layers[i], i);
    free(sel);
    tetris_net_free(&net);
    return status;
}
