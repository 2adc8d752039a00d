/*
 * FPGA bring-up vectors (refmodel/vectors.c): the hex files hold exactly the
 * job's vault image, expected bytes and counters in the $readmemh burst
 * format (one line per burst, byte 0 in the least significant bits),
 * params.vh the job's numbers, and a job that cannot be trusted or a folder
 * that cannot be written is refused. tests/test_vectors.sh runs the written
 * testbench under Icarus.
 */
#include <criterion/criterion.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tetris.h"

/* AlexNet's conv3 shape with c input channels on the small configuration,
 * with dram.burst_bytes = burst (0: the configuration's). */
static void prepare(tetris_config *cfg, tetris_job *job, int burst, int c)
{
    tetris_error err = {""};
    cr_assert_eq(tetris_config_load(TETRIS_SRCDIR "/examples/configs/small.yaml", cfg, &err), 0,
                 "%s", err.msg);
    if (burst) {
        char v[16];
        snprintf(v, sizeof v, "%d", burst);
        cr_assert_eq(tetris_config_set(cfg, "dram.burst_bytes", v, &err), 0, "%s", err.msg);
    }
    tetris_layer l = {.type = TETRIS_LAYER_CONV, .c = c, .hi = 13, .wi = 13, .m = 8, .ho = 13,
                      .wo = 13, .r = 3, .s = 3, .stride = 1, .pad = 1, .groups = 1, .relu = 1,
                      .shift = TETRIS_SHIFT_AUTO, .bias = 1};
    snprintf(l.name, sizeof l.name, "conv3");
    tetris_layer_data d;
    cr_assert_eq(tetris_layer_data_alloc(&l, 1, &d), 0);
    tetris_arith a;
    tetris_arith_from_config(cfg, &a);
    tetris_layer_data_random(&l, &a, 5, 0, &d);
    cr_assert_eq(tetris_job_prepare(cfg, &l, &d, job, &err), 0, "%s", err.msg);
    cr_assert(job->res.pass);
}

static char tmpdir[64];

static void make_tmp(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/tetris-test-vectors-XXXXXX");
    cr_assert_not_null(mkdtemp(tmpdir));
}

static void remove_tmp(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    cr_assert_eq(system(cmd), 0);
}

static FILE *open_in(const char *dir, const char *name)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f, "%s", path);
    return f;
}

/* Read a hex file of bursts: *n lines of 2*burst hex digits, byte 0 last. */
static uint8_t *read_hex(const char *dir, const char *name, int burst, uint64_t *n)
{
    FILE *f = open_in(dir, name);
    char line[1024];
    uint8_t *p = NULL;
    *n = 0;
    while (fgets(line, sizeof line, f)) {
        cr_assert_eq(strlen(line), (size_t)(2 * burst + 1), "%s line %" PRIu64 ": '%s'", name,
                     *n + 1, line);
        p = realloc(p, (size_t)((*n + 1) * (uint64_t)burst));
        for (int k = 0; k < burst; k++) {
            unsigned v;
            const char *hex = line + 2 * (burst - 1 - k);
            char two[3] = {hex[0], hex[1], '\0'};
            cr_assert_eq(sscanf(two, "%2x", &v), 1);
            p[*n * (uint64_t)burst + (uint64_t)k] = (uint8_t)v;
        }
        (*n)++;
    }
    fclose(f);
    return p;
}

/* The value of `define NAME in params.vh (after an optional 32'd). */
static uint64_t param(const char *dir, const char *name)
{
    FILE *f = open_in(dir, "params.vh");
    char line[512], want[128];
    snprintf(want, sizeof want, "`define %s ", name);
    uint64_t v = UINT64_MAX;
    while (fgets(line, sizeof line, f))
        if (strncmp(line, want, strlen(want)) == 0) {
            const char *p = line + strlen(want);
            if (strncmp(p, "32'd", 4) == 0)
                p += 4;
            v = strtoull(p, NULL, 10);
        }
    fclose(f);
    cr_assert_neq(v, UINT64_MAX, "params.vh lacks %s", name);
    return v;
}

static void check_files(int burst_bytes, int c)
{
    tetris_config cfg;
    tetris_job job;
    prepare(&cfg, &job, burst_bytes, c);
    int burst = cfg.dram_burst_bytes;
    if (burst_bytes == 128)
        cr_assert_neq(job.lay.psum % 128, 0, "the psum area starts inside a burst");
    make_tmp();
    char dir[128];
    snprintf(dir, sizeof dir, "%s/conv3", tmpdir);
    tetris_error err = {""};
    cr_assert_eq(tetris_job_write_vectors(&cfg, &job, dir, &err), 0, "%s", err.msg);

    /* the image: every byte, zero-padded to whole bursts */
    uint64_t n;
    uint8_t *img = read_hex(dir, "image.hex", burst, &n);
    cr_assert_eq(n, (job.image_bytes + (uint64_t)burst - 1) / (uint64_t)burst);
    cr_assert_eq(param(dir, "TETRIS_V_IMAGE_BURSTS"), n);
    for (uint64_t i = 0; i < n * (uint64_t)burst; i++)
        cr_assert_eq(img[i], i < job.image_bytes ? job.image[i] : 0, "image byte %" PRIu64, i);

    /* the expected bursts: the engine model's bytes [psum, end), the image around them */
    uint64_t base = job.lay.psum / (uint64_t)burst, m;
    uint8_t *exp = read_hex(dir, "expect.hex", burst, &m);
    cr_assert_eq(param(dir, "TETRIS_V_EXPECT_BASE_BURST"), base);
    cr_assert_eq(param(dir, "TETRIS_V_EXPECT_BURSTS"), m);
    cr_assert_eq(base + m, (job.lay.end + (uint64_t)burst - 1) / (uint64_t)burst);
    for (uint64_t i = 0; i < m * (uint64_t)burst; i++) {
        uint64_t addr = base * (uint64_t)burst + i;
        uint8_t want = addr >= job.lay.psum && addr < job.lay.end ? job.expect[addr - job.lay.psum]
                                                                   : img[addr];
        cr_assert_eq(exp[i], want, "expected byte at vault address %" PRIu64, addr);
    }
    free(img);
    free(exp);

    /* counters: CSR address order, 64 bits each */
    FILE *f = open_in(dir, "counters.hex");
    char line[64];
    int i = 0;
    while (fgets(line, sizeof line, f)) {
        cr_assert_lt(i, TETRIS_CNT_COUNT);
        cr_assert_eq(strlen(line), 17u, "counters.hex line %d", i + 1);
        cr_assert_eq(strtoull(line, NULL, 16), job.res.counts.v[i], "counter %s",
                     tetris_counter_name((enum tetris_counter)i));
        i++;
    }
    fclose(f);
    cr_assert_eq(i, TETRIS_CNT_COUNT);

    /* params.vh: the program, the counters, the controller's timings */
    tetris_dram_timing t;
    tetris_dram_timing_of(&cfg, &t);
    cr_assert_eq(param(dir, "TETRIS_V_PROG_BASE"), job.prog_base);
    cr_assert_eq(param(dir, "TETRIS_V_N_COUNTERS"), (uint64_t)TETRIS_CNT_COUNT);
    cr_assert_eq(param(dir, "TETRIS_V_CYCLES_COUNTER"), (uint64_t)TETRIS_CNT_CYCLES);
    cr_assert_eq(param(dir, "TETRIS_V_MODEL_CYCLES"), job.res.counts.v[TETRIS_CNT_CYCLES]);
    cr_assert_eq(param(dir, "TETRIS_V_T_CL"), (uint64_t)t.tcl);
    cr_assert_eq(param(dir, "TETRIS_V_T_RCD"), (uint64_t)t.trcd);
    cr_assert_eq(param(dir, "TETRIS_V_T_CCD"), (uint64_t)t.tccd);

    /* the testbench names every counter; run.sh is executable; the tensors */
    f = open_in(dir, "tb_vectors.v");
    static char tb[65536];
    size_t len = fread(tb, 1, sizeof tb - 1, f);
    tb[len] = '\0';
    fclose(f);
    cr_assert_not_null(strstr(tb, "module tb_vectors;"));
    for (int c = 0; c < TETRIS_CNT_COUNT; c++) {
        char want[64];
        snprintf(want, sizeof want, "%d: counter_name = \"%s\";", c,
                 tetris_counter_name((enum tetris_counter)c));
        cr_assert_not_null(strstr(tb, want), "%s", want);
    }
    char path[256];
    snprintf(path, sizeof path, "%s/run.sh", dir);
    cr_assert_eq(access(path, X_OK), 0);
    const char *npy[] = {"conv3.ifmap.npy", "conv3.filter.npy", "conv3.bias.npy", "conv3.ofmap.npy"};
    for (int k = 0; k < 4; k++)
        fclose(open_in(dir, npy[k]));
    tetris_job_free(&job);
    remove_tmp();
}

Test(vectors, files_hold_the_job)
{
    check_files(0, 8);
}

/* 128-byte bursts: the psum area (64-byte aligned) starts inside a burst,
 * whose bytes below it are the image's */
Test(vectors, wide_bursts)
{
    check_files(128, 6);
}

Test(vectors, hex_line_of_a_known_burst)
{
    tetris_config cfg;
    tetris_job job;
    prepare(&cfg, &job, 0, 8);
    /* the first burst of the image: bytes 0x00, 0x01, ... 0x1f */
    for (int k = 0; k < 32; k++)
        job.image[k] = (uint8_t)k;
    make_tmp();
    tetris_error err = {""};
    cr_assert_eq(tetris_job_write_vectors(&cfg, &job, tmpdir, &err), 0, "%s", err.msg);
    FILE *f = open_in(tmpdir, "image.hex");
    char line[128];
    cr_assert_not_null(fgets(line, sizeof line, f));
    fclose(f);
    cr_assert_str_eq(line, "1f1e1d1c1b1a191817161514131211100f0e0d0c0b0a09080706050403020100\n");
    tetris_job_free(&job);
    remove_tmp();
}

Test(vectors, refuses_an_engine_model_mismatch)
{
    tetris_config cfg;
    tetris_job job;
    prepare(&cfg, &job, 0, 8);
    job.res.pass = 0;
    make_tmp();
    char dir[128];
    snprintf(dir, sizeof dir, "%s/conv3", tmpdir);
    tetris_error err = {""};
    cr_assert_eq(tetris_job_write_vectors(&cfg, &job, dir, &err), TETRIS_EMISMATCH);
    cr_assert_not_null(strstr(err.msg, "conv3"), "%s", err.msg);
    struct stat st;
    cr_assert_neq(stat(dir, &st), 0, "nothing written");
    tetris_job_free(&job);
    remove_tmp();
}

Test(vectors, unwritable_folder)
{
    tetris_config cfg;
    tetris_job job;
    prepare(&cfg, &job, 0, 8);
    tetris_error err = {""};
    cr_assert_eq(tetris_job_write_vectors(&cfg, &job, "/nonexistent/deeper/conv3", &err),
                 TETRIS_EIO);
    cr_assert_not_null(strstr(err.msg, "/nonexistent/deeper/conv3"), "%s", err.msg);
    tetris_job_free(&job);
}
