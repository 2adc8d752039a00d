/*
 * `tetris config`: check a configuration and print it as YAML, or print the
 * configuration reference or the C header generated from the parameter
 * table. Also the configuration lookup `tetris run` shares.
 */
#include "config.h"

#include <getopt.h>
#include <stdlib.h>

#include "cli.h"

/* The default configuration: the paper's T-16 engine. */
#define DEFAULT_CONFIG "t16"

int cli_load_config(const char *arg, tetris_config *cfg, char *path, size_t size)
{
    const char *name = arg ? arg : DEFAULT_CONFIG;
    if (cli_is_path(name)) {
        snprintf(path, size, "%s", name);
    } else {
        const char *dirs[] = {getenv("TETRIS_CONFIG_DIR"), TETRIS_PKGDATADIR "/examples/configs",
                              "examples/configs"};
        if (cli_search(name, "configuration", dirs, 3, path, size) < 0)
            return CLI_EXIT_BAD;
    }
    tetris_error err = {""};
    int status = tetris_config_load(path, cfg, &err);
    if (status) {
        cli_error("%s", err.msg[0] ? err.msg : tetris_strerror(status));
        return CLI_EXIT_BAD;
    }
    return 0;
}

static void print_usage(FILE *out)
{
    fputs("Usage: tetris config [--config=NAME|FILE] [--doc | --header]\n"
          "Check a configuration and print it as YAML with every parameter.\n"
          "\n"
          "  -c, --config=NAME|FILE  configuration (default: t16); NAME.yaml is looked up\n"
          "                          in $TETRIS_CONFIG_DIR,\n"
          "                          " TETRIS_PKGDATADIR "/examples/configs,\n"
          "                          ./examples/configs\n"
          "      --doc               print the configuration reference (docs/config.md)\n"
          "      --header            print tetris_params.h for the configuration\n"
          "  -h, --help              print this help and exit\n"
          "\n"
          "Exit status: 0 on success, 2 on a bad configuration or option.\n"
          "\n"
          "Parameters:\n",
          out);
}

enum config_mode { MODE_YAML, MODE_DOC, MODE_HEADER };

/* getopt values of the long-only options, outside the char range */
enum { OPT_DOC = 256, OPT_HEADER };

int cmd_config(int argc, char **argv)
{
    static const struct option opts[] = {
        {"config", required_argument, NULL, 'c'},
        {"doc", no_argument, NULL, OPT_DOC},
        {"header", no_argument, NULL, OPT_HEADER},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *config = NULL;
    enum config_mode mode = MODE_YAML;
    int c;
    while ((c = getopt_long(argc, argv, ":c:h", opts, NULL)) != -1) {
        switch (c) {
        case 'c': config = optarg; break;
        case OPT_DOC: mode = MODE_DOC; break;
        case OPT_HEADER: mode = MODE_HEADER; break;
        case 'h':
            print_usage(stdout);
            return tetris_config_write_help(stdout) ? CLI_EXIT_FAIL : CLI_EXIT_PASS;
        default: return cli_bad_option("config", c, argv);
        }
    }
    if (optind < argc)
        return cli_bad_operand("config", argv[optind]);

    if (mode == MODE_DOC)
        return tetris_config_write_doc(stdout) ? CLI_EXIT_FAIL : CLI_EXIT_PASS;

    tetris_config cfg;
    char path[CLI_PATH_MAX];
    int status = cli_load_config(config, &cfg, path, sizeof path);
    if (status)
        return status;
    int rc = mode == MODE_HEADER ? tetris_config_write_header(&cfg, stdout)
                                 : tetris_config_write_yaml(&cfg, stdout);
    return rc ? CLI_EXIT_FAIL : CLI_EXIT_PASS;
}
