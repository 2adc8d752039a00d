/*
 * The parameter table: one row per field of tetris_config. Defaults, YAML
 * output, the configuration hash, `tetris config --help`, docs/config.md and
 * the generated tetris_params.h are all produced from it, so a new field
 * needs one struct member and one row here (plus any cross-check in config.c).
 */
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static const char *const page_policy_names[] = {"closed", "open", NULL};
static const char *const accum_names[] = {"none", "controller", "dram_die", "bank", NULL};

/* The STR row's default: a double cannot hold it. */
static const char default_name[] = "t16";

/* Bounds shared with the invariant below. */
#define GBUF_BYTES_MIN 64
#define MAX_KERNEL_MAX 16

/* The GBUF must hold one filter row plus one ifmap window of 16-bit words;
 * the ranges alone guarantee it, so no run-time cross-check is needed. */
_Static_assert(GBUF_BYTES_MIN / 2 >= 2 * MAX_KERNEL_MAX,
               "the GBUF minimum must hold one filter row and one ifmap window");

#define ROW(k, t, f, d, lo, hi, en, u, m, doc)                                              \
    {                                                                                      \
        k, TETRIS_PT_##t, offsetof(tetris_config, f), d, lo, hi, en, u, m, doc             \
    }

/* Defaults are the T-16 engine of the reference (tetris.md sections 2, 3, 9). */
static const tetris_param table[] = {
    ROW("name", STR, name, 0, 0, 0, NULL, "", "CONFIG_NAME",
        "configuration name (letters, digits, '_', '.', '-'; names generated files)"),
    ROW("clock_mhz", REAL, clock_mhz, 500, 1, 5000, NULL, "MHz", "CLOCK_MHZ",
        "engine clock; converts vault bandwidth and static power to per-cycle values"),
    ROW("vaults.rows", INT, vault_rows, 4, 1, 16, NULL, "", "VAULT_ROWS",
        "rows of the vault grid (one engine per vault)"),
    ROW("vaults.cols", INT, vault_cols, 4, 1, 16, NULL, "", "VAULT_COLS",
        "columns of the vault grid"),
    ROW("array.h", INT, array_h, 14, 1, 64, NULL, "PEs", "ARRAY_H",
        "PE array height: filter rows mapped per pass"),
    ROW("array.w", INT, array_w, 14, 1, 64, NULL, "PEs", "ARRAY_W",
        "PE array width: ofmap rows mapped per pass"),
    ROW("array.max_kernel", INT, max_kernel, 11, 1, MAX_KERNEL_MAX, NULL, "words", "MAX_KERNEL",
        "widest filter row a PE supports (length of its sliding window)"),
    ROW("rf.filter_words", INT, rf_filter_words, 224, 1, 4096, NULL, "words", "RF_FILTER_WORDS",
        "filter scratchpad per PE"),
    ROW("rf.ifmap_words", INT, rf_ifmap_words, 12, 1, 4096, NULL, "words", "RF_IFMAP_WORDS",
        "ifmap scratchpad per PE"),
    ROW("rf.psum_words", INT, rf_psum_words, 20, 1, 4096, NULL, "acc words", "RF_PSUM_WORDS",
        "psum scratchpad per PE, accumulator-wide words, in each of its two banks"),
    ROW("gbuf.bytes", INT, gbuf_bytes, 133032, GBUF_BYTES_MIN, 1 << 30, NULL, "bytes",
        "GBUF_BYTES", "global buffer capacity"),
    ROW("gbuf.banks", INT, gbuf_banks, 4, 1, 64, NULL, "", "GBUF_BANKS", "global buffer banks"),
    ROW("gbuf.bank_bits", INT, gbuf_bank_bits, 16, 16, 512, NULL, "bits", "GBUF_BANK_BITS",
        "width of one bank; a multiple of the 16-bit word container"),
    ROW("arith.word_bits", INT, word_bits, 16, 2, 16, NULL, "bits", "WORD_BITS",
        "signed activation and weight width (stored in 16-bit containers)"),
    ROW("arith.acc_bits", INT, acc_bits, 32, 8, 32, NULL, "bits", "ACC_BITS",
        "accumulator width; sums wrap modulo 2^acc_bits"),
    ROW("arith.frac_bits", INT, frac_bits, 8, 0, 15, NULL, "bits", "FRAC_BITS",
        "fraction bits of activations and weights (default output shift)"),
    /* The engine model and the generated RTL move one word per cycle on each
     * bus (the reference design); the widths are kept as parameters so that
     * configurations name them, and stay at 1 until both can be wider. */
    ROW("bus.filter_words", INT, bus_filter_words, 1, 1, 1, NULL, "words/cycle",
        "BUS_FILTER_WORDS", "filter multicast bus from the GBUF to the array (1 only, so far)"),
    ROW("bus.ifmap_words", INT, bus_ifmap_words, 1, 1, 1, NULL, "words/cycle", "BUS_IFMAP_WORDS",
        "ifmap multicast bus from the GBUF to the array (1 only, so far)"),
    ROW("bus.psum_words", INT, bus_psum_words, 1, 1, 1, NULL, "words/cycle", "BUS_PSUM_WORDS",
        "psum bus into the tops and out of the bottoms of the columns (1 only, so far)"),
    ROW("dram.banks", INT, dram_banks, 16, 1, 256, NULL, "", "DRAM_BANKS", "banks per vault"),
    ROW("dram.rows", INT, dram_rows, 65536, 1, 1 << 24, NULL, "", "DRAM_ROWS", "rows per bank"),
    ROW("dram.row_bytes", INT, dram_row_bytes, 256, 16, 65536, NULL, "bytes", "DRAM_ROW_BYTES",
        "bytes per row (page)"),
    ROW("dram.burst_bytes", INT, dram_burst_bytes, 32, 16, 256, NULL, "bytes", "DRAM_BURST_BYTES",
        "bytes per vault request (HMC 32 B block); a power of two, at least one 16-byte "
        "instruction"),
    ROW("dram.tck_ps", INT, dram_tck_ps, 800, 1, 100000, NULL, "ps", "DRAM_TCK_PS",
        "DRAM clock period"),
    ROW("dram.trcd", INT, dram_trcd, 17, 1, 1000, NULL, "tCK", "DRAM_TRCD",
        "ACT to READ/WRITE delay"),
    ROW("dram.tcl", INT, dram_tcl, 17, 1, 1000, NULL, "tCK", "DRAM_TCL", "READ to data latency"),
    ROW("dram.trp", INT, dram_trp, 17, 1, 1000, NULL, "tCK", "DRAM_TRP", "PRE to ACT delay"),
    ROW("dram.tras", INT, dram_tras, 34, 1, 1000, NULL, "tCK", "DRAM_TRAS",
        "ACT to PRE minimum"),
    ROW("dram.tccd", INT, dram_tccd, 4, 1, 1000, NULL, "tCK", "DRAM_TCCD",
        "column command to column command"),
    ROW("dram.page_policy", ENUM, dram_page_policy, TETRIS_PAGE_CLOSED, 0, 0, page_policy_names,
        "", "DRAM_PAGE_POLICY", "vault controller page policy"),
    ROW("dram.gbps", REAL, vault_gbps, 10, 0.001, 10000, NULL, "GB/s", "DRAM_GBPS",
        "sustained bandwidth of one vault (HMC: about 10 GB/s)"),
    ROW("accum.location", ENUM, accum, TETRIS_ACCUM_DRAM_DIE, 0, 0, accum_names, "",
        "ACCUM_LOCATION", "where spilled partial sums are added (reference section 8)"),
    ROW("energy.mac_pj", REAL, e_mac_pj, 2, 0, 1e6, NULL, "pJ", "E_MAC_PJ", "one MAC"),
    ROW("energy.dram_pj", REAL, e_dram_pj, 80, 0, 1e6, NULL, "pJ", "E_DRAM_PJ",
        "one DRAM word access, including the TSVs"),
    ROW("energy.gbuf_pj", REAL, e_gbuf_pj, 14, 0, 1e6, NULL, "pJ", "E_GBUF_PJ",
        "one GBUF word access"),
    ROW("energy.array_pj", REAL, e_array_pj, 4, 0, 1e6, NULL, "pJ", "E_ARRAY_PJ",
        "one word over the array bus to one PE"),
    ROW("energy.rf_pj", REAL, e_rf_pj, 0.6, 0, 1e6, NULL, "pJ", "E_RF_PJ",
        "one register-file word access"),
    ROW("energy.noc_hop_pj", REAL, e_noc_pj, 40, 0, 1e6, NULL, "pJ", "E_NOC_HOP_PJ",
        "one word over one NoC hop between vaults"),
    ROW("energy.static_pj", REAL, e_static_pj, 200, 0, 1e6, NULL, "pJ", "E_STATIC_PJ",
        "static energy of one engine per engine cycle"),
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define N_PARAMS COUNT(table)

/* One line of description per YAML section, for the generated reference. */
static const struct {
    const char *name, *doc;
} sections[] = {
    {"vaults", "The vault grid of the stack: one engine on the logic die under each vault."},
    {"array", "The row-stationary PE array of one engine."},
    {"rf", "Register files (scratchpads) of one PE."},
    {"gbuf", "The global buffer of one engine."},
    {"arith", "Fixed-point arithmetic (docs/arith.md)."},
    {"bus", "Multicast buses from the GBUF into the PE array."},
    {"dram", "One vault of the 3D DRAM stack and its controller (public HMC models)."},
    {"accum", "In-memory accumulation of spilled partial sums."},
    {"energy", "Cost table, pJ per 16-bit access or operation."},
};

/* The relations tetris_config_validate checks beyond each parameter's range. */
static const char *const cross_checks[] = {
    "`arith.acc_bits >= arith.word_bits`: the accumulator holds at least a word.",
    "`arith.frac_bits < arith.word_bits`: a word keeps its sign bit.",
    "`rf.filter_words >= array.max_kernel` and `rf.ifmap_words >= array.max_kernel`: a PE holds "
    "one filter row and one ifmap window.",
    "`gbuf.bank_bits` is a multiple of 16: banks hold whole 16-bit word containers.",
    "`gbuf.bytes` is a multiple of `gbuf.banks * gbuf.bank_bits / 8`: every bank has whole rows.",
    "`dram.tras >= dram.trcd`: a row stays open at least until it can be accessed.",
    "`dram.burst_bytes` is a power of two and `dram.row_bytes` a multiple of it.",
    "`dram.banks` and `dram.row_bytes / dram.burst_bytes` are powers of two: the vault "
    "controller splits addresses into row, bank and column bit fields.",
    "`gbuf.bytes` holds one filter row and one ifmap window (`2 * array.max_kernel` words): the "
    "ranges guarantee it.",
};

/* Constants derived from a configuration, as written to tetris_params.h. */
enum derived_type { D_INT, D_REAL, D_U64 };
static const struct {
    const char *macro;
    enum derived_type type;
    size_t offset;
    const char *doc;
} derived[] = {
    {"PES", D_INT, offsetof(tetris_derived, pes), "PEs per engine: array.h * array.w"},
    {"ENGINES", D_INT, offsetof(tetris_derived, engines), "engines: vaults.rows * vaults.cols"},
    {"GBUF_WORDS", D_INT, offsetof(tetris_derived, gbuf_words),
     "16-bit words of the GBUF: gbuf.bytes / 2"},
    {"GBUF_BANK_ROWS", D_INT, offsetof(tetris_derived, gbuf_bank_rows),
     "rows of one GBUF bank: gbuf.bytes / (gbuf.banks * gbuf.bank_bits / 8)"},
    {"VAULT_BYTES_PER_CYCLE", D_REAL, offsetof(tetris_derived, vault_bytes_per_cycle),
     "vault bytes per engine cycle: dram.gbps * 1e9 / (clock_mhz * 1e6)"},
    {"VAULT_CAPACITY", D_U64, offsetof(tetris_derived, vault_capacity),
     "bytes per vault: dram.banks * dram.rows * dram.row_bytes"},
    {"CSR_ADDR_BITS", D_INT, offsetof(tetris_derived, csr_addr_bits),
     "address bits of the engine's counter CSR port (one address per counter)"},
};

const tetris_param *tetris_params(size_t *n)
{
    *n = N_PARAMS;
    return table;
}

static int *int_field(const tetris_param *p, tetris_config *cfg)
{
    return (int *)((char *)cfg + p->offset);
}

static double *real_field(const tetris_param *p, tetris_config *cfg)
{
    return (double *)((char *)cfg + p->offset);
}

static int int_value(const tetris_param *p, const tetris_config *cfg)
{
    return *(const int *)((const char *)cfg + p->offset);
}

static double real_value(const tetris_param *p, const tetris_config *cfg)
{
    return *(const double *)((const char *)cfg + p->offset);
}

static const char *str_value(const tetris_param *p, const tetris_config *cfg)
{
    return (const char *)cfg + p->offset;
}

void tetris_config_defaults(tetris_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    for (size_t i = 0; i < N_PARAMS; i++) {
        const tetris_param *p = &table[i];
        switch (p->type) {
        case TETRIS_PT_INT:
        case TETRIS_PT_ENUM: *int_field(p, cfg) = (int)p->def; break;
        case TETRIS_PT_REAL: *real_field(p, cfg) = p->def; break;
        case TETRIS_PT_STR:
            memcpy((char *)cfg + p->offset, default_name, sizeof default_name);
            break;
        }
    }
}

/* Room for any value as text: a name (63 characters) or a real. */
#define VALUE_LEN 64

/* Shortest text that reads back as exactly v, always with a '.' or exponent
 * so that it is a double literal in C and a real in YAML. */
static const char *fmt_real(char buf[VALUE_LEN], double v)
{
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(buf, VALUE_LEN, "%.*g", prec, v);
        if (strtod(buf, NULL) == v)
            break;
    }
    if (!strpbrk(buf, ".eEn"))
        strcat(buf, ".0");
    return buf;
}

static const char *enum_name(const tetris_param *p, int v)
{
    for (int i = 0; p->enum_names[i]; i++)
        if (i == v)
            return p->enum_names[i];
    return NULL;
}

/* A value as YAML/doc text (enums by name, reals via fmt_real). */
static const char *fmt_value(char buf[VALUE_LEN], const tetris_param *p, const tetris_config *cfg)
{
    switch (p->type) {
    case TETRIS_PT_REAL: return fmt_real(buf, real_value(p, cfg));
    case TETRIS_PT_STR: /* bounded: an unvalidated name may lack its terminator */
        snprintf(buf, VALUE_LEN, "%.*s", VALUE_LEN - 1, str_value(p, cfg));
        return buf;
    case TETRIS_PT_ENUM: {
        const char *s = enum_name(p, int_value(p, cfg));
        if (s)
            return s;
        break; /* an out-of-range enum prints as its index */
    }
    case TETRIS_PT_INT: break;
    }
    snprintf(buf, VALUE_LEN, "%d", int_value(p, cfg));
    return buf;
}

static int finish(FILE *out)
{
    return (fflush(out) || ferror(out)) ? TETRIS_EIO : TETRIS_OK;
}

/* Length of the section part of a dotted key (0 for a top-level key). */
static size_t section_len(const char *key)
{
    const char *dot = strchr(key, '.');
    return dot ? (size_t)(dot - key) : 0;
}

static int same_section(const char *a, const char *b)
{
    size_t n = section_len(a);
    return n == section_len(b) && !strncmp(a, b, n);
}

int tetris_config_write_yaml(const tetris_config *cfg, FILE *out)
{
    char buf[VALUE_LEN];
    for (size_t i = 0; i < N_PARAMS; i++) {
        const tetris_param *p = &table[i];
        size_t n = section_len(p->key);
        int first = !i || !same_section(p->key, table[i - 1].key);
        int last = i + 1 == N_PARAMS || !same_section(p->key, table[i + 1].key);
        if (!n) {
            fprintf(out, "%s: %s\n", p->key, fmt_value(buf, p, cfg));
            continue;
        }
        if (first)
            fprintf(out, "%.*s: {", (int)n, p->key);
        fprintf(out, "%s%s: %s%s", first ? "" : ", ", p->key + n + 1, fmt_value(buf, p, cfg),
                last ? "}\n" : "");
    }
    return finish(out);
}

uint64_t tetris_config_hash(const tetris_config *cfg)
{
    char *text = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&text, &len);
    if (!m)
        return 0; /* out of memory: 0 names no configuration */
    int st = tetris_config_write_yaml(cfg, m);
    fclose(m);
    uint64_t h = 0xcbf29ce484222325u; /* FNV-1a 64 offset basis */
    for (size_t i = 0; !st && i < len; i++) {
        h ^= (unsigned char)text[i];
        h *= 0x100000001b3u; /* FNV-1a 64 prime */
    }
    free(text);
    return st ? 0 : h;
}

void tetris_config_derive(const tetris_config *cfg, tetris_derived *d)
{
    d->pes = cfg->array_h * cfg->array_w;
    d->engines = cfg->vault_rows * cfg->vault_cols;
    d->gbuf_words = cfg->gbuf_bytes / 2;
    int bank_row_bytes = cfg->gbuf_banks * cfg->gbuf_bank_bits / 8;
    d->gbuf_bank_rows = bank_row_bytes > 0 ? cfg->gbuf_bytes / bank_row_bytes : 0;
    d->vault_bytes_per_cycle = cfg->vault_gbps * 1e9 / (cfg->clock_mhz * 1e6);
    d->vault_capacity = (uint64_t)cfg->dram_banks * (uint64_t)cfg->dram_rows *
                        (uint64_t)cfg->dram_row_bytes;
    d->csr_addr_bits = tetris_bits_for(TETRIS_CNT_COUNT);
}

static const char *type_name(enum tetris_param_type t)
{
    switch (t) {
    case TETRIS_PT_INT: return "int";
    case TETRIS_PT_REAL: return "real";
    case TETRIS_PT_ENUM: return "enum";
    case TETRIS_PT_STR: return "str";
    }
    return "?";
}

/* Allowed values of a row: "[min, max]", "a, b, c", or the name rule. */
static const char *fmt_range(char buf[96], const tetris_param *p)
{
    switch (p->type) {
    case TETRIS_PT_INT:
    case TETRIS_PT_REAL: snprintf(buf, 96, "[%.15g, %.15g]", p->min, p->max); break;
    case TETRIS_PT_ENUM:
        buf[0] = '\0';
        for (int i = 0; p->enum_names[i]; i++)
            snprintf(buf + strlen(buf), 96 - strlen(buf), "%s%s", i ? ", " : "",
                     p->enum_names[i]);
        break;
    case TETRIS_PT_STR: snprintf(buf, 96, "1 to 63 characters"); break;
    }
    return buf;
}

int tetris_config_write_help(FILE *out)
{
    tetris_config def;
    tetris_config_defaults(&def);
    char val[VALUE_LEN], range[96];
    fprintf(out, "%-18s %-4s %-8s %-11s %-34s %s\n", "KEY", "TYPE", "DEFAULT", "UNIT", "RANGE",
            "DESCRIPTION");
    for (size_t i = 0; i < N_PARAMS; i++) {
        const tetris_param *p = &table[i];
        fprintf(out, "%-18s %-4s %-8s %-11s %-34s %s\n", p->key, type_name(p->type),
                fmt_value(val, p, &def), p->unit[0] ? p->unit : "-", fmt_range(range, p), p->doc);
    }
    return finish(out);
}

static const char doc_intro[] =
    "# Accelerator configuration reference\n"
    "\n"
    "<!-- Generated from the parameter table in refmodel/params.c by `tetris config --doc`;\n"
    "     edit the table, not this file. -->\n"
    "\n"
    "One YAML file describes one TETRIS accelerator: the vault grid and the NN engine that sits\n"
    "under every vault. The reference model, the RTL generator and the testbench all read the\n"
    "same file, and every parameter below is one row of a single table (`tetris_params()`),\n"
    "which also gives `tetris config --help` and the generated `tetris_params.h`.\n"
    "\n"
    "## How to use\n"
    "\n"
    "- Start from a bundled configuration in `examples/configs/`: `t16.yaml` (the TETRIS T-16\n"
    "  engine, the defaults below), `l1.yaml` (the 2D LPDDR baseline), `eyeriss.yaml` (the\n"
    "  Eyeriss chip, for validation) or `small.yaml` (a tiny engine for fast tests).\n"
    "- Keys are nested one level: `array: {h: 14, w: 14}` sets `array.h` and `array.w`.\n"
    "  A missing key takes its default; an unknown or repeated key, a value of the wrong type,\n"
    "  a value out of range or a failed cross-check is an error that names the file, line\n"
    "  and key, e.g. `my.yaml:4: array.h: 0 is out of range [1, 64]`.\n"
    "- `int` values are decimal integers, `real` values decimal numbers, `enum` values one of\n"
    "  the listed names, and `name` may use letters, digits, `_`, `.` and `-` (starting with a\n"
    "  letter or digit).\n"
    "- From C: `tetris_config_load()` reads and checks a file, `tetris_config_write_yaml()`\n"
    "  writes every parameter back, and `tetris_config_hash()` names a configuration in\n"
    "  generated files.\n"
    "\n"
    "Example (the defaults):\n"
    "\n"
    "```yaml\n";

static void doc_table_head(FILE *out)
{
    fputs("| key | type | default | range / values | unit | description |\n", out);
    fputs("|---|---|---|---|---|---|\n", out);
}

static void doc_row(FILE *out, const tetris_param *p, const tetris_config *def)
{
    char val[VALUE_LEN], range[96];
    fprintf(out, "| `%s` | %s | %s | %s | %s | %s |\n", p->key, type_name(p->type),
            fmt_value(val, p, def), fmt_range(range, p), p->unit, p->doc);
}

static const char *section_doc(const char *key)
{
    size_t n = section_len(key);
    for (size_t i = 0; i < COUNT(sections); i++)
        if (strlen(sections[i].name) == n && !strncmp(sections[i].name, key, n))
            return sections[i].doc;
    return "";
}

static void doc_tables(FILE *out, const tetris_config *def)
{
    fputs("\n## Top level\n\n", out);
    doc_table_head(out);
    for (size_t i = 0; i < N_PARAMS; i++)
        if (!section_len(table[i].key))
            doc_row(out, &table[i], def);
    for (size_t i = 0; i < N_PARAMS; i++) {
        const char *key = table[i].key;
        size_t n = section_len(key);
        if (!n)
            continue;
        if (i == 0 || !same_section(key, table[i - 1].key)) {
            fprintf(out, "\n## `%.*s`\n\n%s\n\n", (int)n, key, section_doc(key));
            doc_table_head(out);
        }
        doc_row(out, &table[i], def);
    }
}

int tetris_config_write_doc(FILE *out)
{
    tetris_config def;
    tetris_config_defaults(&def);
    fputs(doc_intro, out);
    tetris_config_write_yaml(&def, out);
    fputs("```\n", out);
    doc_tables(out, &def);
    fputs("\n## Cross-checks\n\nBesides its own range, a configuration must satisfy:\n\n", out);
    for (size_t i = 0; i < COUNT(cross_checks); i++)
        fprintf(out, "- %s\n", cross_checks[i]);
    fputs("\n## Derived constants\n\n"
          "Computed by `tetris_config_derive()` and written to `tetris_params.h` as\n"
          "`TETRIS_P_<NAME>`.\n\n"
          "| name | value |\n|---|---|\n",
          out);
    for (size_t i = 0; i < COUNT(derived); i++)
        fprintf(out, "| `%s` | %s |\n", derived[i].macro, derived[i].doc);
    fputs("\n## Macros in `tetris_params.h`\n\n"
          "The generated header (include guard `TETRIS_PARAMS_H`) holds only `#define`s, so\n"
          "C, C++ and the generator's Verilog header share one set of values. Integers and\n"
          "enums are integer literals, reals double literals and the name a string. Each enum\n"
          "parameter also gets `TETRIS_P_<MACRO>_NAME` (its value's name) and\n"
          "`TETRIS_P_<MACRO>_<VALUE>` (the index of every name, e.g.\n"
          "`TETRIS_P_ACCUM_LOCATION_DRAM_DIE`).\n"
          "`TETRIS_P_CONFIG_HASH` (FNV-1a 64 of the configuration written back as YAML) and\n"
          "`TETRIS_P_GENERATOR_VERSION` name where the header came from.\n\n"
          "| key | macro |\n|---|---|\n",
          out);
    for (size_t i = 0; i < N_PARAMS; i++)
        fprintf(out, "| `%s` | `TETRIS_P_%s` |\n", table[i].key, table[i].macro);
    return finish(out);
}

/* The syntax of a header of #defines in C, or of `defines in Verilog. */
typedef struct hdr_lang {
    const char *def;          /* "#define" */
    const char *c_open;       /* comment start */
    const char *c_close;      /* comment end */
    const char *guard_if;     /* "#ifndef" */
    const char *guard_end;    /* "#endif" */
    const char *u64;          /* printf format of an unsigned 64-bit literal */
    const char *hash;         /* printf format of the 64-bit hash literal */
    const char *file;         /* file name */
    const char *guard;        /* include-guard macro */
} hdr_lang;

static const hdr_lang langs[2] = {
    {"#define", "/* ", " */", "#ifndef", "#endif", "%" PRIu64 "ULL", "0x%016" PRIx64 "ULL",
     "tetris_params.h", "TETRIS_PARAMS_H"},
    {"`define", "// ", "", "`ifndef", "`endif", "64'd%" PRIu64, "64'h%016" PRIx64,
     "tetris_params.vh", "TETRIS_PARAMS_VH"},
};

/* Enum parameters also get their value as a string and one macro per name. */
static void header_enum(FILE *out, const hdr_lang *lg, const tetris_param *p, int v)
{
    fprintf(out, "%s TETRIS_P_%s_NAME \"%s\"\n", lg->def, p->macro, enum_name(p, v));
    for (int i = 0; p->enum_names[i]; i++) {
        fprintf(out, "%s TETRIS_P_%s_", lg->def, p->macro);
        for (const char *s = p->enum_names[i]; *s; s++)
            fputc(*s >= 'a' && *s <= 'z' ? *s - 'a' + 'A' : *s, out);
        fprintf(out, " %d\n", i);
    }
}

static void header_param(FILE *out, const hdr_lang *lg, const tetris_param *p,
                         const tetris_config *cfg)
{
    char buf[VALUE_LEN];
    fprintf(out, "\n%s%s: %s%s%s%s%s\n", lg->c_open, p->key, p->doc, p->unit[0] ? " [" : "",
            p->unit, p->unit[0] ? "]" : "", lg->c_close);
    switch (p->type) {
    case TETRIS_PT_STR:
        fprintf(out, "%s TETRIS_P_%s \"%s\"\n", lg->def, p->macro, str_value(p, cfg));
        break;
    case TETRIS_PT_REAL:
        fprintf(out, "%s TETRIS_P_%s %s\n", lg->def, p->macro, fmt_real(buf, real_value(p, cfg)));
        break;
    case TETRIS_PT_INT:
    case TETRIS_PT_ENUM:
        fprintf(out, "%s TETRIS_P_%s %d\n", lg->def, p->macro, int_value(p, cfg));
        if (p->type == TETRIS_PT_ENUM)
            header_enum(out, lg, p, int_value(p, cfg));
        break;
    }
}

static void header_derived(FILE *out, const hdr_lang *lg, const tetris_config *cfg)
{
    tetris_derived d;
    tetris_config_derive(cfg, &d);
    char buf[VALUE_LEN];
    for (size_t i = 0; i < COUNT(derived); i++) {
        const char *at = (const char *)&d + derived[i].offset;
        fprintf(out, "\n%s%s%s\n%s TETRIS_P_%s ", lg->c_open, derived[i].doc, lg->c_close, lg->def,
                derived[i].macro);
        switch (derived[i].type) {
        case D_INT: fprintf(out, "%d\n", *(const int *)at); break;
        case D_REAL: fprintf(out, "%s\n", fmt_real(buf, *(const double *)at)); break;
        case D_U64:
            fprintf(out, lg->u64, *(const uint64_t *)at);
            fputc('\n', out);
            break;
        }
    }
}

int tetris_config_write_macros(const tetris_config *cfg, enum tetris_header_lang lang, FILE *out)
{
    /* Validation also makes the name safe inside a string literal. */
    if ((unsigned)lang > TETRIS_HDR_VERILOG || tetris_config_validate(cfg, NULL, NULL))
        return TETRIS_EINVAL;
    const hdr_lang *lg = &langs[lang];
    uint64_t hash = tetris_config_hash(cfg);
    fprintf(out, "%s%s: parameters of the TETRIS configuration \"%s\"%s\n", lg->c_open, lg->file,
            cfg->name, lg->c_close);
    fprintf(out, "%s(hash %016" PRIx64 "), generated by tetris %s. Do not edit.%s\n", lg->c_open,
            hash, tetris_version(), lg->c_close);
    fprintf(out, "%sThe C and Verilog headers of one configuration carry the same values.%s\n",
            lg->c_open, lg->c_close);
    fprintf(out, "%s %s\n%s %s\n\n", lg->guard_if, lg->guard, lg->def, lg->guard);
    fprintf(out, "%s TETRIS_P_CONFIG_HASH ", lg->def);
    fprintf(out, lg->hash, hash);
    fprintf(out, "\n%s TETRIS_P_GENERATOR_VERSION \"%s\"\n", lg->def, tetris_version());
    for (size_t i = 0; i < N_PARAMS; i++)
        header_param(out, lg, &table[i], cfg);
    fprintf(out, "\n%s---- derived constants ----%s\n", lg->c_open, lg->c_close);
    header_derived(out, lg, cfg);
    fprintf(out, "\n%s %s%s%s\n", lg->guard_end, lg->c_open, lg->guard, lg->c_close);
    return finish(out);
}

int tetris_config_write_header(const tetris_config *cfg, FILE *out)
{
    return tetris_config_write_macros(cfg, TETRIS_HDR_C, out);
}
