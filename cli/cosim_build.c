/*
 * The co-simulator of one configuration for `tetris cosim`: the generated
 * RTL and a testbench harness (tb/cosim/: the plain C++ one or the SystemC
 * one, --harness), Verilated and compiled once and
 * kept in a cache folder named by a hash of everything that goes into it
 * (configuration, generated RTL, testbench, libtetris header, options), so
 * that a second run starts at once. Building goes to a private folder that is
 * renamed into place when complete: an interrupted or concurrent build never
 * leaves a half-built simulator behind.
 *
 * With --pgo the build is profile-guided (GCC's -fprofile-generate, then
 * -fprofile-use): an instrumented simulator runs the first PGO_TRAIN_CYCLES
 * cycles of the first layer selected, and the second compile optimises the
 * per-cycle code for what that run did. On t16 this simulates about 1.17x
 * faster (200 k cycles of AlexNet conv3 with -flto: 3.60 to 3.66 s against
 * 4.15 to 4.36 s; without -flto, conv1, conv2 or conv3 after training on
 * 100 k cycles of conv3: 3.84 to 3.93 s against 4.55 to 4.64 s) for about
 * twice the build time, so it pays on long runs only. The option is part of
 * the cache key; which layer trained the profile is not, since the profile
 * changes the speed only, never what the simulator does.
 */
#define _XOPEN_SOURCE 700 /* realpath() */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "cosim.h"
#include "tetris_gen.h"

extern char **environ;

/*
 * The Verilator options that shape the simulator (the build folder, the
 * sources and -j come on top); they are part of the cache key. With --build,
 * Verilator's makefile compiles the per-cycle ("fast") code with OPT_FAST,
 * the run-once ("slow") code with OPT_SLOW and its runtime library with -Os,
 * each after -CFLAGS, so an -O in -CFLAGS reaches only the slow code; the
 * levels go to make instead:
 * - OPT_FAST=-O2: tb/cosim/tetris_cosim.vlt keeps tetris_pe out of line, so
 *   no per-cycle function grows to the size of the whole PE array (inlined,
 *   t16 had functions of ~9000 lines, on which GCC -O2 took 4 min and
 *   0.9 GB for one file); the t16 build takes about 2 min of wall time on
 *   2 cores, and -O2 simulates about 1.2x faster than -O1.
 * - OPT_SLOW=-O0: initialisation and trace set-up run once.
 * -fno-gate: Verilator's gate pass would replace each PE's input ports by the
 * engine signals that drive them, so that every one of the H*W instances got
 * per-cycle functions of its own (t16: 196 copies, megabytes of code run each
 * cycle). Without it the instances share one copy (up to nine where the
 * scheduler orders statements differently), and a t16 simulator runs about
 * 1.35x faster (300 k cycles of AlexNet conv2: 10.3 and 11.7 s against 15.5
 * and 14.2 s, alternating, same machine). Results and cycles are unchanged.
 * --trace-fst stays although it is about a third of the build: --trace and
 * +trace must work on the cached simulator without a second build.
 * -flto (compile and link): the per-cycle code is spread over dozens of
 * files, and a PE's functions are called from the engine's; optimised across
 * files at link time a t16 simulator runs about 1.10x faster (200 k cycles
 * of AlexNet conv3: 4.11 to 4.31 s of user time against 4.51 to 4.71 s,
 * five runs each, alternating) and builds in about the same time. The
 * link-time jobs are two, as are the compile's (-j 2 below).
 */
static const char *const build_opts[] = {"-O3",         "-fno-gate",    "--trace-fst", "-Wno-fatal",
                                         "-MAKEFLAGS",  "OPT_FAST=-O2", "-MAKEFLAGS",  "OPT_SLOW=-O0",
                                         "-CFLAGS",     "-flto=2",      "-LDFLAGS",    "-flto=2 -O2"};

/* Cycles of the training run of a profile-guided build (docs/cosim.md). */
#define PGO_TRAIN_CYCLES 100000

/* A compile of the simulator: plain, or a step of a profile-guided build. */
enum pgo_step {
    PGO_NONE,
    PGO_GENERATE, /* instrumented: writes a profile (obj/ *.gcda) when it exits */
    PGO_USE,      /* optimised with that profile */
};

/* The testbench files the simulator is built from, relative to the tb folder. */
static const char *const tb_files[] = {"cosim/sc_main.cpp", "cosim/main.cpp", "cosim/harness.h",
                                       "cosim/tetris_cosim_top.v", "cosim/tetris_cosim.vlt", "dram_device.h",
                                       "vlport.h", "bytes.h"};

static int is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/*
 * Where the testbench sources and libtetris come from: $TETRIS_TB_DIR, else
 * the source and build trees this program was built in (when they still
 * exist), else the installed copies.
 */
static void locate(const char **tb, const char **inc, const char **lib)
{
    const char *env = getenv("TETRIS_TB_DIR");
    int tree = is_dir(TETRIS_SRCDIR "/tb/cosim") && is_dir(TETRIS_BUILDDIR "/.libs");
    *tb = env && env[0] ? env : tree ? TETRIS_SRCDIR "/tb" : TETRIS_PKGDATADIR "/tb";
    *inc = tree ? TETRIS_SRCDIR "/refmodel" : TETRIS_INCLUDEDIR;
    *lib = tree ? TETRIS_BUILDDIR "/.libs" : TETRIS_LIBDIR;
}

/* FNV-1a 64 over a file's bytes, folded into h; -1 if it cannot be read. */
static int hash_file(const char *path, uint64_t *h)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    int c;
    while ((c = getc(f)) != EOF) {
        *h ^= (unsigned char)c;
        *h *= 0x100000001b3u;
    }
    int bad = ferror(f);
    fclose(f);
    return bad ? -1 : 0;
}

static void hash_text(const char *s, uint64_t *h)
{
    for (; *s; s++) {
        *h ^= (unsigned char)*s;
        *h *= 0x100000001b3u;
    }
}

/* Every file of a folder, by name in sorted order, folded into h; -1 on error. */
static int hash_tree(const char *dir, uint64_t *h)
{
    struct dirent **names;
    int n = scandir(dir, &names, NULL, alphasort), rc = n < 0 ? -1 : 0;
    for (int i = 0; i < n; i++) {
        char path[CLI_PATH_MAX];
        if (names[i]->d_name[0] != '.') {
            hash_text(names[i]->d_name, h);
            if (!rc && (cli_path(path, sizeof path, "%s/%s", dir, names[i]->d_name) ||
                        hash_file(path, h)))
                rc = -1;
        }
        free(names[i]);
    }
    free(names);
    return rc;
}

/* cosim_start with the environment envp. */
static int start_env(char *const argv[], char *const envp[], const char *log, int *progress, pid_t *pid)
{
    int pipe_fd[2] = {-1, -1}, w = -1;
    if (progress) {
        /* the write end moves above COSIM_PROGRESS_FD first, so that the
         * dup2 below always makes a new, inheritable descriptor */
        if (pipe(pipe_fd))
            return -1;
        fcntl(pipe_fd[0], F_SETFD, FD_CLOEXEC);
        w = fcntl(pipe_fd[1], F_DUPFD_CLOEXEC, COSIM_PROGRESS_FD + 1);
        close(pipe_fd[1]);
        if (w < 0) {
            close(pipe_fd[0]);
            return -1;
        }
    }
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    if (log) {
        posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        posix_spawn_file_actions_adddup2(&fa, STDOUT_FILENO, STDERR_FILENO);
    }
    if (progress)
        posix_spawn_file_actions_adddup2(&fa, w, COSIM_PROGRESS_FD);
    int rc = posix_spawnp(pid, argv[0], &fa, NULL, argv, envp);
    posix_spawn_file_actions_destroy(&fa);
    if (progress) {
        close(w);
        if (rc)
            close(pipe_fd[0]);
        else
            *progress = pipe_fd[0];
    }
    if (rc) {
        errno = rc;
        return -1;
    }
    return 0;
}

int cosim_start(char *const argv[], const char *log, int *progress, pid_t *pid)
{
    return start_env(argv, environ, log, progress, pid);
}

int cosim_reap(pid_t pid, int hang, int *status)
{
    int ws;
    pid_t r;
    while ((r = waitpid(pid, &ws, hang ? 0 : WNOHANG)) < 0)
        if (errno != EINTR)
            return -1;
    if (r == 0)
        return 0;
    *status = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + (WIFSIGNALED(ws) ? WTERMSIG(ws) : 0);
    return 1;
}

/* cosim_spawn with the environment envp. */
static int spawn_env(char *const argv[], char *const envp[], const char *log, int *status)
{
    pid_t pid;
    if (start_env(argv, envp, log, NULL, &pid))
        return -1;
    return cosim_reap(pid, 1, status) == 1 ? 0 : -1;
}

int cosim_spawn(char *const argv[], const char *log, int *status)
{
    return spawn_env(argv, environ, log, status);
}

/*
 * The environment without make's own variables, for Verilator's build. Under
 * a parallel make (make -j2 check, say) MAKEFLAGS names the jobserver of a
 * make that did not pass its descriptors down to this program, and the
 * build's own make would warn and fall back to one job instead of the -j
 * that verilate() gives it. NULL when out of memory; free() the array only.
 */
static char **env_without_make(void)
{
    size_t n = 0;
    while (environ[n])
        n++;
    char **env = calloc(n + 1, sizeof *env);
    if (!env)
        return NULL;
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (strncmp(environ[i], "MAKEFLAGS=", 10) && strncmp(environ[i], "MFLAGS=", 7) &&
            strncmp(environ[i], "MAKELEVEL=", 10))
            env[k++] = environ[i];
    return env;
}

/* rm -r of a folder this program made (best effort). */
static void remove_tree(const char *dir)
{
    char *argv[] = {"rm", "-rf", (char *)dir, NULL};
    int st;
    cosim_spawn(argv, NULL, &st);
}

/* The cache root, created and made absolute: --cache, $TETRIS_CACHE_DIR,
 * $XDG_CACHE_HOME/tetris, ~/.cache/tetris. */
static int cache_root(const char *opt, char *out, size_t size)
{
    const char *env = getenv("TETRIS_CACHE_DIR"), *xdg = getenv("XDG_CACHE_HOME");
    const char *home = getenv("HOME");
    int n;
    if (opt)
        n = snprintf(out, size, "%s", opt);
    else if (env && env[0])
        n = snprintf(out, size, "%s", env);
    else if (xdg && xdg[0])
        n = snprintf(out, size, "%s/tetris", xdg);
    else if (home && home[0])
        n = snprintf(out, size, "%s/.cache/tetris", home);
    else
        n = snprintf(out, size, "%s", ".tetris-cache");
    if (n < 0 || (size_t)n >= size)
        return -1;
    /* mkdir -p */
    for (char *p = out + 1;; p++) {
        if (*p == '/' || *p == '\0') {
            char c = *p;
            *p = '\0';
            if (mkdir(out, 0755) && errno != EEXIST) {
                *p = c;
                return -1;
            }
            *p = c;
            if (!c)
                break;
        }
    }
    if (!is_dir(out))
        return -1;
    /* absolute: the build runs make in a folder below it, where a relative
     * include path would name nothing */
    char *abs = realpath(out, NULL);
    if (!abs)
        return -1;
    n = snprintf(out, size, "%s", abs);
    free(abs);
    return n < 0 || (size_t)n >= size ? -1 : 0;
}

/* Verilate and compile the simulator in dir from the RTL in dir/rtl, plainly
 * or as the given step of a profile-guided build; 0 or -1. */
static int verilate(const cosim_options *o, const char *dir, const char *tb, const char *inc,
                    const char *lib, enum pgo_step step)
{
    const char *pgo = step == PGO_GENERATE ? "-fprofile-generate -fprofile-update=single"
                      : step == PGO_USE    ? "-fprofile-use -fprofile-partial-training -Wno-missing-profile"
                                           : "";
    int sc = o->harness == COSIM_HARNESS_SYSTEMC;
    char rtl[CLI_PATH_MAX], mdir[CLI_PATH_MAX], log[CLI_PATH_MAX], top[CLI_PATH_MAX], vlt[CLI_PATH_MAX],
        main_cpp[CLI_PATH_MAX], cflags[4 * CLI_PATH_MAX], ldflags[2 * CLI_PATH_MAX], incdir[CLI_PATH_MAX];
    if (cli_path(rtl, sizeof rtl, "%s/rtl", dir) || cli_path(mdir, sizeof mdir, "%s/obj", dir) ||
        cli_path(log, sizeof log, "%s/build.log", dir) ||
        cli_path(top, sizeof top, "%s/cosim/tetris_cosim_top.v", tb) ||
        cli_path(vlt, sizeof vlt, "%s/cosim/tetris_cosim.vlt", tb) ||
        cli_path(main_cpp, sizeof main_cpp, "%s/cosim/%s", tb, sc ? "sc_main.cpp" : "main.cpp") ||
        cli_path(incdir, sizeof incdir, "-I%s", rtl) ||
        cli_path(cflags, sizeof cflags, "%s %s %s -I%s -I%s -I%s", pgo, sc ? TETRIS_SYSTEMC_CXXSTD : "",
                 sc ? TETRIS_SYSTEMC_CFLAGS : "", inc, tb, rtl) ||
        cli_path(ldflags, sizeof ldflags, "%s %s/libtetris.so -Wl,-rpath,%s %s",
                 step == PGO_GENERATE ? "-fprofile-generate" : "", lib, lib, sc ? TETRIS_SYSTEMC_LIBS : ""))
        return -1;
    /* every generated module: Verilator picks the ones the top instantiates */
    size_t nb;
    const tetris_gen_block *blocks = tetris_gen_blocks(&nb);
    char **argv = calloc(nb + 40 + sizeof build_opts / sizeof build_opts[0], sizeof *argv);
    char (*files)[CLI_PATH_MAX] = calloc(nb, sizeof *files);
    if (!argv || !files) {
        free(argv);
        free(files);
        return -1;
    }
    size_t k = 0;
    argv[k++] = TETRIS_VERILATOR;
    argv[k++] = sc ? "--sc" : "--cc";
    argv[k++] = "--exe";
    argv[k++] = "--build";
    argv[k++] = "-j";
    argv[k++] = "2";
    for (size_t i = 0; i < sizeof build_opts / sizeof build_opts[0]; i++)
        argv[k++] = (char *)build_opts[i];
    if (o->x_unique) {
        argv[k++] = "--x-assign";
        argv[k++] = "unique";
        argv[k++] = "--x-initial";
        argv[k++] = "unique";
    }
    argv[k++] = vlt;  /* Verilator settings: tb/cosim/tetris_cosim.vlt */
    argv[k++] = "--top-module";
    argv[k++] = "tetris_cosim_top";
    argv[k++] = incdir;
    argv[k++] = top;
    for (size_t i = 0; i < nb; i++) {
        if (cli_path(files[i], sizeof files[i], "%s/%s.v", rtl, blocks[i].name)) {
            free(argv);
            free(files);
            return -1;
        }
        argv[k++] = files[i];
    }
    argv[k++] = main_cpp;
    argv[k++] = "-CFLAGS";
    argv[k++] = cflags;
    argv[k++] = "-LDFLAGS";
    argv[k++] = ldflags;
    argv[k++] = "--Mdir";
    argv[k++] = mdir;
    argv[k++] = "-o";
    argv[k++] = "../tetris_cosim_sim";
    argv[k] = NULL;
    int status = 0;
    char **env = env_without_make();
    int rc = env ? spawn_env(argv, env, log, &status) : -1;
    free(env);
    free(argv);
    free(files);
    if (rc) {
        cli_error("cosim: cannot run %s: %s", TETRIS_VERILATOR, strerror(errno));
        return -1;
    }
    if (status) {
        cli_error("cosim: building the simulator failed (exit %d); see %s", status, log);
        return -1;
    }
    return 0;
}

/*
 * The training run of a profile-guided build in dir: the instrumented
 * simulator runs the first PGO_TRAIN_CYCLES cycles of layer l, which writes
 * the profile; then the objects go, for the optimised compile. 0, or -1
 * after an error line.
 */
static int train(const tetris_config *cfg, const cosim_options *o, const tetris_layer *l, int index,
                 const char *dir)
{
    char sim[CLI_PATH_MAX], config[CLI_PATH_MAX], image[CLI_PATH_MAX], out[CLI_PATH_MAX], log[CLI_PATH_MAX],
        obj[CLI_PATH_MAX], base[32], limit[32];
    if (cli_path(sim, sizeof sim, "%s/tetris_cosim_sim", dir) ||
        cli_path(config, sizeof config, "%s/rtl/config.yaml", dir) ||
        cli_path(image, sizeof image, "%s/train.img", dir) || cli_path(out, sizeof out, "%s/train", dir) ||
        cli_path(log, sizeof log, "%s/train.log", dir) || cli_path(obj, sizeof obj, "%s/obj", dir))
        return -1;
    tetris_job job;
    tetris_error err = {""};
    int rc = cli_prepare_job(cfg, l, index, o->batch, o->seed, &job, &err);
    if (rc) {
        cli_error("cosim: training run on %s: %s", l->name, err.msg[0] ? err.msg : tetris_strerror(rc));
        return -1;
    }
    snprintf(base, sizeof base, "--prog-base=%" PRIu64, job.prog_base);
    snprintf(limit, sizeof limit, "--limit=%d", PGO_TRAIN_CYCLES);
    int werr = cosim_write_file(image, job.image, job.image_bytes);
    tetris_job_free(&job);
    if (werr) {
        cli_error("cosim: %s: cannot write: %s", image, strerror(errno));
        return -1;
    }
    /* status 1 is a run stopped at the limit; 2 or a signal is a broken build */
    char *run[] = {sim, "--config", config, "--image", image, "--dump=0:0", base, limit, "--out", out, NULL};
    int status = 0;
    if (cosim_spawn(run, log, &status)) {
        cli_error("cosim: cannot run %s: %s", sim, strerror(errno));
        return -1;
    }
    if (status > 1) {
        cli_error("cosim: the training run of the simulator failed (exit %d); see %s", status, log);
        return -1;
    }
    char *rm[] = {"sh", "-c", "rm -f \"$0\"/*.o \"$0\"/*.a \"$1\" \"$2\" \"$3\".*", obj, sim, image, out,
                  NULL};
    return cosim_spawn(rm, NULL, &status) || status ? -1 : 0;
}

int cosim_build(const tetris_config *cfg, const cosim_options *o, const tetris_layer *train_layer,
                int train_index, char *sim, size_t size)
{
    if (strcmp(TETRIS_VERILATOR, "no") == 0) {
        cli_error("cosim: tetris was built without Verilator; install the Debian package verilator and "
                  "reconfigure");
        return CLI_EXIT_BAD;
    }
    if (o->harness == COSIM_HARNESS_SYSTEMC && !TETRIS_SYSTEMC_CXXSTD[0]) {
        cli_error("cosim: --harness=systemc: tetris was built without SystemC; install the Debian package "
                  "libsystemc-dev and reconfigure");
        return CLI_EXIT_BAD;
    }
    const char *tb, *inc, *lib;
    locate(&tb, &inc, &lib);
    /* the key: configuration, generator, testbench sources, build options */
    uint64_t h = 0xcbf29ce484222325u;
    char text[256];
    snprintf(text, sizeof text, "%016" PRIx64 " %s %s %d %d,%d %d %d", tetris_config_hash(cfg),
             tetris_version(), TETRIS_VERILATOR, o->x_unique, o->fault_row, o->fault_col, o->harness, o->pgo);
    hash_text(text, &h);
    hash_text(TETRIS_SYSTEMC_CXXSTD " " TETRIS_SYSTEMC_CFLAGS " " TETRIS_SYSTEMC_LIBS, &h);
    for (size_t i = 0; i < sizeof build_opts / sizeof build_opts[0]; i++) {
        hash_text(" ", &h);
        hash_text(build_opts[i], &h);
    }
    for (size_t i = 0; i < sizeof tb_files / sizeof tb_files[0]; i++) {
        char path[CLI_PATH_MAX];
        if (cli_path(path, sizeof path, "%s/%s", tb, tb_files[i]))
            return CLI_EXIT_BAD;
        if (hash_file(path, &h)) {
            cli_error("cosim: %s: cannot read the testbench (set TETRIS_TB_DIR to the tb folder)", path);
            return CLI_EXIT_BAD;
        }
    }
    char header[CLI_PATH_MAX];
    if (cli_path(header, sizeof header, "%s/tetris.h", inc) || hash_file(header, &h)) {
        cli_error("cosim: %s: cannot read the libtetris header", header);
        return CLI_EXIT_BAD;
    }
    char root[CLI_PATH_MAX], dir[CLI_PATH_MAX], tmp[CLI_PATH_MAX], rtl[CLI_PATH_MAX];
    if (cache_root(o->cache, root, sizeof root)) {
        cli_error("cosim: %s: cannot create the cache folder", o->cache ? o->cache : "$HOME/.cache/tetris");
        return CLI_EXIT_BAD;
    }
    if (cli_path(tmp, sizeof tmp, "%s/cosim-%s.tmp-%ld", root, cfg->name, (long)getpid()) ||
        cli_path(rtl, sizeof rtl, "%s/rtl", tmp))
        return CLI_EXIT_BAD;
    remove_tree(tmp);
    if (mkdir(tmp, 0755)) {
        cli_error("cosim: %s: %s", tmp, strerror(errno));
        return CLI_EXIT_BAD;
    }
    /* The RTL is part of the key: generating it takes milliseconds, and a
     * generator change under the same version must not reuse a stale build. */
    tetris_error err = {""};
    tetris_gen_options gopts = {.fault_row = o->fault_row, .fault_col = o->fault_col};
    int rc = tetris_gen_write_opts(cfg, &gopts, rtl, &err);
    if (rc) {
        cli_error("cosim: %s", err.msg[0] ? err.msg : tetris_strerror(rc));
        remove_tree(tmp);
        return CLI_EXIT_FAIL;
    }
    if (hash_tree(rtl, &h)) {
        cli_error("cosim: %s: cannot read the generated RTL", rtl);
        remove_tree(tmp);
        return CLI_EXIT_FAIL;
    }
    if (cli_path(dir, sizeof dir, "%s/cosim-%s-%016" PRIx64, root, cfg->name, h) ||
        cli_path(sim, size, "%s/tetris_cosim_sim", dir)) {
        remove_tree(tmp);
        return CLI_EXIT_BAD;
    }
    if (access(sim, X_OK) == 0) {
        remove_tree(tmp);
        return 0;
    }
    if (!o->quiet)
        fprintf(stderr, "tetris: cosim: building the simulator of '%s' (once; cached in %s)\n", cfg->name,
                dir);
    /* the logs stay in tmp for a look */
    if (o->pgo ? verilate(o, tmp, tb, inc, lib, PGO_GENERATE) || train(cfg, o, train_layer, train_index, tmp) ||
                     verilate(o, tmp, tb, inc, lib, PGO_USE)
               : verilate(o, tmp, tb, inc, lib, PGO_NONE))
        return CLI_EXIT_FAIL;
    /* into place; a concurrent build may have won the race: use its result */
    if (rename(tmp, dir)) {
        int won = access(sim, X_OK) == 0;
        remove_tree(tmp);
        if (!won) {
            cli_error("cosim: %s: %s", dir, strerror(errno));
            return CLI_EXIT_FAIL;
        }
    }
    return 0;
}
