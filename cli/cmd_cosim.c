/*
 * `tetris cosim`: run layers of a network on the generated RTL (the SystemC
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
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "cosim.h"

static void print_usage(FILE *out)
{
    fputs("Usage: tetris cosim --net=NAME|FILE [OPTION]... [+PLUSARG]...\n"
          "Run layers of a network on the generated RTL of a configuration (Verilator and\n"
          "SystemC) and check them against the models: ofmaps bit-exact, every event\n"
          "counter equal, cycles within the bound of the model's prediction.\n"
          "\n"
          "  -c, --config=NAME|FILE  accelerator configuration (default: t16)\n"
          "  -n, --net=NAME|FILE     network (required)\n"
          "  -l, --layers=LIST       comma-separated layer names (default: every layer)\n"
          "  -b, --batch=N           images per batch (default: 1)\n"
          "  -s, --seed=S            seed of the data and of the injected back-pressure\n"
          "                          (default: 1)\n"
          "  -j, --json=FILE         also write the whole result as JSON (docs/json.md)\n"
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
           O_FAULT };
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

/* "key value" lines of the simulator's PREFIX.txt into r; 0 or -1. */
static int read_results(const char *path, cli_rtl_run *r)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    char line[1024];
    int n_counters = 0, have_status = 0;
    size_t msg_len = 0;
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = '\0';
        char name[64];
        uint64_t value;
        if (sscanf(line, "status %15s", r->status) == 1) {
            have_status = 1;
        } else if (sscanf(line, "cycles %" SCNu64, &r->cycles) == 1) {
        } else if (sscanf(line, "counter %63s %" SCNu64, name, &value) == 2) {
            for (int i = 0; i < TETRIS_CNT_COUNT; i++)
                if (strcmp(name, tetris_counter_name((enum tetris_counter)i)) == 0) {
                    r->counts.v[i] = value;
                    n_counters++;
                }
        } else if (sscanf(line, "sim_seconds %lf", &r->sim_seconds) == 1) {
        } else if (strncmp(line, "message ", 8) == 0) {
            int k = snprintf(r->message + msg_len, sizeof r->message - msg_len, "%s%s",
                             msg_len ? "; " : "", line + 8);
            if (k > 0 && msg_len + (size_t)k < sizeof r->message)
                msg_len += (size_t)k;
        }
    }
    fclose(f);
    return have_status && n_counters == TETRIS_CNT_COUNT ? 0 : -1;
}

static int write_file(const char *path, const uint8_t *p, uint64_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    size_t w = fwrite(p, 1, (size_t)n, f);
    return fclose(f) == 0 && w == (size_t)n ? 0 : -1;
}

static int read_exact(const char *path, uint8_t *p, uint64_t n)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    size_t r = fread(p, 1, (size_t)n, f);
    int extra = getc(f) != EOF;
    fclose(f);
    return r == (size_t)n && !extra ? 0 : -1;
}

/* The simulator's command line for one job. */
typedef struct sim_call {
    char *argv[64];
    char buf[16][CLI_PATH_MAX];
    int n, nbuf;
} sim_call;

static void sim_arg(sim_call *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sim_arg(sim_call *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->buf[c->nbuf], sizeof c->buf[0], fmt, ap);
    va_end(ap);
    c->argv[c->n++] = c->buf[c->nbuf++];
}

/*
 * Run one prepared job on the simulator and judge it into r. trace: an FST
 * file to write around instruction trace_pc, or NULL. Returns 0 when it ran
 * (pass or not), -1 when the simulator could not run.
 */
static int simulate(const cosim_options *o, const char *sim, const char *config_file,
                    const char *work, const tetris_job *job, const char *trace, int64_t trace_pc,
                    const char *profile, cli_rtl_run *r)
{
    const char *name = job->layer.name;
    char image[CLI_PATH_MAX], prefix[CLI_PATH_MAX], txt[CLI_PATH_MAX], bin[CLI_PATH_MAX],
        log[CLI_PATH_MAX];
    if (cli_path(image, sizeof image, "%s/%s.img", work, name) ||
        cli_path(prefix, sizeof prefix, "%s/%s", work, name) ||
        cli_path(txt, sizeof txt, "%s.txt", prefix) || cli_path(bin, sizeof bin, "%s.bin", prefix) ||
        cli_path(log, sizeof log, "%s.log", prefix))
        return -1;
    if (write_file(image, job->image, job->image_bytes)) {
        cli_error("cosim: %s: cannot write: %s", image, strerror(errno));
        return -1;
    }
    sim_call c = {.n = 0};
    c.argv[c.n++] = (char *)sim;
    c.argv[c.n++] = "--config";
    c.argv[c.n++] = (char *)config_file;
    c.argv[c.n++] = "--image";
    c.argv[c.n++] = image;
    c.argv[c.n++] = "--out";
    c.argv[c.n++] = prefix;
    sim_arg(&c, "--prog-base=%" PRIu64, job->prog_base);
    sim_arg(&c, "--dump=%" PRIu64 ":%" PRIu64, job->lay.psum, job->lay.end);
    sim_arg(&c, "--seed=%" PRIu64, o->seed);
    sim_arg(&c, "--stall=%d", o->stall);
    sim_arg(&c, "--watchdog=%" PRIu64, o->watchdog);
    sim_arg(&c, "--expect-cycles=%" PRIu64, job->res.counts.v[TETRIS_CNT_CYCLES]);
    if (!o->quiet && isatty(STDERR_FILENO))
        c.argv[c.n++] = "--progress";
    if (trace) {
        sim_arg(&c, "--trace=%s", trace);
        if (trace_pc >= 0) {
            sim_arg(&c, "--trace-pc=%" PRId64, trace_pc);
            sim_arg(&c, "--trace-window=%" PRIu64, o->trace_window);
        }
    }
    if (profile)
        sim_arg(&c, "--profile=%s", profile);
    if (o->x_unique) {
        sim_arg(&c, "+verilator+seed+%" PRIu64, o->seed % 0x7FFFFFFF + 1);
        c.argv[c.n++] = "+verilator+rand+reset+2";
    }
    for (char **p = o->plusargs; *p && c.n < 62; p++)
        c.argv[c.n++] = *p;
    c.argv[c.n] = NULL;
    int status;
    if (cosim_spawn(c.argv, log, &status)) {
        cli_error("cosim: cannot run %s: %s", sim, strerror(errno));
        return -1;
    }
    if (status >= 2 || read_results(txt, r)) {
        cli_error("cosim: %s: the simulator failed (exit %d); see %s", name, status, log);
        return -1;
    }
    uint64_t n = job->lay.end - job->lay.psum;
    uint8_t *region = malloc(n + 1);
    if (!region || read_exact(bin, region, n)) {
        free(region);
        cli_error("cosim: %s: cannot read %s", name, bin);
        return -1;
    }
    /* judge: every check, so that the report names all that failed */
    int bad = strcmp(r->status, "done") != 0;
    bad |= tetris_job_check(job, region, &r->mm);
    free(region);
    r->counters_equal = 0;
    r->first_bad_counter = -1;
    for (int i = 0; i < TETRIS_CNT_COUNT; i++) {
        if (i == TETRIS_CNT_CYCLES)
            continue;
        if (r->counts.v[i] == job->res.counts.v[i])
            r->counters_equal++;
        else if (r->first_bad_counter < 0)
            r->first_bad_counter = i;
    }
    bad |= r->first_bad_counter >= 0;
    uint64_t model = job->res.counts.v[TETRIS_CNT_CYCLES];
    r->deviation = model ? 100.0 * ((double)r->cycles - (double)model) / (double)model : 0.0;
    bad |= fabs(r->deviation) > o->bound;
    bad |= !job->res.pass; /* the engine model itself disagrees with the golden model */
    r->pass = !bad;
    return 0;
}

/* One line per failed check on stderr, naming what a person needs first. */
static void explain(const cosim_options *o, const tetris_job *job, const cli_rtl_run *r)
{
    const char *name = job->layer.name;
    const tetris_mismatch *mm = &r->mm;
    if (strcmp(r->status, "done") != 0)
        cli_error("cosim: %s: the run ended with '%s': %s", name, r->status, r->message);
    if (mm->index >= 0) {
        char insn[160] = "no instruction wrote it";
        if (mm->pc >= 0) {
            tetris_program one = {.insn = &job->prog.insn[mm->pc], .n = 1, .cap = 1};
            char *text = NULL;
            size_t len = 0;
            FILE *m = open_memstream(&text, &len);
            if (m) {
                tetris_program_disasm(&one, m);
                fclose(m);
                if (text) {
                    /* the listing of a one-instruction program: drop its index 0 */
                    text[strcspn(text, "\n")] = '\0';
                    const char *t = text + strspn(text, " ");
                    t += strspn(t, "0123456789");
                    t += strspn(t, " ");
                    snprintf(insn, sizeof insn, "written by instruction %" PRId64 " (%s)", mm->pc, t);
                }
                free(text);
            }
        }
        cli_error("cosim: %s: first differing ofmap element n=%d m=%d y=%d x=%d: expected %d, "
                  "RTL %d; %s",
                  name, mm->n, mm->m, mm->y, mm->x, mm->expect, mm->actual, insn);
    } else if (mm->byte >= 0) {
        cli_error("cosim: %s: ofmaps agree but the vault differs from the engine model's at byte "
                  "%" PRId64 " (psum area %" PRIu64 "..%" PRIu64 ")",
                  name, mm->byte, job->lay.psum, job->lay.ofmap);
    }
    if (r->first_bad_counter >= 0) {
        int i = r->first_bad_counter;
        cli_error("cosim: %s: %d of %d counters differ; first: %s: RTL %" PRIu64 ", model %" PRIu64,
                  name, TETRIS_CNT_COUNT - 1 - r->counters_equal, TETRIS_CNT_COUNT - 1,
                  tetris_counter_name((enum tetris_counter)i), r->counts.v[i], job->res.counts.v[i]);
    }
    if (fabs(r->deviation) > o->bound)
        cli_error("cosim: %s: RTL %" PRIu64 " cycles, model %" PRIu64 ": %+.1f %% exceeds the bound "
                  "of %g %%",
                  name, r->cycles, job->res.counts.v[TETRIS_CNT_CYCLES], r->deviation, o->bound);
}

/*
 * The profile of one layer: each LOAD, STORE and PASS with its RTL cycles
 * (dispatch to idle, from the simulator's profile) and the model's, into
 * out; per opcode totals on stderr, the sequencer's share (fetches, SET,
 * SYNC, waiting) as the rest of the RTL's cycles.
 */
static void profile_report(const tetris_job *job, const cli_rtl_run *r, const char *prof,
                           const char *out)
{
    static const char *const op_names[] = {"?", "SET", "LOAD", "STORE", "PASS", "SYNC", "END"};
    size_t n = job->prog.n;
    uint64_t *rtl = calloc(n + 1, sizeof *rtl), *at = calloc(n + 1, sizeof *at);
    FILE *in = fopen(prof, "r"), *f = fopen(out, "w");
    if (!rtl || !at || !in || !f) {
        if (in)
            fclose(in);
        if (f)
            fclose(f);
        free(rtl);
        free(at);
        cli_error("cosim: %s: cannot write the profile", out);
        return;
    }
    unsigned pc;
    uint64_t t0, t1, units = 0;
    while (fscanf(in, "%u %" SCNu64 " %" SCNu64, &pc, &t0, &t1) == 3)
        if (pc < n) {
            rtl[pc] += t1 - t0;
            at[pc] = t0;
            units += t1 - t0;
        }
    fclose(in);
    uint64_t rtl_op[7] = {0}, model_op[7] = {0}, n_op[7] = {0};
    fprintf(f, "# model and RTL cycles of each instruction (RTL: LOAD, STORE, PASS from dispatch\n"
               "# to idle; the sequencer's fetches, SETs and waits are the rest), then the program\n");
    for (size_t i = 0; i < n; i++) {
        int op = (int)(job->prog.insn[i].w[0] & 0xFF);
        op = op >= 1 && op <= 6 ? op : 0;
        uint64_t m = job->insn_cycles[i];
        int unit = op >= 2 && op <= 4;
        fprintf(f, "%6zu %-5s model %8" PRIu64, i, op_names[op], m);
        if (unit)
            fprintf(f, "  RTL %8" PRIu64 " x%-6.2f at %" PRIu64, rtl[i], m ? (double)rtl[i] / (double)m : 0.0,
                    at[i]);
        fputc('\n', f);
        rtl_op[op] += rtl[i];
        model_op[op] += m;
        n_op[op]++;
    }
    fputs("\n", f);
    tetris_program_disasm(&job->prog, f);
    fclose(f);
    free(rtl);
    free(at);
    uint64_t model_seq = model_op[1] + model_op[5] + model_op[6], n_seq = n_op[1] + n_op[5] + n_op[6];
    fprintf(stderr, "tetris: cosim: %s profile (%s):", job->layer.name, out);
    for (int op = 2; op <= 4; op++)
        if (n_op[op])
            fprintf(stderr, " %s x%" PRIu64 " RTL %" PRIu64 " model %" PRIu64 ";", op_names[op], n_op[op],
                    rtl_op[op], model_op[op]);
    fprintf(stderr, " sequencer x%" PRIu64 " RTL %" PRIu64 " model %" PRIu64 "\n", n_seq,
            r->cycles > units ? r->cycles - units : 0, model_seq);
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
    int n_sel = 0, n_runs = 0;
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
    if (!status)
        status = cosim_build(&cfg, &o, sim, sizeof sim);
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
    int failed = 0;
    for (int i = 0; !status && i < net.n_layers; i++) {
        if (!sel[i])
            continue;
        const tetris_layer *l = &net.layers[i];
        cli_layer_run *run = &runs[n_runs];
        cli_rtl_run *r = &rtl[n_runs];
        run->index = i;
        run->layer = l;
        run->rtl = r;
        if (!o.quiet)
            fprintf(stderr, "[%d/%d] %s: models ...\n", n_runs + 1, n_sel, l->name);
        tetris_job job;
        tetris_error err = {""};
        int rc = cli_prepare_job(&cfg, l, i, o.batch, o.seed, &job, &err);
        if (rc) {
            cli_error("%s:%d: %s", net_path, l->line, err.msg[0] ? err.msg : tetris_strerror(rc));
            status = rc == TETRIS_ENOMEM ? CLI_EXIT_FAIL : CLI_EXIT_BAD;
            break;
        }
        run->res = job.res;
        if (!o.quiet)
            fprintf(stderr, "[%d/%d] %s: RTL, %" PRIu64 " cycles predicted ...\n", n_runs + 1, n_sel,
                    l->name, job.res.counts.v[TETRIS_CNT_CYCLES]);
        char prof[CLI_PATH_MAX], prof_out[CLI_PATH_MAX];
        int profiling = o.profile_dir && !cli_path(prof, sizeof prof, "%s/%s.prof", work, l->name) &&
                        !cli_path(prof_out, sizeof prof_out, "%s/%s.profile", o.profile_dir, l->name);
        if (simulate(&o, sim, config_file, work, &job, NULL, -1, profiling ? prof : NULL, r)) {
            tetris_job_free(&job);
            status = CLI_EXIT_FAIL;
            break;
        }
        n_runs++;
        if (profiling) {
            mkdir(o.profile_dir, 0755);
            profile_report(&job, r, prof, prof_out);
        }
        if (!r->pass) {
            failed++;
            explain(&o, &job, r);
            if (o.trace_dir && (r->mm.index >= 0 || strcmp(r->status, "done") != 0)) {
                char fst[CLI_PATH_MAX];
                cli_rtl_run again = {.pass = 0};
                mkdir(o.trace_dir, 0755);
                snprintf(fst, sizeof fst, "%s/%s.fst", o.trace_dir, l->name);
                if (simulate(&o, sim, config_file, work, &job, fst, r->mm.index >= 0 ? r->mm.pc : -1,
                             NULL, &again) == 0)
                    fprintf(stderr, "tetris: cosim: %s: trace in %s\n", l->name, fst);
            }
        }
        tetris_job_free(&job);
    }
    cli_report rep = {.cfg = &cfg, .config_path = config_path, .net = &net, .net_path = net_path,
                      .batch = o.batch, .seed = o.seed, .n_runs = n_runs, .runs = runs};
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
