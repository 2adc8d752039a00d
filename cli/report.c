/*
 * Reports of `tetris run`: a table for people and JSON for scripts
 * (docs/json.md). Both only format what libtetris returned.
 */
#include "config.h"

#include <inttypes.h>
#include <string.h>
#include <jansson.h>

#include "cli.h"

static const char *const layer_type_names[] = {"conv", "fc", "maxpool", "avgpool", "relu"};
static const char *const resident_names[] = {"ifmap", "ofmap", "filter"};
static const char *const dim_names[] = {"c", "m", "n"};

#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))

const char *cli_layer_type_name(enum tetris_layer_type t)
{
    return (unsigned)t < COUNT_OF(layer_type_names) ? layer_type_names[t] : "?";
}

static const char *name_of(const char *const *names, size_t n, int i)
{
    return i >= 0 && (size_t)i < n ? names[i] : "?";
}

/* The event groups of the table: counters summed into one column each. */
static const enum tetris_counter rf_reads[] = {TETRIS_CNT_RF_RD_FILTER, TETRIS_CNT_RF_RD_IFMAP,
                                               TETRIS_CNT_RF_RD_PSUM};
static const enum tetris_counter gbuf_accesses[] = {
    TETRIS_CNT_GBUF_RD_IFMAP,  TETRIS_CNT_GBUF_WR_IFMAP, TETRIS_CNT_GBUF_RD_FILTER,
    TETRIS_CNT_GBUF_WR_FILTER, TETRIS_CNT_GBUF_RD_PSUM,  TETRIS_CNT_GBUF_WR_PSUM};
static const enum tetris_counter vault_reads[] = {
    TETRIS_CNT_VAULT_RD_IFMAP, TETRIS_CNT_VAULT_RD_FILTER, TETRIS_CNT_VAULT_RD_BIAS,
    TETRIS_CNT_VAULT_RD_PSUM};
static const enum tetris_counter vault_writes[] = {TETRIS_CNT_VAULT_WR_PSUM,
                                                   TETRIS_CNT_VAULT_WR_OFMAP};

static uint64_t sum_of(const tetris_counters *c, const enum tetris_counter *ids, size_t n)
{
    uint64_t s = 0;
    for (size_t i = 0; i < n; i++)
        s += c->v[ids[i]];
    return s;
}

/* Model time of a cycle count at the configuration's clock. */
static double cycles_ms(const tetris_config *cfg, uint64_t cycles)
{
    return (double)cycles / (cfg->clock_mhz * 1e3);
}

/* The columns up to the energy; the widths hold VGG-16 counts at batch 16. */
static void print_row(FILE *out, int name_w, const char *name, const char *type, uint64_t macs,
                      double util, const tetris_counters *c, double energy_pj)
{
    fprintf(out,
            "%-*s %-7s %13" PRIu64 " %5.1f %12" PRIu64 " %13" PRIu64 " %12" PRIu64 " %11" PRIu64
            " %11" PRIu64 " %11" PRIu64 " %11.3f",
            name_w, name, type, macs, util * 100.0, c->v[TETRIS_CNT_CYCLES],
            sum_of(c, rf_reads, COUNT_OF(rf_reads)),
            sum_of(c, gbuf_accesses, COUNT_OF(gbuf_accesses)),
            sum_of(c, vault_reads, COUNT_OF(vault_reads)),
            sum_of(c, vault_writes, COUNT_OF(vault_writes)), c->v[TETRIS_CNT_VAULT_ACC_PSUM],
            energy_pj / 1e6);
}

void report_table(const cli_report *r, FILE *out)
{
    int name_w = 5;
    for (int i = 0; i < r->n_runs; i++) {
        int len = (int)strlen(r->runs[i].layer->name);
        name_w = len > name_w ? len : name_w;
    }
    fprintf(out, "config %s (hash %016" PRIx64 "), net %s, batch %d, seed %" PRIu64 ", %g MHz\n",
            r->cfg->name, tetris_config_hash(r->cfg), r->net->name, r->batch, r->seed,
            r->cfg->clock_mhz);
    fprintf(out, "%-*s %-7s %13s %5s %12s %13s %12s %11s %11s %11s %11s %-8s %s\n", name_w, "layer",
            "type", "MACs", "util%", "cycles", "rf_reads", "gbuf_rd+wr", "vault_rd", "vault_wr",
            "vault_acc", "energy_uJ", "crc", "result");

    tetris_counters total = {{0}};
    uint64_t macs = 0;
    double energy = 0;
    int passed = 0;
    for (int i = 0; i < r->n_runs; i++) {
        const tetris_layer_result *res = &r->runs[i].res;
        print_row(out, name_w, r->runs[i].layer->name, cli_layer_type_name(r->runs[i].layer->type),
                  res->macs, res->utilization, &res->counts, res->energy.total);
        fprintf(out, " %08" PRIx32 " %s\n", res->crc_engine, res->pass ? "PASS" : "FAIL");
        tetris_counters_add(&total, &res->counts);
        macs += res->macs;
        energy += res->energy.total;
        passed += res->pass != 0;
    }
    tetris_derived d;
    tetris_config_derive(r->cfg, &d);
    uint64_t cycles = total.v[TETRIS_CNT_CYCLES];
    double util = cycles && d.pes ? (double)macs / ((double)cycles * d.pes) : 0.0;
    print_row(out, name_w, "total", "", macs, util, &total, energy);
    fprintf(out, " %.3f ms\n", cycles_ms(r->cfg, cycles));
    fprintf(out, "%d passed, %d failed\n", passed, r->n_runs - passed);
}

/* ---- co-simulation ---- */

void report_cosim_table(const cli_report *r, double bound, FILE *out)
{
    int name_w = 5;
    for (int i = 0; i < r->n_runs; i++) {
        int len = (int)strlen(r->runs[i].layer->name);
        name_w = len > name_w ? len : name_w;
    }
    fprintf(out, "\nRTL against the engine model (cycle bound %g %%):\n", bound);
    fprintf(out, "%-*s %-8s %12s %12s %8s %9s %-8s %11s %s\n", name_w, "layer", "status",
            "model_cyc", "rtl_cyc", "dev%", "counters", "ofmap", "cycles/s", "result");
    int passed = 0;
    uint64_t model = 0, rtl = 0;
    double seconds = 0;
    for (int i = 0; i < r->n_runs; i++) {
        const cli_rtl_run *x = r->runs[i].rtl;
        if (!x)
            continue;
        uint64_t m = r->runs[i].res.counts.v[TETRIS_CNT_CYCLES];
        char counters[16], ofmap[16];
        snprintf(counters, sizeof counters, "%d/%d", x->counters_equal, TETRIS_CNT_COUNT - 1);
        snprintf(ofmap, sizeof ofmap, "%s", x->mm.index >= 0 ? "DIFF" : x->mm.byte >= 0 ? "psum" : "exact");
        fprintf(out, "%-*s %-8s %12" PRIu64 " %12" PRIu64 " %+8.2f %9s %-8s %11.0f %s\n", name_w,
                r->runs[i].layer->name, x->status, m, x->cycles, x->deviation, counters, ofmap,
                x->sim_seconds > 0 ? (double)x->cycles / x->sim_seconds : 0.0, x->pass ? "PASS" : "FAIL");
        passed += x->pass != 0;
        model += m;
        rtl += x->cycles;
        seconds += x->sim_seconds;
    }
    fprintf(out, "%-*s %-8s %12" PRIu64 " %12" PRIu64 " %+8.2f %9s %-8s %11.0f %.1f s\n", name_w, "total",
            "", model, rtl, model ? 100.0 * ((double)rtl - (double)model) / (double)model : 0.0, "", "",
            seconds > 0 ? (double)rtl / seconds : 0.0, seconds);
    fprintf(out, "%d passed, %d failed\n", passed, r->n_runs - passed);
    if (r->sim_jobs > 1 && r->sim_wall_seconds > 0)
        fprintf(out, "%d simulators at once: %.1f s of wall time, %.0f cycles/s together\n", r->sim_jobs,
                r->sim_wall_seconds, (double)rtl / r->sim_wall_seconds);
}

/* ---- JSON ---- */

static json_t *counters_json(const tetris_counters *c)
{
    json_t *o = json_object();
    for (int i = 0; o && i < TETRIS_CNT_COUNT; i++) {
        if (json_object_set_new(o, tetris_counter_name((enum tetris_counter)i),
                                json_integer((json_int_t)c->v[i]))) {
            json_decref(o);
            o = NULL;
        }
    }
    return o;
}

static json_t *energy_json(const tetris_energy *e)
{
    return json_pack("{s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:f}", "mac", e->mac, "rf", e->rf,
                     "array", e->array, "gbuf", e->gbuf, "dram", e->dram, "noc", e->noc, "static",
                     e->stat, "total", e->total);
}

static json_t *shape_json(const tetris_layer *l, const tetris_config *cfg)
{
    return json_pack("{s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:b, s:b, s:i}", "c",
                     l->c, "hi", l->hi, "wi", l->wi, "m", l->m, "ho", l->ho, "wo", l->wo, "r", l->r,
                     "s", l->s, "stride", l->stride, "pad", l->pad, "groups", l->groups, "relu",
                     l->relu, "bias", l->bias, "shift", tetris_layer_shift(l, cfg));
}

static json_t *mapping_json(const tetris_mapping *m)
{
    return json_pack("{s:i, s:i, s:i, s:i, s:i, s:i, s:i}", "rows_per_set", m->rows_per_set,
                     "fold_h", m->fold_h, "rep_h", m->rep_h, "cols_per_set", m->cols_per_set,
                     "fold_w", m->fold_w, "rep_w", m->rep_w, "active_pes", m->active_pes);
}

/* A C/M/N block as an object and a loop order as a list of dimension names. */
static json_t *dims_json(const int v[3])
{
    return json_pack("{s:i, s:i, s:i}", "c", v[TETRIS_DIM_C], "m", v[TETRIS_DIM_M], "n",
                     v[TETRIS_DIM_N]);
}

static json_t *order_json(const int order[3])
{
    return json_pack("[s, s, s]", name_of(dim_names, 3, order[0]), name_of(dim_names, 3, order[1]),
                     name_of(dim_names, 3, order[2]));
}

static json_t *blocking_json(const tetris_blocking *b)
{
    return json_pack("{s:s, s:o, s:o, s:o, s:o}", "resident",
                     name_of(resident_names, COUNT_OF(resident_names), (int)b->resident), "gb",
                     dims_json(b->gb), "gb_order", order_json(b->gb_order), "rf", dims_json(b->rf),
                     "pass_order", order_json(b->pass_order));
}

/* What the RTL did with a layer (`tetris cosim`), or null. */
static json_t *rtl_json(const cli_rtl_run *x)
{
    if (!x)
        return json_null();
    const tetris_mismatch *mm = &x->mm;
    json_t *first = mm->index < 0 ? json_null()
                                  : json_pack("{s:I, s:i, s:i, s:i, s:i, s:i, s:i, s:I}", "index",
                                              (json_int_t)mm->index, "n", mm->n, "m", mm->m, "y",
                                              mm->y, "x", mm->x, "expected", mm->expect, "actual",
                                              mm->actual, "pc", (json_int_t)mm->pc);
    return json_pack("{s:s, s:I, s:f, s:o, s:i, s:o, s:I, s:f, s:b, s:s}", "status", x->status,
                     "cycles", (json_int_t)x->cycles, "deviation_percent", x->deviation,
                     "counters", counters_json(&x->counts), "counters_equal", x->counters_equal,
                     "first_diff", first, "first_diff_byte", (json_int_t)mm->byte, "sim_seconds",
                     x->sim_seconds, "pass", x->pass, "message", x->message);
}

static json_t *layer_json(const cli_report *r, const cli_layer_run *run)
{
    const tetris_layer_result *res = &run->res;
    char crc_golden[9], crc_engine[9];
    snprintf(crc_golden, sizeof crc_golden, "%08" PRIx32, res->crc_golden);
    snprintf(crc_engine, sizeof crc_engine, "%08" PRIx32, res->crc_engine);
    json_t *o = json_pack(
        "{s:s, s:i, s:s, s:o, s:o, s:o, s:I, s:f, s:o, s:o, s:f, s:s, s:s, s:b, s:I,"
        " s:{s:f, s:f}}",
        "name", run->layer->name, "index", run->index, "type",
        cli_layer_type_name(run->layer->type), "shape", shape_json(run->layer, r->cfg), "mapping",
        mapping_json(&res->mapping), "blocking", blocking_json(&res->blocking), "macs",
        (json_int_t)res->macs, "utilization", res->utilization, "counters",
        counters_json(&res->counts), "energy_pj", energy_json(&res->energy), "time_ms",
        cycles_ms(r->cfg, res->counts.v[TETRIS_CNT_CYCLES]), "crc_golden", crc_golden, "crc_engine",
        crc_engine, "pass", res->pass, "first_diff", (json_int_t)res->first_diff, "wall_seconds",
        "golden", res->golden_seconds, "engine", res->engine_seconds);
    if (o && run->rtl && json_object_set_new(o, "rtl", rtl_json(run->rtl))) {
        json_decref(o);
        o = NULL;
    }
    return o;
}

static json_t *totals_json(const cli_report *r)
{
    tetris_counters counts = {{0}};
    tetris_energy e = {0};
    uint64_t macs = 0;
    double golden_s = 0, engine_s = 0;
    int passed = 0;
    for (int i = 0; i < r->n_runs; i++) {
        const tetris_layer_result *res = &r->runs[i].res;
        tetris_counters_add(&counts, &res->counts);
        e.mac += res->energy.mac;
        e.rf += res->energy.rf;
        e.array += res->energy.array;
        e.gbuf += res->energy.gbuf;
        e.dram += res->energy.dram;
        e.noc += res->energy.noc;
        e.stat += res->energy.stat;
        e.total += res->energy.total;
        macs += res->macs;
        golden_s += res->golden_seconds;
        engine_s += res->engine_seconds;
        passed += res->pass != 0;
    }
    tetris_derived d;
    tetris_config_derive(r->cfg, &d);
    uint64_t cycles = counts.v[TETRIS_CNT_CYCLES];
    double util = cycles && d.pes ? (double)macs / ((double)cycles * d.pes) : 0.0;
    json_t *o = json_pack("{s:i, s:i, s:i, s:I, s:f, s:o, s:o, s:f, s:{s:f, s:f}}", "layers",
                          r->n_runs, "passed", passed, "failed", r->n_runs - passed, "macs",
                          (json_int_t)macs, "utilization", util, "counters", counters_json(&counts),
                          "energy_pj", energy_json(&e), "time_ms", cycles_ms(r->cfg, cycles),
                          "wall_seconds", "golden", golden_s, "engine", engine_s);
    if (o && r->sim_jobs > 0 &&
        (json_object_set_new(o, "sim_jobs", json_integer(r->sim_jobs)) ||
         json_object_set_new(o, "sim_wall_seconds", json_real(r->sim_wall_seconds)))) {
        json_decref(o);
        o = NULL;
    }
    return o;
}

int report_json(const cli_report *r, FILE *out)
{
    json_t *layers = json_array();
    for (int i = 0; layers && i < r->n_runs; i++) {
        if (json_array_append_new(layers, layer_json(r, &r->runs[i]))) {
            json_decref(layers);
            layers = NULL;
        }
    }
    tetris_derived d;
    tetris_config_derive(r->cfg, &d);
    char hash[17];
    snprintf(hash, sizeof hash, "%016" PRIx64, tetris_config_hash(r->cfg));
    /* json_pack fails (NULL) if any part is NULL, so one check covers every allocation */
    json_t *root = json_pack(
        "{s:s, s:s, s:{s:s, s:s, s:s}, s:{s:s, s:s, s:i}, s:i, s:I, s:f, s:i, s:s?, s:o, s:o}",
        "tool", "tetris", "version", tetris_version(), "config", "name", r->cfg->name, "file",
        r->config_path, "hash", hash, "net", "name", r->net->name, "file", r->net_path, "layers",
        r->net->n_layers, "batch", r->batch, "seed", (json_int_t)r->seed, "clock_mhz",
        r->cfg->clock_mhz, "pes", d.pes, "error", r->error, "layers", layers, "totals",
        totals_json(r));
    if (!root)
        return TETRIS_ENOMEM;
    int rc = json_dumpf(root, out, JSON_INDENT(2) | JSON_REAL_PRECISION(12));
    json_decref(root);
    if (rc || fputc('\n', out) == EOF)
        return TETRIS_EIO;
    return 0;
}
