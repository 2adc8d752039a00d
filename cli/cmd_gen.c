/*
 * `tetris gen`: generate the Verilog of one engine, its parameter headers and
 * a manifest from a configuration, optionally changed with --set KEY=VALUE.
 */
#include "config.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "tetris_gen.h"

static void print_usage(FILE *out)
{
    fputs("Usage: tetris gen [--config=NAME|FILE] [--set=KEY=VALUE]... --output=DIR\n"
          "Generate the synthesizable Verilog of one vault's engine: one file per module,\n"
          "tetris_params.vh and tetris_params.h with the same constants, and manifest.txt.\n"
          "\n"
          "  -c, --config=NAME|FILE  configuration (default: t16), looked up as for run\n"
          "  -D, --set=KEY=VALUE     change one parameter of the configuration (repeatable)\n"
          "  -o, --output=DIR        folder to write (created if missing)\n"
          "      --fault=pe:ROW,COL  break one PE on purpose (it inverts a psum bit), to\n"
          "                          check that a testbench catches it; never for silicon\n"
          "  -h, --help              print this help and exit\n"
          "\n"
          "Exit status: 0 on success, 2 on a bad configuration, parameter or option.\n"
          "\n"
          "Modules:\n",
          out);
    size_t n;
    const tetris_gen_block *b = tetris_gen_blocks(&n);
    for (size_t i = 0; i < n; i++)
        fprintf(out, "  %-20s %s\n", b[i].name, b[i].doc);
    fputs("\nParameters (KEY for --set):\n", out);
}

/* Apply one --set KEY=VALUE. */
static int apply_set(tetris_config *cfg, const char *arg)
{
    const char *eq = strchr(arg, '=');
    char key[128];
    if (!eq || eq == arg || (size_t)(eq - arg) >= sizeof key) {
        cli_error("gen: --set: '%s' is not KEY=VALUE", arg);
        return CLI_EXIT_BAD;
    }
    memcpy(key, arg, (size_t)(eq - arg));
    key[eq - arg] = '\0';
    tetris_error err = {""};
    if (tetris_config_set(cfg, key, eq + 1, &err)) {
        cli_error("gen: --set %s", err.msg);
        return CLI_EXIT_BAD;
    }
    return 0;
}

int cmd_gen(int argc, char **argv)
{
    static const struct option opts[] = {
        {"config", required_argument, NULL, 'c'},
        {"set", required_argument, NULL, 'D'},
        {"output", required_argument, NULL, 'o'},
        {"fault", required_argument, NULL, 'F'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *config = NULL, *output = NULL;
    tetris_gen_options gopts = {.fault_row = -1, .fault_col = -1};
    /* the --set values apply after the configuration loads, in order */
    const char **sets = calloc((size_t)argc + 1, sizeof *sets);
    int n_sets = 0, c, status = 0;
    if (!sets) {
        cli_error("%s", tetris_strerror(TETRIS_ENOMEM));
        return CLI_EXIT_FAIL;
    }
    while (!status && (c = getopt_long(argc, argv, ":c:D:o:h", opts, NULL)) != -1) {
        switch (c) {
        case 'c': config = optarg; break;
        case 'D': sets[n_sets++] = optarg; break;
        case 'o': output = optarg; break;
        case 'F':
            if (cli_parse_fault(optarg, &gopts.fault_row, &gopts.fault_col)) {
                cli_error("gen: --fault: '%s' is not pe:ROW,COL", optarg);
                status = CLI_EXIT_BAD;
            }
            break;
        case 'h':
            print_usage(stdout);
            status = tetris_config_write_help(stdout) ? CLI_EXIT_FAIL : -1;
            break;
        default: status = cli_bad_option("gen", c, argv); break;
        }
    }
    if (status) {
        free(sets);
        return status < 0 ? CLI_EXIT_PASS : status;
    }
    if (optind < argc)
        status = cli_bad_operand("gen", argv[optind]);
    else if (!output) {
        cli_error("gen: no output folder given (--output=DIR); try 'tetris gen --help'");
        status = CLI_EXIT_BAD;
    }
    tetris_config cfg;
    char path[CLI_PATH_MAX];
    if (!status)
        status = cli_load_config(config, &cfg, path, sizeof path);
    for (int i = 0; !status && i < n_sets; i++)
        status = apply_set(&cfg, sets[i]);
    free(sets);
    if (status)
        return status;
    tetris_error err = {""};
    int rc = tetris_gen_write_opts(&cfg, &gopts, output, &err);
    if (rc) {
        cli_error("%s", err.msg[0] ? err.msg : tetris_strerror(rc));
        return rc == TETRIS_ENOMEM ? CLI_EXIT_FAIL : CLI_EXIT_BAD;
    }
    return CLI_EXIT_PASS;
}
