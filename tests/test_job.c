/*
 * Layer jobs (refmodel/job.c), what co-simulation runs on the RTL: the vault
 * image holds the inputs and the program, the expected bytes are the engine
 * model's, and tetris_job_check names the first differing ofmap element,
 * its golden value and the instruction that wrote it.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "tetris.h"

/* AlexNet's conv3 shape with 8 channels on the small configuration. */
static void prepare(tetris_config *cfg, tetris_job *job, int type)
{
    tetris_error err = {""};
    cr_assert_eq(tetris_config_load(TETRIS_SRCDIR "/examples/configs/small.yaml", cfg, &err), 0, "%s",
                 err.msg);
    tetris_layer l = {.type = type, .c = 8, .hi = 13, .wi = 13, .m = 8, .ho = 13, .wo = 13, .r = 3,
                      .s = 3, .stride = 1, .pad = 1, .groups = 1, .relu = 1,
                      .shift = TETRIS_SHIFT_AUTO, .bias = 1};
    snprintf(l.name, sizeof l.name, "conv3");
    if (type == TETRIS_LAYER_MAXPOOL) {
        l.m = l.c, l.pad = 0, l.stride = 2, l.ho = l.wo = 6, l.bias = 0, l.relu = 0;
    }
    tetris_layer_data d;
    cr_assert_eq(tetris_layer_data_alloc(&l, 1, &d), 0);
    tetris_arith a;
    tetris_arith_from_config(cfg, &a);
    tetris_layer_data_random(&l, &a, 3, 0, &d);
    cr_assert_eq(tetris_job_prepare(cfg, &l, &d, job, &err), 0, "%s", err.msg);
    cr_assert_null(d.ifmap, "the job takes over the tensors");
}

Test(job, image_holds_inputs_and_program)
{
    tetris_config cfg;
    tetris_job job;
    prepare(&cfg, &job, TETRIS_LAYER_CONV);
    cr_assert(job.res.pass, "the engine model agrees with the golden model");
    cr_assert_eq(job.prog_base % 64, 0);
    cr_assert_geq(job.prog_base, job.lay.end);
    cr_assert_eq(job.image_bytes, job.prog_base + 16 * job.prog.n);
    /* the program, little-endian words */
    for (size_t i = 0; i < job.prog.n; i++)
        for (int k = 0; k < 4; k++) {
            const uint8_t *p = job.image + job.prog_base + 16 * i + 4 * k;
            uint32_t w = p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
            cr_assert_eq(w, job.prog.insn[i].w[k]);
        }
    /* the first ifmap word and the first filter word */
    cr_assert_eq((int16_t)(job.image[job.lay.ifmap] | job.image[job.lay.ifmap + 1] << 8), job.data.ifmap[0]);
    cr_assert_eq((int16_t)(job.image[job.lay.filter] | job.image[job.lay.filter + 1] << 8), job.data.filter[0]);
    /* the engine's areas start empty */
    for (uint64_t b = job.lay.psum; b < job.lay.end; b++)
        cr_assert_eq(job.image[b], 0);
    /* every instruction ran and has cycles; every ofmap element has a writer */
    for (size_t i = 0; i < job.prog.n; i++)
        cr_assert_gt(job.insn_cycles[i], 0, "instruction %zu", i);
    for (int i = 0; i < 8 * 13 * 13; i++) {
        int64_t pc = job.writer[i];
        cr_assert(pc >= 0 && (size_t)pc < job.prog.n, "element %d", i);
        int op = (int)(job.prog.insn[pc].w[0] & 0xFF);
        cr_assert(op == 3 || op == 4, "element %d written by opcode %d (want STORE or PASS)", i, op);
    }
    tetris_job_free(&job);
}

static void check_mismatches(int type)
{
    tetris_config cfg;
    tetris_job job;
    prepare(&cfg, &job, type);
    const tetris_layer *l = &job.layer;
    uint64_t n = job.lay.end - job.lay.psum;
    uint8_t *rtl = malloc(n);
    memcpy(rtl, job.expect, n);
    tetris_mismatch mm;
    cr_assert_eq(tetris_job_check(&job, rtl, &mm), 0, "the model's own bytes pass");
    cr_assert_eq(mm.index, -1);
    cr_assert_eq(mm.byte, -1);

    /* one ofmap element off: its coordinates, both values, its writer */
    int e = ((0 * l->m + 5) * l->ho + 4) * l->wo + 2; /* n 0, m 5, y 4, x 2 */
    uint8_t *p = rtl + (job.lay.ofmap - job.lay.psum) + 2 * e;
    p[0] ^= 0x10;
    cr_assert_eq(tetris_job_check(&job, rtl, &mm), 1);
    cr_assert_eq(mm.index, e);
    cr_assert(mm.n == 0 && mm.m == 5 && mm.y == 4 && mm.x == 2, "n %d m %d y %d x %d", mm.n, mm.m,
              mm.y, mm.x);
    cr_assert_eq(mm.expect, job.data.ofmap[e]);
    cr_assert_eq(mm.actual, (int16_t)(p[0] | p[1] << 8));
    cr_assert_eq(mm.pc, job.writer[e]);
    cr_assert_eq(mm.byte, (int64_t)(job.lay.ofmap + 2 * (uint64_t)e));
    p[0] ^= 0x10;

    /* the spill area off, the ofmaps right: only the byte */
    if (job.lay.ofmap > job.lay.psum) {
        rtl[3] ^= 1;
        cr_assert_eq(tetris_job_check(&job, rtl, &mm), 1);
        cr_assert_eq(mm.index, -1);
        cr_assert_eq(mm.byte, (int64_t)job.lay.psum + 3);
    }
    free(rtl);
    tetris_job_free(&job);
}

Test(job, check_names_the_first_difference_conv) { check_mismatches(TETRIS_LAYER_CONV); }

Test(job, check_names_the_first_difference_pool) { check_mismatches(TETRIS_LAYER_MAXPOOL); }

Test(job, a_layer_that_does_not_fit_is_refused)
{
    tetris_config cfg;
    tetris_error err = {""};
    cr_assert_eq(tetris_config_load(TETRIS_SRCDIR "/examples/configs/small.yaml", &cfg, &err), 0);
    /* AlexNet's fc1: 75 MB of filters in a 4 MB vault */
    tetris_layer l = {.type = TETRIS_LAYER_FC, .c = 256, .hi = 6, .wi = 6, .m = 4096, .ho = 1, .wo = 1,
                      .r = 6, .s = 6, .stride = 1, .groups = 1, .shift = TETRIS_SHIFT_AUTO, .bias = 1};
    snprintf(l.name, sizeof l.name, "fc1");
    tetris_layer_data d;
    cr_assert_eq(tetris_layer_data_alloc(&l, 1, &d), 0);
    tetris_job job;
    int rc = tetris_job_prepare(&cfg, &l, &d, &job, &err);
    cr_assert_neq(rc, 0);
    cr_assert_neq(err.msg[0], '\0', "the refusal says why");
    cr_assert_null(job.image);
    cr_assert_null(d.ifmap, "the job freed the tensors it took over");
}
