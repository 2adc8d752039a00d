/*
 * tetris: command dispatch, --help/--version, and the option and file-lookup
 * helpers the commands share. The man page is made from --help and
 * --version by help2man, so both print to stdout and exit 0.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static void print_help(FILE *out)
{
    fputs("Usage: tetris COMMAND [OPTION]...\n"
          "  or:  tetris --help | --version\n"
          "Bit-accurate reference model of the TETRIS 3D-memory neural-network accelerator:\n"
          "run network layers on the engine model, check each output against the golden\n"
          "model, and report events, cycles and energy.\n"
          "\n"
          "Commands:\n"
          "  run       run layers of a network on the engine model and check them\n"
          "  config    check a configuration and print it, its reference or its C header\n"
          "  gen       generate the Verilog of one engine for a configuration\n"
          "  cosim     run layers on the generated RTL and check them against the models\n"
          "            (options: 'tetris cosim --help')\n"
          "  vectors   write FPGA bring-up vectors and a self-checking Verilog testbench\n"
          "            (options: 'tetris vectors --help')\n"
          "\n"
          "Options of run:\n"
          "  -c, --config=NAME|FILE  accelerator configuration (default: t16)\n"
          "  -n, --net=NAME|FILE     network to run (required)\n"
          "  -l, --layers=LIST       comma-separated layer names (default: every layer)\n"
          "  -b, --batch=N           images per batch (default: 1)\n"
          "  -s, --seed=S            seed of the pseudo-random data (default: 1)\n"
          "  -j, --json=FILE         also write the whole result as JSON\n"
          "  -q, --quiet             no progress lines on standard error\n"
          "\n"
          "Options of config:\n"
          "  -c, --config=NAME|FILE  configuration to check and print as YAML (default: t16)\n"
          "      --doc               print the configuration reference (docs/config.md)\n"
          "      --header            print tetris_params.h for the configuration\n"
          "\n"
          "Options of gen:\n"
          "  -c, --config=NAME|FILE  configuration (default: t16)\n"
          "  -D, --set=KEY=VALUE     change one parameter (repeatable)\n"
          "  -o, --output=DIR        folder for the Verilog, parameter headers and manifest\n"
          "\n"
          "Common options:\n"
          "  -h, --help              print help and exit ('tetris config --help' also lists\n"
          "                          every configuration parameter)\n"
          "  -V, --version           print the version and exit\n"
          "\n"
          "Files:\n"
          "  An argument containing '/' or ending in .yaml is a file; for a NAME, NAME.yaml\n"
          "  is looked up in turn. Configurations: $TETRIS_CONFIG_DIR,\n"
          "  " TETRIS_PKGDATADIR "/examples/configs, ./examples/configs.\n"
          "  Networks: $TETRIS_NET_DIR, ../nets beside the configuration file,\n"
          "  " TETRIS_PKGDATADIR "/examples/nets, ./examples/nets.\n"
          "\n"
          "Exit status:\n"
          "  0  every layer matches the golden model\n"
          "  1  an output differs from the golden model, or the engine model failed\n"
          "  2  bad options, configuration or network, or a layer that does not fit\n",
          out);
}

static void print_version(void)
{
    printf("tetris %s\n", tetris_version());
    puts("This is free software; see the source for copying conditions. There is NO warranty.");
}

void cli_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("tetris: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

int cli_bad_option(const char *cmd, int opt, char **argv)
{
    /* getopt leaves the offending word at argv[optind - 1] for long options;
     * for a short one only optopt is reliable (it may sit inside a cluster). */
    const char *word = argv[optind - 1];
    char shortopt[3] = {'-', (char)optopt, '\0'};
    const char *what = (strncmp(word, "--", 2) == 0 || !optopt) ? word : shortopt;
    const char *problem = opt == ':' ? "needs an argument" : "is not valid";
    if (cmd)
        cli_error("%s: option '%s' %s; try 'tetris %s --help'", cmd, what, problem, cmd);
    else
        cli_error("option '%s' %s; try 'tetris --help'", what, problem);
    return CLI_EXIT_BAD;
}

int cli_bad_operand(const char *cmd, const char *arg)
{
    cli_error("%s: unexpected argument '%s'; try 'tetris %s --help'", cmd, arg, cmd);
    return CLI_EXIT_BAD;
}

int cli_path(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    if (n >= 0 && (size_t)n < size)
        return 0;
    cli_error("a path longer than %zu bytes: %.60s...", size - 1, buf);
    return -1;
}

int cli_parse_long(const char *s, long min, long max, long *out)
{
    /* strtol would skip leading blanks and accept "12abc" prefixes: refuse both */
    if (!isdigit((unsigned char)s[0]) &&
        !((s[0] == '-' || s[0] == '+') && isdigit((unsigned char)s[1])))
        return -1;
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || *end || v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

int cli_parse_fault(const char *s, int *row, int *col)
{
    long r, c;
    const char *comma = strncmp(s, "pe:", 3) == 0 ? strchr(s + 3, ',') : NULL;
    char rtext[16];
    if (!comma || (size_t)(comma - s - 3) >= sizeof rtext)
        return -1;
    memcpy(rtext, s + 3, (size_t)(comma - s - 3));
    rtext[comma - s - 3] = '\0';
    if (cli_parse_long(rtext, 0, 4095, &r) || cli_parse_long(comma + 1, 0, 4095, &c))
        return -1;
    *row = (int)r;
    *col = (int)c;
    return 0;
}

int cli_parse_u64(const char *s, uint64_t *out)
{
    int hex = s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
    const char *digits = hex ? s + 2 : s;
    /* strtoull accepts a sign and wraps negatives: only bare digits pass */
    if (!(hex ? isxdigit((unsigned char)digits[0]) : isdigit((unsigned char)digits[0])))
        return -1;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(digits, &end, hex ? 16 : 10);
    if (errno || *end)
        return -1;
    *out = (uint64_t)v;
    return 0;
}

int cli_is_path(const char *arg)
{
    size_t n = strlen(arg);
    return strchr(arg, '/') != NULL || (n >= 5 && strcmp(arg + n - 5, ".yaml") == 0);
}

int cli_search(const char *name, const char *what, const char *const *dirs, int ndirs, char *path,
               size_t size)
{
    char tried[1024] = "";
    size_t used = 0;
    for (int i = 0; i < ndirs; i++) {
        if (!dirs[i] || !dirs[i][0])
            continue;
        char candidate[CLI_PATH_MAX];
        int n = snprintf(candidate, sizeof candidate, "%s/%s.yaml", dirs[i], name);
        /* existence only: an unreadable file is the loader's error to report */
        if (n > 0 && (size_t)n < sizeof candidate && access(candidate, F_OK) == 0) {
            snprintf(path, size, "%s", candidate);
            return i;
        }
        int k = snprintf(tried + used, sizeof tried - used, "%s%s", used ? ", " : "", dirs[i]);
        if (k > 0 && used + (size_t)k < sizeof tried)
            used += (size_t)k;
    }
    cli_error("%s: no such %s (looked for %s.yaml in %s)", name, what, name,
              used ? tried : "no directory");
    return -1;
}

/* The commands, by name. */
static const struct {
    const char *name;
    int (*run)(int argc, char **argv);
} commands[] = {
    {"run", cmd_run},
    {"config", cmd_config},
    {"gen", cmd_gen},
    {"cosim", cmd_cosim},
    {"vectors", cmd_vectors},
};

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0},
    };
    /* the commands print their own one-line messages; '+' stops at the command */
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, "+:hV", opts, NULL)) != -1) {
        switch (c) {
        case 'h': print_help(stdout); return CLI_EXIT_PASS;
        case 'V': print_version(); return CLI_EXIT_PASS;
        default: return cli_bad_option(NULL, c, argv);
        }
    }
    if (optind >= argc) {
        cli_error("no command given; try 'tetris --help'");
        return CLI_EXIT_BAD;
    }
    const char *cmd = argv[optind];
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        if (strcmp(cmd, commands[i].name) == 0) {
            int sub_argc = argc - optind;
            char **sub_argv = argv + optind;
            optind = 0; /* glibc: 0 makes getopt start afresh for the command */
            int status = commands[i].run(sub_argc, sub_argv);
            if (fflush(stdout) != 0 || ferror(stdout)) {
                cli_error("cannot write standard output");
                return CLI_EXIT_FAIL;
            }
            return status;
        }
    }
    cli_error("unknown command '%s'; try 'tetris --help'", cmd);
    return CLI_EXIT_BAD;
}
