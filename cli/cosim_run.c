/*
 * The simulator runs of `tetris cosim`: one prepared layer on the cached
 * simulator (its command line, its results judged by libtetris, the lines
 * that explain a failure, the per-instruction profile), and the pool that
 * keeps --jobs of them running at once with one progress line on a terminal.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "cosim.h"

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

int cosim_write_file(const char *path, const uint8_t *p, uint64_t n)
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
 * Start the simulator on one prepared job, without waiting. trace: an FST
 * file to write around instruction trace_pc, or NULL. progress: where the
 * read end of the simulator's progress pipe goes, or NULL. 0, or -1 after an
 * error line.
 */
static int sim_start(const cosim_options *o, const char *sim, const char *config_file,
                     const char *work, const tetris_job *job, const char *trace, int64_t trace_pc,
                     const char *profile, int *progress, pid_t *pid)
{
    const char *name = job->layer.name;
    char image[CLI_PATH_MAX], prefix[CLI_PATH_MAX], log[CLI_PATH_MAX];
    if (cli_path(image, sizeof image, "%s/%s.img", work, name) ||
        cli_path(prefix, sizeof prefix, "%s/%s", work, name) ||
        cli_path(log, sizeof log, "%s.log", prefix))
        return -1;
    if (cosim_write_file(image, job->image, job->image_bytes)) {
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
    if (progress)
        sim_arg(&c, "--progress-fd=%d", COSIM_PROGRESS_FD);
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
    if (cosim_start(c.argv, log, progress, pid)) {
        cli_error("cosim: cannot run %s: %s", sim, strerror(errno));
        return -1;
    }
    return 0;
}

/*
 * Judge a finished simulation of job (exit status status) into r. Returns 0
 * when it ran (pass or not), -1 after an error line when it could not run.
 */
static int sim_judge(const cosim_options *o, const char *work, const tetris_job *job, int status,
                     cli_rtl_run *r)
{
    const char *name = job->layer.name;
    char txt[CLI_PATH_MAX], bin[CLI_PATH_MAX];
    if (cli_path(txt, sizeof txt, "%s/%s.txt", work, name) ||
        cli_path(bin, sizeof bin, "%s/%s.bin", work, name))
        return -1;
    if (status >= 2 || read_results(txt, r)) {
        cli_error("cosim: %s: the simulator failed (exit %d); see %s/%s.log", name, status, work, name);
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

/* sim_start, wait, sim_judge: one run to its end (the traced rerun). */
static int simulate(const cosim_options *o, const char *sim, const char *config_file,
                    const char *work, const tetris_job *job, const char *trace, int64_t trace_pc,
                    cli_rtl_run *r)
{
    pid_t pid;
    int status;
    if (sim_start(o, sim, config_file, work, job, trace, trace_pc, NULL, NULL, &pid))
        return -1;
    if (cosim_reap(pid, 1, &status) != 1) {
        cli_error("cosim: %s: lost the simulator: %s", job->layer.name, strerror(errno));
        return -1;
    }
    return sim_judge(o, work, job, status, r);
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

/* ---- several simulators at once ---- */

double cosim_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

int cosim_online_cpus(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > COSIM_MAX_JOBS ? COSIM_MAX_JOBS : (int)n;
}

void cosim_pool_clear_line(cosim_pool *p)
{
    if (p->shown)
        fputs("\r\033[K", stderr);
    p->shown = 0;
}

/* One line: each running layer's share of its predicted cycles, the
 * simulators' joint speed and the time until the running ones end. */
static void pool_draw(cosim_pool *p)
{
    double now = cosim_now(), rate = 0, eta = 0;
    char line[160];
    int n = 0;
    for (int k = 0; k < p->active; k++) {
        /* the speed up to the last report, carried on to now */
        const cosim_slot *s = &p->slot[k];
        double r = s->t > s->t0 ? (double)s->cycles / (s->t - s->t0) : 0;
        double done = (double)s->cycles + r * (now - s->t);
        double expect = (double)s->job.res.counts.v[TETRIS_CNT_CYCLES];
        double pct = expect > 0 ? 100.0 * done / expect : 0;
        rate += r;
        if (r > 0 && (expect - done) / r > eta)
            eta = (expect - done) / r;
        if (n < (int)sizeof line - 40)
            n += snprintf(line + n, sizeof line - (size_t)n, "%s%s %.0f %%", k ? ", " : "",
                          s->job.layer.name, pct > 99 ? 99 : pct);
    }
    int waiting = p->n_sel - p->launched;
    fprintf(stderr, "\r\033[K  %s: %.1f k cycles/s, about %.0f s to go", line, rate / 1000, eta);
    if (waiting)
        fprintf(stderr, ", then %d more layer%s", waiting, waiting > 1 ? "s" : "");
    fflush(stderr);
    p->shown = 1;
    p->drawn = now;
}

int cosim_pool_start(cosim_pool *p, const tetris_config *cfg, const char *net_path,
                      const tetris_layer *l, int index)
{
    const cosim_options *o = p->o;
    int k = p->launched;
    cli_layer_run *run = &p->runs[k];
    run->index = index;
    run->layer = l;
    run->rtl = &p->rtl[k];
    cosim_pool_clear_line(p);
    if (!o->quiet)
        fprintf(stderr, "[%d/%d] %s: models ...\n", k + 1, p->n_sel, l->name);
    cosim_slot *s = &p->slot[p->active];
    memset(s, 0, sizeof *s);
    tetris_error err = {""};
    int rc = cli_prepare_job(cfg, l, index, o->batch, o->seed, &s->job, &err);
    if (rc) {
        cli_error("%s:%d: %s", net_path, l->line, err.msg[0] ? err.msg : tetris_strerror(rc));
        return rc == TETRIS_ENOMEM ? CLI_EXIT_FAIL : CLI_EXIT_BAD;
    }
    run->res = s->job.res;
    if (!o->quiet)
        fprintf(stderr, "[%d/%d] %s: RTL, %" PRIu64 " cycles predicted ...\n", k + 1, p->n_sel,
                l->name, s->job.res.counts.v[TETRIS_CNT_CYCLES]);
    s->profiling = o->profile_dir &&
                   !cli_path(s->prof, sizeof s->prof, "%s/%s.prof", p->work, l->name) &&
                   !cli_path(s->prof_out, sizeof s->prof_out, "%s/%s.profile", o->profile_dir, l->name);
    s->fd = -1;
    if (sim_start(o, p->sim, p->config_file, p->work, &s->job, NULL, -1,
                  s->profiling ? s->prof : NULL, &s->fd, &s->pid)) {
        tetris_job_free(&s->job);
        return CLI_EXIT_FAIL;
    }
    s->run = k;
    s->t0 = s->t = cosim_now();
    if (!p->launched)
        p->t_first = s->t0;
    p->launched++;
    p->active++;
    return 0;
}

/* A simulator ended with exit status status: judge, report, trace a
 * mismatch. 0, or -1 when it could not run. */
static int pool_finish(cosim_pool *p, cosim_slot *s, int status)
{
    const cosim_options *o = p->o;
    const char *name = s->job.layer.name;
    cli_rtl_run *r = &p->rtl[s->run];
    cosim_pool_clear_line(p);
    if (sim_judge(o, p->work, &s->job, status, r))
        return -1;
    p->ran[s->run] = 1;
    if (s->profiling) {
        mkdir(o->profile_dir, 0755);
        profile_report(&s->job, r, s->prof, s->prof_out);
    }
    if (!o->quiet)
        fprintf(stderr, "[%d/%d] %s: %s, RTL %" PRIu64 " cycles (%+.2f %%) in %.1f s\n", s->run + 1,
                p->n_sel, name, r->pass ? "PASS" : "FAIL", r->cycles, r->deviation, r->sim_seconds);
    if (r->pass)
        return 0;
    p->failed++;
    explain(o, &s->job, r);
    if (o->trace_dir && (r->mm.index >= 0 || strcmp(r->status, "done") != 0)) {
        char fst[CLI_PATH_MAX];
        cli_rtl_run again = {.pass = 0};
        mkdir(o->trace_dir, 0755);
        snprintf(fst, sizeof fst, "%s/%s.fst", o->trace_dir, name);
        if (simulate(o, p->sim, p->config_file, p->work, &s->job, fst,
                     r->mm.index >= 0 ? r->mm.pc : -1, &again) == 0)
            fprintf(stderr, "tetris: cosim: %s: trace in %s\n", name, fst);
    }
    return 0;
}

/* Free a slot whose simulator has ended or been stopped. */
static void slot_release(cosim_slot *s)
{
    if (s->fd >= 0)
        close(s->fd);
    tetris_job_free(&s->job);
}

/* Read what a simulator reported: lines of simulated cycles. */
static void pool_read(cosim_slot *s, double now)
{
    char buf[512];
    ssize_t n = read(s->fd, buf, sizeof buf);
    if (n <= 0) {
        if (n == 0 || errno != EINTR) {
            close(s->fd);
            s->fd = -1;
        }
        return;
    }
    for (ssize_t i = 0; i < n; i++) {
        size_t len = strlen(s->part);
        if (buf[i] == '\n') {
            s->cycles = strtoull(s->part, NULL, 10);
            s->t = now;
            s->part[0] = '\0';
        } else if (len + 1 < sizeof s->part) {
            s->part[len] = buf[i];
            s->part[len + 1] = '\0';
        }
    }
}

int cosim_pool_wait(cosim_pool *p)
{
    struct pollfd pf[COSIM_MAX_JOBS];
    int owner[COSIM_MAX_JOBS], n = 0, bad = 0;
    for (int k = 0; k < p->active; k++)
        if (p->slot[k].fd >= 0) {
            pf[n] = (struct pollfd){.fd = p->slot[k].fd, .events = POLLIN};
            owner[n++] = k;
        }
    if (poll(pf, (nfds_t)n, 500) > 0)
        for (int i = 0; i < n; i++)
            if (pf[i].revents)
                pool_read(&p->slot[owner[i]], cosim_now());
    for (int k = p->active - 1; k >= 0; k--) {
        cosim_slot *s = &p->slot[k];
        int status, rc = cosim_reap(s->pid, 0, &status);
        if (rc == 0)
            continue;
        if (rc < 0) {
            cli_error("cosim: %s: lost the simulator: %s", s->job.layer.name, strerror(errno));
            bad = 1;
        } else if (pool_finish(p, s, status)) {
            bad = 1;
        }
        slot_release(s);
        p->slot[k] = p->slot[--p->active];
    }
    if (p->show && p->active > 0 && cosim_now() - p->drawn >= 1.0)
        pool_draw(p);
    return bad ? -1 : 0;
}

void cosim_pool_stop(cosim_pool *p)
{
    for (int k = 0; k < p->active; k++) {
        cosim_slot *s = &p->slot[k];
        int status;
        kill(s->pid, SIGTERM);
        cosim_reap(s->pid, 1, &status);
        slot_release(s);
    }
    p->active = 0;
}
