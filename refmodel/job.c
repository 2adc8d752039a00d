/*
 * Layer jobs: one layer prepared for a run on the RTL (co-simulation and the
 * FPGA vectors). The vault image holds the layer's inputs at the compiler's
 * layout and the program right after them; the expectations come from the
 * golden model (ofmaps) and the engine model (the psum spill area, counters,
 * cycles and which instruction wrote each ofmap element).
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* Instructions start on a 64-byte boundary after the layer's data. */
#define PROG_ALIGN 64u

int tetris_job_prepare(const tetris_config *cfg, const tetris_layer *l, tetris_layer_data *d,
                       tetris_job *job, tetris_error *err)
{
    memset(job, 0, sizeof *job);
    job->layer = *l;
    job->batch = d->n;
    job->data = *d;
    memset(d, 0, sizeof *d); /* the job owns the tensors now */
    tetris_engine *e = NULL;
    uint8_t *before = NULL;
    int rc = run_layer_keep(cfg, l, &job->data, &job->res, &job->prog, &job->lay, &e, &before, err);
    if (rc) {
        tetris_job_free(job);
        return rc;
    }
    const tetris_vault_layout *lay = &job->lay;
    job->prog_base = (lay->end + PROG_ALIGN - 1) / PROG_ALIGN * PROG_ALIGN;
    job->image_bytes = job->prog_base + 16 * (uint64_t)job->prog.n;
    uint64_t n = (uint64_t)job->batch * (uint64_t)l->m * (uint64_t)l->ho * (uint64_t)l->wo;
    job->image = calloc(job->image_bytes, 1);
    job->expect = malloc(lay->end - lay->psum + 1);
    job->writer = malloc(n * sizeof *job->writer + 1);
    job->insn_cycles = malloc(job->prog.n * sizeof *job->insn_cycles + 1);
    if (!job->image || !job->expect || !job->writer || !job->insn_cycles) {
        tetris_engine_destroy(e);
        free(before);
        tetris_job_free(job);
        return tetris_fail(err, TETRIS_ENOMEM, NULL, 0, l->name, "out of memory for the job");
    }
    memcpy(job->image, before, lay->end);
    for (size_t i = 0; i < job->prog.n; i++)
        for (unsigned k = 0; k < 16; k++)
            job->image[job->prog_base + 16 * i + k] = (uint8_t)(job->prog.insn[i].w[k / 4] >> (8 * (k % 4)));
    memcpy(job->expect, tetris_engine_vault(e, NULL) + lay->psum, lay->end - lay->psum);
    for (uint64_t i = 0; i < n; i++)
        job->writer[i] = (int32_t)tetris_engine_ofmap_writer(e, i);
    for (size_t i = 0; i < job->prog.n; i++)
        job->insn_cycles[i] = tetris_engine_insn_cycles(e, i);
    tetris_engine_destroy(e);
    free(before);
    return TETRIS_OK;
}

void tetris_job_free(tetris_job *job)
{
    tetris_program_free(&job->prog);
    tetris_layer_data_free(&job->data);
    free(job->image);
    free(job->expect);
    free(job->writer);
    free(job->insn_cycles);
    memset(job, 0, sizeof *job);
}

int tetris_job_check(const tetris_job *job, const uint8_t *region, tetris_mismatch *mm)
{
    const tetris_layer *l = &job->layer;
    const tetris_vault_layout *lay = &job->lay;
    memset(mm, 0, sizeof *mm);
    mm->index = mm->pc = mm->byte = -1;
    uint64_t n = (uint64_t)job->batch * (uint64_t)l->m * (uint64_t)l->ho * (uint64_t)l->wo;
    const uint8_t *ofm = region + (lay->ofmap - lay->psum);
    for (uint64_t i = 0; i < n; i++) {
        int16_t v = (int16_t)(uint16_t)(ofm[2 * i] | ofm[2 * i + 1] << 8);
        if (v == job->data.ofmap[i])
            continue;
        uint64_t hw = (uint64_t)l->ho * (uint64_t)l->wo;
        mm->index = (int64_t)i;
        mm->n = (int)(i / ((uint64_t)l->m * hw));
        mm->m = (int)(i / hw % (uint64_t)l->m);
        mm->y = (int)(i % hw / (uint64_t)l->wo);
        mm->x = (int)(i % (uint64_t)l->wo);
        mm->expect = job->data.ofmap[i];
        mm->actual = v;
        mm->pc = job->writer[i];
        break;
    }
    /* the whole region, spill area included, against the engine model */
    for (uint64_t b = 0; b < lay->end - lay->psum; b++)
        if (region[b] != job->expect[b]) {
            mm->byte = (int64_t)(lay->psum + b);
            break;
        }
    return mm->index >= 0 || mm->byte >= 0;
}
