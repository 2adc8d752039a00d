/**
 * @file tetris.h
 * @brief libtetris: the bit-accurate reference model of the TETRIS engine.
 *
 * One public header for the whole library. Every call takes an explicit
 * state or description struct; nothing is global. Calls that can fail return
 * 0 or a negative TETRIS_E* code and, where a tetris_error is passed, fill it
 * with one line of the form "FILE:LINE: FIELD: message".
 */
#ifndef TETRIS_H
#define TETRIS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------ */
/* Errors                                                                    */
/* ------------------------------------------------------------------------ */

/** Status codes returned by every fallible call (0 is success). */
enum tetris_status {
    TETRIS_OK = 0,
    TETRIS_EINVAL = -1,    /**< bad input: malformed file, unknown key, bad value */
    TETRIS_ENOMEM = -2,    /**< allocation failed */
    TETRIS_EIO = -3,       /**< file could not be read or written */
    TETRIS_EFIT = -4,      /**< a layer or blocking does not fit the hardware */
    TETRIS_EMISMATCH = -5, /**< model outputs differ */
};

/** One human-readable error line: "FILE:LINE: FIELD: message". */
typedef struct tetris_error {
    char msg[512];
} tetris_error;

/** Name of a status code, for messages. */
const char *tetris_strerror(int status);

/** Library version string (the package version). */
const char *tetris_version(void);

/* ------------------------------------------------------------------------ */
/* Accelerator configuration and its parameter table                         */
/* ------------------------------------------------------------------------ */

/** DRAM page policy of the vault controller. */
enum tetris_page_policy { TETRIS_PAGE_CLOSED = 0, TETRIS_PAGE_OPEN = 1 };

/** Where spilled partial sums are added (reference section 8). */
enum tetris_accum_loc {
    TETRIS_ACCUM_NONE = 0,       /**< no in-memory add: the engine reads psums back */
    TETRIS_ACCUM_CONTROLLER = 1, /**< adder in the vault controller (logic die) */
    TETRIS_ACCUM_DRAM_DIE = 2,   /**< adder on each DRAM die at the TSV interface */
    TETRIS_ACCUM_BANK = 3,       /**< adder at each bank's I/O */
};

/**
 * One engine's configuration (plus the vault grid). Every field is described
 * by exactly one row of the parameter table (tetris_params()), which drives
 * YAML parsing, defaults, validation, `tetris config --help`, docs/config.md
 * and the generated tetris_params.h.
 */
typedef struct tetris_config {
    char name[64];          /**< configuration name */
    double clock_mhz;       /**< engine clock, MHz */
    int vault_rows;         /**< vault grid rows (one engine per vault) */
    int vault_cols;         /**< vault grid columns */
    int array_h;            /**< PE array height (filter rows) */
    int array_w;            /**< PE array width (ofmap rows) */
    int max_kernel;         /**< widest filter row a PE supports (sliding window), words */
    int rf_filter_words;    /**< filter scratchpad per PE, words */
    int rf_ifmap_words;     /**< ifmap scratchpad per PE, words */
    int rf_psum_words;      /**< psum scratchpad per PE, accumulator words */
    int gbuf_bytes;         /**< global buffer size, bytes */
    int gbuf_banks;         /**< global buffer banks */
    int gbuf_bank_bits;     /**< width of one bank, bits */
    int word_bits;          /**< activation/weight width, bits (signed) */
    int acc_bits;           /**< accumulator width, bits (wraps modulo 2^acc_bits) */
    int frac_bits;          /**< fraction bits of activations and weights */
    int bus_filter_words;   /**< filter multicast bus, words per cycle */
    int bus_ifmap_words;    /**< ifmap multicast bus, words per cycle */
    int bus_psum_words;     /**< psum bus (column in/out), words per cycle */
    int dram_banks;         /**< banks per vault */
    int dram_rows;          /**< rows per bank */
    int dram_row_bytes;     /**< bytes per row (page) */
    int dram_burst_bytes;   /**< bytes per vault request (access granularity) */
    int dram_tck_ps;        /**< DRAM clock period, ps */
    int dram_trcd;          /**< ACT to READ/WRITE, DRAM cycles */
    int dram_tcl;           /**< READ to data, DRAM cycles */
    int dram_trp;           /**< PRE to ACT, DRAM cycles */
    int dram_tras;          /**< ACT to PRE, DRAM cycles */
    int dram_tccd;          /**< column command to column command, DRAM cycles */
    int dram_page_policy;   /**< enum tetris_page_policy */
    double vault_gbps;      /**< sustained vault bandwidth, GB/s */
    int accum;              /**< enum tetris_accum_loc */
    double e_mac_pj;        /**< energy of one MAC, pJ */
    double e_dram_pj;       /**< one DRAM word access (incl. TSV), pJ */
    double e_gbuf_pj;       /**< one GBUF word access, pJ */
    double e_array_pj;      /**< one word over the array bus to one PE, pJ */
    double e_rf_pj;         /**< one register-file word access, pJ */
    double e_noc_pj;        /**< one word over one NoC hop, pJ */
    double e_static_pj;     /**< static energy per engine per cycle, pJ */
} tetris_config;

/** Type of one parameter-table row. */
enum tetris_param_type {
    TETRIS_PT_INT = 0,  /**< int field */
    TETRIS_PT_REAL = 1, /**< double field */
    TETRIS_PT_ENUM = 2, /**< int field holding an index into enum_names */
    TETRIS_PT_STR = 3,  /**< char[64] field */
};

/** One row of the parameter table: the single source of truth for a field. */
typedef struct tetris_param {
    const char *key;               /**< dotted YAML key, e.g. "array.h" */
    enum tetris_param_type type;   /**< field type */
    size_t offset;                 /**< offsetof(tetris_config, field) */
    double def;                    /**< default (T-16); enum index for ENUM */
    double min, max;               /**< inclusive range (INT, REAL) */
    const char *const *enum_names; /**< NULL-terminated names (ENUM) */
    const char *unit;              /**< unit for docs, "" if none */
    const char *macro;             /**< name in tetris_params.h, e.g. "ARRAY_H" */
    const char *doc;               /**< one-line description */
} tetris_param;

/** The parameter table; *n receives its length. */
const tetris_param *tetris_params(size_t *n);

/** Fill cfg with the defaults of the parameter table (the T-16 engine). */
void tetris_config_defaults(tetris_config *cfg);

/** Load a YAML configuration over the defaults and validate it. */
int tetris_config_load(const char *path, tetris_config *cfg, tetris_error *err);

/** Set one parameter from text ("array.h", "8"): type, range and cross checks; cfg unchanged on error. */
int tetris_config_set(tetris_config *cfg, const char *key, const char *text, tetris_error *err);

/** Range and cross checks of a configuration (file names the source in messages). */
int tetris_config_validate(const tetris_config *cfg, const char *file, tetris_error *err);

/** Write the configuration as YAML (every parameter, table order). */
int tetris_config_write_yaml(const tetris_config *cfg, FILE *out);

/** Write docs/config.md: the configuration reference generated from the table. */
int tetris_config_write_doc(FILE *out);

/** Write `--help` text for every parameter (key, type, default, range, doc). */
int tetris_config_write_help(FILE *out);

/** Write tetris_params.h: every parameter and derived constant as a #define. */
int tetris_config_write_header(const tetris_config *cfg, FILE *out);

/** Languages of the generated parameter headers. */
enum tetris_header_lang { TETRIS_HDR_C = 0, TETRIS_HDR_VERILOG = 1 };

/** Write the parameter header in C (tetris_params.h) or Verilog (tetris_params.vh, `defines). */
int tetris_config_write_macros(const tetris_config *cfg, enum tetris_header_lang lang, FILE *out);

/** FNV-1a 64 hash of the canonical YAML of a configuration (names it in generated files). */
uint64_t tetris_config_hash(const tetris_config *cfg);

/** Constants derived from a configuration (shared by model, generator, tb). */
typedef struct tetris_derived {
    int pes;                 /**< array_h * array_w */
    int engines;             /**< vault_rows * vault_cols */
    int gbuf_words;          /**< gbuf_bytes / 2 (16-bit words) */
    int gbuf_bank_rows;      /**< rows of one GBUF bank */
    double vault_bytes_per_cycle; /**< vault bandwidth per engine clock cycle, bytes */
    uint64_t vault_capacity; /**< bytes per vault: banks * rows * row_bytes */
    int csr_addr_bits;       /**< address bits of the counter CSR port (TETRIS_CNT_COUNT counters) */
} tetris_derived;

/** Compute the derived constants of a configuration. */
void tetris_config_derive(const tetris_config *cfg, tetris_derived *d);

/* ------------------------------------------------------------------------ */
/* Networks                                                                  */
/* ------------------------------------------------------------------------ */

/** Layer kinds. FC is a CONV whose filter covers the whole ifmap. */
enum tetris_layer_type {
    TETRIS_LAYER_CONV = 0,
    TETRIS_LAYER_FC = 1,
    TETRIS_LAYER_MAXPOOL = 2,
    TETRIS_LAYER_AVGPOOL = 3,
    TETRIS_LAYER_RELU = 4, /**< stand-alone ReLU: a 1x1 max window with relu */
};

/** How a layer with several inputs combines them. */
enum tetris_merge { TETRIS_MERGE_CONCAT = 0, TETRIS_MERGE_ADD = 1 };

#define TETRIS_MAX_INPUTS 8
#define TETRIS_SHIFT_AUTO (-1) /**< output shift = the config's frac_bits (conv/fc) or 0 (pool) */

/** One layer with its resolved shapes. Pool layers have m == c. */
typedef struct tetris_layer {
    char name[64];
    enum tetris_layer_type type;
    int c, hi, wi;         /**< ifmap channels, height, width (unpadded) */
    int m, ho, wo;         /**< ofmap channels, height, width */
    int r, s;              /**< filter (window) height, width */
    int stride;            /**< stride, both axes */
    int pad;               /**< zero padding, both axes */
    int groups;            /**< channel groups (1 = dense) */
    int relu;              /**< apply ReLU in the output stage */
    int shift;             /**< output right shift, or TETRIS_SHIFT_AUTO */
    int bias;              /**< has a bias vector */
    int n_inputs;          /**< 0 = the network input */
    int inputs[TETRIS_MAX_INPUTS]; /**< indices of producer layers */
    enum tetris_merge merge;       /**< how several inputs combine */
    int line;              /**< line in the network file, for messages */
} tetris_layer;

/** A network: an input shape and a list of layers in topological order. */
typedef struct tetris_net {
    char name[64];
    int in_c, in_h, in_w;  /**< network input shape */
    int n_layers;
    tetris_layer *layers;  /**< n_layers entries, owned */
} tetris_net;

/** Load a network YAML file, resolve and check every shape. */
int tetris_net_load(const char *path, tetris_net *net, tetris_error *err);

/** Find a bundled network by name (e.g. "alexnet") in dir, then load it. */
int tetris_net_load_named(const char *name, const char *dir, tetris_net *net, tetris_error *err);

/** Index of the layer called name, or -1. */
int tetris_net_find(const tetris_net *net, const char *name);

/** Free a network's layers. */
void tetris_net_free(tetris_net *net);

/** MACs (or window operations for pooling) of one layer for a batch of n. */
uint64_t tetris_layer_macs(const tetris_layer *l, int n);

/** The layer's output shift under a configuration (resolves TETRIS_SHIFT_AUTO). */
int tetris_layer_shift(const tetris_layer *l, const tetris_config *cfg);

/* ------------------------------------------------------------------------ */
/* Fixed-point arithmetic primitives (docs/arith.md)                         */
/* ------------------------------------------------------------------------ */

/** The arithmetic of one configuration. */
typedef struct tetris_arith {
    int word_bits; /**< signed activation/weight width, 2..16 */
    int acc_bits;  /**< accumulator width, word_bits..32; sums wrap modulo 2^acc_bits */
    int frac_bits; /**< fraction bits (documentation of scale; shifts are explicit) */
} tetris_arith;

/** The arithmetic of a configuration. */
void tetris_arith_from_config(const tetris_config *cfg, tetris_arith *a);

/** Full-precision product of two words (fits 32 bits for word_bits <= 16). */
static inline int32_t tetris_mul(int16_t a, int16_t b)
{
    return (int32_t)a * (int32_t)b;
}

/** Wrap a value to acc_bits: keep the low acc_bits bits, sign-extend. */
static inline int32_t tetris_wrap(const tetris_arith *a, uint32_t v)
{
    uint32_t mask = 0xFFFFFFFFu >> (32 - a->acc_bits);
    uint32_t sign = 1u << (a->acc_bits - 1);
    /* (x ^ sign) - sign sign-extends the low bits without a signed shift */
    return (int32_t)(((v & mask) ^ sign) - sign);
}

/** Accumulator add: acc + x modulo 2^acc_bits. */
static inline int32_t tetris_acc_add(const tetris_arith *a, int32_t acc, int32_t x)
{
    return tetris_wrap(a, (uint32_t)acc + (uint32_t)x);
}

/** Saturate to the signed word range. */
static inline int16_t tetris_sat(const tetris_arith *a, int64_t v)
{
    int64_t hi = ((int64_t)1 << (a->word_bits - 1)) - 1;
    int64_t lo = -hi - 1;
    return (int16_t)(v > hi ? hi : v < lo ? lo : v);
}

/** Arithmetic right shift with round-half-up (ties toward +inf); shift 0..62, |v| < 2^62. */
static inline int64_t tetris_round_shift(int64_t v, int shift)
{
    if (shift == 0)
        return v;
    int64_t t = v + ((int64_t)1 << (shift - 1));
    /* floor(t / 2^shift) without shifting a negative value: for t < 0,
     * ~t = -t - 1 >= 0 and floor(t / 2^k) = ~(~t >> k) */
    return t >= 0 ? t >> shift : ~(~t >> shift);
}

/** Output stage: shift with round-half-up, saturate to the word, optional ReLU. */
static inline int16_t tetris_out_stage(const tetris_arith *a, int32_t acc, int shift, int relu)
{
    int16_t y = tetris_sat(a, tetris_round_shift(acc, shift));
    return (relu && y < 0) ? 0 : y;
}

#define TETRIS_AVG_FRAC 16 /**< fraction bits of the average-pool reciprocal */

/** Average-pool multiplier: round(2^16 / area). */
static inline int32_t tetris_avg_mult(int area)
{
    return (int32_t)((((int64_t)1 << TETRIS_AVG_FRAC) + area / 2) / area);
}

/** Average-pool output: (sum * mult) >> 16 with round-half-up, then saturate, ReLU. */
static inline int16_t tetris_avg_out(const tetris_arith *a, int32_t sum, int area, int relu)
{
    int16_t y = tetris_sat(a, tetris_round_shift((int64_t)sum * tetris_avg_mult(area), TETRIS_AVG_FRAC));
    return (relu && y < 0) ? 0 : y;
}

/** Smallest word value: the identity of max pooling. */
static inline int16_t tetris_word_min(const tetris_arith *a)
{
    return (int16_t)(-((int32_t)1 << (a->word_bits - 1)));
}

/* ------------------------------------------------------------------------ */
/* Tensors, layer data, golden model                                         */
/* ------------------------------------------------------------------------ */

/** Element type of a tensor file. */
enum tetris_dtype { TETRIS_I16 = 0, TETRIS_I32 = 1 };

/** A dense row-major tensor of up to 4 dimensions. */
typedef struct tetris_tensor {
    enum tetris_dtype dtype;
    int ndim;
    int64_t dims[4];
    void *data; /**< owned when allocated by the library */
} tetris_tensor;

/** Number of elements of a tensor. */
size_t tetris_tensor_count(const tetris_tensor *t);

/** Write a tensor as a NumPy .npy file (little-endian <i2 or <i4, C order). */
int tetris_npy_write(const char *path, const tetris_tensor *t, tetris_error *err);

/** Read a .npy file of <i2 or <i4 into a newly allocated tensor. */
int tetris_npy_read(const char *path, tetris_tensor *t, tetris_error *err);

/** Free a tensor's data. */
void tetris_tensor_free(tetris_tensor *t);

/** CRC-32 (IEEE 802.3, as zlib) of a buffer. */
uint32_t tetris_crc32(const void *buf, size_t len);

/** All data of one layer run: batch n; tensors in N-C-H-W order. */
typedef struct tetris_layer_data {
    int n;
    int16_t *ifmap;  /**< [n][c][hi][wi] */
    int16_t *filter; /**< [m][c/groups][r][s]; NULL for pooling and ReLU */
    int32_t *bias;   /**< [m] at accumulator scale; NULL without bias */
    int16_t *ofmap;  /**< [n][m][ho][wo] */
} tetris_layer_data;

/** Allocate (zeroed) the tensors of a layer for batch n. */
int tetris_layer_data_alloc(const tetris_layer *l, int n, tetris_layer_data *d);

/**
 * Fill ifmap, filter and bias with deterministic pseudo-random values from
 * (seed, stream): the same seed gives the same data on every machine.
 */
void tetris_layer_data_random(const tetris_layer *l, const tetris_arith *a, uint64_t seed,
                              uint64_t stream, tetris_layer_data *d);

/** Free a layer's tensors. */
void tetris_layer_data_free(tetris_layer_data *d);

/** Write a layer's tensors as DIR/LAYER.ifmap.npy, .filter.npy, .bias.npy, .ofmap.npy. */
int tetris_layer_data_save(const tetris_layer *l, const tetris_layer_data *d, const char *dir,
                           tetris_error *err);

/**
 * Read a layer's inputs from DIR/LAYER.ifmap.npy (int16 [n][c][hi][wi]; n is
 * the batch), .filter.npy (int16 [m][c/groups][r][s]) and .bias.npy (int32
 * [m]) where the layer has them; every shape is checked. Allocates d.
 */
int tetris_layer_data_load(const tetris_layer *l, const char *dir, tetris_layer_data *d,
                           tetris_error *err);

/**
 * Golden model: compute d->ofmap from d->ifmap, d->filter, d->bias with the
 * fixed-point semantics of docs/arith.md. shift is the resolved output shift.
 */
int tetris_golden_layer(const tetris_layer *l, const tetris_arith *a, int shift, tetris_layer_data *d);

/* ------------------------------------------------------------------------ */
/* Event counters (engine model and RTL use the same names)                  */
/* ------------------------------------------------------------------------ */

/** X-macro of every counted event: X(ENUM_SUFFIX, "name", "description"). */
#define TETRIS_COUNTERS(X)                                                        \
    X(CYCLES, "cycles", "engine clock cycles")                                    \
    X(INSNS, "insns", "instructions executed")                                    \
    X(PASSES, "passes", "processing passes")                                      \
    X(MACS, "macs", "multiply-accumulates (window operations for pooling)")       \
    X(RF_RD_FILTER, "rf_rd_filter", "filter scratchpad reads")                    \
    X(RF_WR_FILTER, "rf_wr_filter", "filter scratchpad writes")                   \
    X(RF_RD_IFMAP, "rf_rd_ifmap", "ifmap scratchpad reads")                       \
    X(RF_WR_IFMAP, "rf_wr_ifmap", "ifmap scratchpad writes")                      \
    X(RF_RD_PSUM, "rf_rd_psum", "psum scratchpad reads")                          \
    X(RF_WR_PSUM, "rf_wr_psum", "psum scratchpad writes")                         \
    X(BUS_FILTER, "bus_filter", "filter words multicast on the array bus")        \
    X(BUS_IFMAP, "bus_ifmap", "ifmap words multicast on the array bus")           \
    X(BUS_PSUM_IN, "bus_psum_in", "psum words entering the tops of columns")      \
    X(BUS_PSUM_OUT, "bus_psum_out", "psum words leaving the bottoms of columns")  \
    X(PSUM_HOPS, "psum_hops", "psum words passed down between PEs")               \
    X(GBUF_RD_IFMAP, "gbuf_rd_ifmap", "GBUF ifmap word reads")                    \
    X(GBUF_WR_IFMAP, "gbuf_wr_ifmap", "GBUF ifmap word writes")                   \
    X(GBUF_RD_FILTER, "gbuf_rd_filter", "GBUF filter word reads")                 \
    X(GBUF_WR_FILTER, "gbuf_wr_filter", "GBUF filter word writes")                \
    X(GBUF_RD_PSUM, "gbuf_rd_psum", "GBUF psum reads")                            \
    X(GBUF_WR_PSUM, "gbuf_wr_psum", "GBUF psum writes")                           \
    X(VAULT_RD_IFMAP, "vault_rd_ifmap", "vault ifmap word reads")                 \
    X(VAULT_RD_FILTER, "vault_rd_filter", "vault filter word reads")              \
    X(VAULT_RD_BIAS, "vault_rd_bias", "vault bias reads")                         \
    X(VAULT_RD_PSUM, "vault_rd_psum", "vault psum reads")                         \
    X(VAULT_WR_PSUM, "vault_wr_psum", "vault psum plain writes")                  \
    X(VAULT_ACC_PSUM, "vault_acc_psum", "vault psum accumulate requests (words)") \
    X(VAULT_WR_OFMAP, "vault_wr_ofmap", "vault ofmap word writes")

/** Counter indices. */
enum tetris_counter {
#define TETRIS_X_ENUM(e, n, d) TETRIS_CNT_##e,
    TETRIS_COUNTERS(TETRIS_X_ENUM)
#undef TETRIS_X_ENUM
    TETRIS_CNT_COUNT
};

/** A set of event counts; counts of several engines add element-wise. */
typedef struct tetris_counters {
    uint64_t v[TETRIS_CNT_COUNT];
} tetris_counters;

/** Name of a counter ("macs", "rf_rd_filter", ...). */
const char *tetris_counter_name(enum tetris_counter c);

/** Description of a counter. */
const char *tetris_counter_doc(enum tetris_counter c);

/** Add src into dst element-wise. */
void tetris_counters_add(tetris_counters *dst, const tetris_counters *src);

/** Energy of a set of counts, by component (pJ). */
typedef struct tetris_energy {
    double mac, rf, array, gbuf, dram, noc, stat, total;
} tetris_energy;

/** Energy = cost table (cfg) . counts (docs/isa.md gives the mapping). */
void tetris_energy_of(const tetris_config *cfg, const tetris_counters *c, tetris_energy *e);

/* ------------------------------------------------------------------------ */
/* Row-stationary mapping, loop blocking, instruction set, compiler          */
/* ------------------------------------------------------------------------ */

/** Row-stationary fit of one layer onto the H x W array (reference section 5). */
typedef struct tetris_mapping {
    int rows_per_set;  /**< filter rows mapped per pass: min(r, H) */
    int fold_h;        /**< passes over filter rows: ceil(r / H) */
    int rep_h;         /**< height replicas (extra ifmap channels): H / r if r <= H, else 1 */
    int cols_per_set;  /**< ofmap rows mapped per pass: min(ho, W) */
    int fold_w;        /**< passes over ofmap rows: ceil(ho / W) */
    int rep_w;         /**< width replicas (extra ofmap channels): W / ho if ho <= W, else 1 */
    int active_pes;    /**< PEs busy in a full pass */
} tetris_mapping;

/** Compute the row-stationary mapping of a layer; EFIT if it cannot map. */
int tetris_map_layer(const tetris_layer *l, const tetris_config *cfg, tetris_mapping *map,
                     tetris_error *err);

/** Data types of the three loop-nest tensors. */
enum tetris_dtype3 { TETRIS_T_IFMAP = 0, TETRIS_T_OFMAP = 1, TETRIS_T_FILTER = 2 };

/** Loop dimensions outside the 2D convolution. */
enum tetris_dim { TETRIS_DIM_C = 0, TETRIS_DIM_M = 1, TETRIS_DIM_N = 2 };

/**
 * A loop blocking (schedule) of one layer. The GBUF-resident type is loaded
 * into the GBUF per GBUF block; the other two stream from the vault straight
 * to the register files (bypass). Sizes are per group for grouped layers.
 */
typedef struct tetris_blocking {
    enum tetris_dtype3 resident; /**< the one type kept in the GBUF */
    int gb[3];                   /**< GBUF block: channels C, M, images N (index by tetris_dim) */
    int gb_order[3];             /**< GBUF-block loop order, outermost first (tetris_dim) */
    int rf[3];                   /**< per-PE RF block: channels C, M, images N per pass */
    int pass_order[3];           /**< pass loop order inside a GBUF block, outermost first */
} tetris_blocking;

/** Check a blocking against the layer, mapping and capacities; EFIT with a reason. */
int tetris_blocking_check(const tetris_layer *l, int batch, const tetris_config *cfg,
                          const tetris_blocking *b, tetris_error *err);

/** A valid default blocking (the scheduler issue replaces this with the optimum). */
int tetris_blocking_default(const tetris_layer *l, int batch, const tetris_config *cfg,
                            tetris_blocking *b, tetris_error *err);

/** One 128-bit instruction (docs/isa.md). */
typedef struct tetris_insn {
    uint32_t w[4];
} tetris_insn;

/** A program: a flat list of instructions. */
typedef struct tetris_program {
    tetris_insn *insn;
    size_t n, cap;
} tetris_program;

/** Free a program. */
void tetris_program_free(tetris_program *p);

/** Print a program in assembly form. */
int tetris_program_disasm(const tetris_program *p, FILE *out);

/** Byte addresses of one layer's tensors in vault memory (docs/isa.md). */
typedef struct tetris_vault_layout {
    uint64_t ifmap;  /**< int16 [n][c][hi][wi] */
    uint64_t filter; /**< int16 [m][c/g][r][s] */
    uint64_t bias;   /**< int32 [m] */
    uint64_t psum;   /**< int32 [n][ho][wo][m] spill area (channel-last) */
    uint64_t ofmap;  /**< int16 [n][m][ho][wo] */
    uint64_t end;    /**< first byte past the layer's data */
} tetris_vault_layout;

/** Compile one layer (batch, blocking) to a program and a vault layout. */
int tetris_compile(const tetris_layer *l, int batch, const tetris_config *cfg, int shift,
                   const tetris_blocking *b, tetris_program *prog, tetris_vault_layout *lay,
                   tetris_error *err);

/* ------------------------------------------------------------------------ */
/* Engine model                                                              */
/* ------------------------------------------------------------------------ */

/** The engine model of one vault (opaque state). */
typedef struct tetris_engine tetris_engine;

/** Create an engine with vault_bytes of vault memory. */
int tetris_engine_create(const tetris_config *cfg, uint64_t vault_bytes, tetris_engine **out);

/** Free an engine. */
void tetris_engine_destroy(tetris_engine *e);

/** Vault memory of the engine (byte-addressed, little-endian words). */
uint8_t *tetris_engine_vault(tetris_engine *e, uint64_t *bytes);

/** Clear counters (vault contents stay). */
void tetris_engine_reset_counters(tetris_engine *e);

/** Run a program to its END instruction; counts accumulate. */
int tetris_engine_run(tetris_engine *e, const tetris_program *p, tetris_error *err);

/**
 * Track, for the first `elements` ofmap elements ([n][m][y][x] order), which
 * instruction last wrote each (0 switches tracking off).
 */
int tetris_engine_track_ofmap(tetris_engine *e, uint64_t elements);

/** Index of the instruction that last wrote ofmap element index; -1 if none or untracked. */
int64_t tetris_engine_ofmap_writer(const tetris_engine *e, uint64_t index);

/** Record the cycles of each of the first n instructions in later runs (0 switches it off). */
int tetris_engine_track_insns(tetris_engine *e, size_t n);

/** The cycles of instruction pc in the last run; 0 if it did not run or is untracked. */
uint64_t tetris_engine_insn_cycles(const tetris_engine *e, size_t pc);

/** The engine's event counters. */
const tetris_counters *tetris_engine_counters(const tetris_engine *e);

/** Host: write a layer's ifmap, filter and bias into vault memory at the layout. */
int tetris_vault_put_inputs(tetris_engine *e, const tetris_layer *l, const tetris_vault_layout *lay,
                            const tetris_layer_data *d);

/** Host: read the layer's ofmap from vault memory into d->ofmap. */
int tetris_vault_get_ofmap(tetris_engine *e, const tetris_layer *l, const tetris_vault_layout *lay,
                           tetris_layer_data *d);

/* ------------------------------------------------------------------------ */
/* Layer runs (what `tetris run` does per layer)                             */
/* ------------------------------------------------------------------------ */

/** Result of running one layer on the engine model against the golden model. */
typedef struct tetris_layer_result {
    uint64_t macs;          /**< MACs of the layer */
    double utilization;     /**< MACs / (cycles * PEs) */
    tetris_counters counts; /**< engine-model events */
    tetris_energy energy;   /**< energy from the config's cost table */
    uint32_t crc_golden;    /**< CRC-32 of the golden ofmap */
    uint32_t crc_engine;    /**< CRC-32 of the engine ofmap */
    int pass;               /**< ofmaps identical */
    int64_t first_diff;     /**< index of the first differing element, -1 if none */
    tetris_blocking blocking; /**< the blocking used */
    tetris_mapping mapping;   /**< the row-stationary mapping */
    double golden_seconds;  /**< wall time of the golden model */
    double engine_seconds;  /**< wall time of the engine model */
} tetris_layer_result;

/**
 * Run the golden and engine models on the inputs in d (batch d->n) and
 * compare; d->ofmap receives the golden output.
 */
int tetris_run_layer_data(const tetris_config *cfg, const tetris_layer *l, tetris_layer_data *d,
                          tetris_layer_result *res, tetris_error *err);

/** Generate seeded data, run the golden and engine models on one layer, compare. */
int tetris_run_layer(const tetris_config *cfg, const tetris_layer *l, int batch, uint64_t seed,
                     uint64_t stream, tetris_layer_result *res, tetris_error *err);

/* ------------------------------------------------------------------------ */
/* Layer jobs: one layer prepared for a run on the RTL (docs/cosim.md)        */
/* ------------------------------------------------------------------------ */

/**
 * One layer ready for the RTL: the vault image the host writes before the
 * run, and what the golden and engine models expect after it.
 */
typedef struct tetris_job {
    tetris_layer layer;        /**< the layer */
    int batch;                 /**< images */
    tetris_program prog;       /**< the compiled program */
    tetris_vault_layout lay;   /**< tensor addresses in the vault */
    uint64_t prog_base;        /**< vault byte address of instruction 0 (64-byte aligned, >= lay.end) */
    uint64_t image_bytes;      /**< prog_base + 16 * prog.n */
    uint8_t *image;            /**< vault bytes [0, image_bytes) before the run: inputs, program */
    uint8_t *expect;           /**< the engine model's vault bytes [lay.psum, lay.end) after the run */
    int32_t *writer;           /**< per ofmap element, the instruction that last wrote it (-1 none) */
    uint64_t *insn_cycles;     /**< per instruction, the engine model's cycles */
    tetris_layer_data data;    /**< the inputs; data.ofmap holds the golden ofmap */
    tetris_layer_result res;   /**< golden against engine model: counts, cycles, mapping, blocking */
} tetris_job;

/**
 * Prepare a job from the inputs in d (taken over: the job frees them):
 * map, block and compile the layer, run the golden and engine models.
 */
int tetris_job_prepare(const tetris_config *cfg, const tetris_layer *l, tetris_layer_data *d,
                       tetris_job *job, tetris_error *err);

/** Free a job. */
void tetris_job_free(tetris_job *job);

/** Where an RTL's results first differ from the models'. */
typedef struct tetris_mismatch {
    int64_t index;          /**< ofmap element [n][m][y][x], -1 when every ofmap element agrees */
    int n, m, y, x;         /**< its coordinates */
    int16_t expect, actual; /**< golden and RTL values */
    int64_t pc;             /**< the instruction that wrote it in the engine model, -1 none */
    int64_t byte;           /**< first vault byte in [lay.psum, lay.end) that differs from the engine model's, -1 none */
} tetris_mismatch;

/**
 * Compare the vault bytes [lay.psum, lay.end) read back from the RTL with the
 * golden ofmap and with the engine model's vault. Returns 0 when all agree,
 * 1 when they differ (mm says where).
 */
int tetris_job_check(const tetris_job *job, const uint8_t *region, tetris_mismatch *mm);

/**
 * Write a prepared job as FPGA bring-up vectors into dir (created if missing;
 * docs/cosim.md): image.hex, expect.hex and counters.hex for $readmemh,
 * params.vh, the self-checking testbench tb_vectors.v, run.sh (Icarus) and the
 * layer's .npy tensors. The testbench needs the configuration's generated RTL
 * in dir/rtl, which the caller writes. cfg is the configuration the job was
 * prepared with; TETRIS_EMISMATCH when the engine model disagrees with the
 * golden model (nothing written), TETRIS_EIO when a file cannot be written.
 */
int tetris_job_write_vectors(const tetris_config *cfg, const tetris_job *job, const char *dir,
                             tetris_error *err);

/* ------------------------------------------------------------------------ */
/* Block models for the RTL unit testbenches                                 */
/* ------------------------------------------------------------------------ */

/** One PE's work in one pass (docs/rtl.md, tetris_pe). */
typedef struct tetris_pe_cfg {
    int op;         /**< 0 MAC, 1 max, 2 add (average pool) */
    int s;          /**< filter (window) width, 1..max_kernel */
    int u;          /**< stride */
    int wo;         /**< output columns */
    int bc, bm, bn; /**< RF block: channels, ofmap channels, images (pooling: bc = 1, channel = m) */
} tetris_pe_cfg;

/**
 * Model of tetris_pe over one pass. filter: bm*bc*s words in load order
 * [m][c][s] (NULL for pooling). ifmap: the stream order of the PE's ifmap
 * bus: the first s-word window of every (ch, n) in [ch][n] order, then for
 * each output column x >= 1 the min(u, s) new words of every (ch, n); ch runs
 * over bc channels (bm for pooling). psum_in and psum_out are [wo][bm][bn]:
 * psum_out = psum_in + the PE's sums (max for op 1), wrapped to acc_bits.
 */
int tetris_pe_model(const tetris_arith *a, const tetris_pe_cfg *c, const int16_t *filter,
                    const int16_t *ifmap, const int32_t *psum_in, int32_t *psum_out);

/** Words of the ifmap stream of one PE pass (the length tetris_pe_model reads). */
size_t tetris_pe_ifmap_words(const tetris_pe_cfg *c);

/* ---- Vault DRAM (docs/vault.md, tetris_vault_ctrl, tetris_dram_accum) ---- */

/** Commands on the vault controller's DRAM-side interface (dram_cmd). */
enum tetris_dram_cmd {
    TETRIS_DRAM_NOP = 0,
    TETRIS_DRAM_ACT = 1, /**< open a row of a bank */
    TETRIS_DRAM_RD = 2,  /**< read one burst of the open row; data tCL later */
    TETRIS_DRAM_WR = 3,  /**< write one burst (with lane mask) into the open row */
    TETRIS_DRAM_PRE = 4, /**< close the bank's open row */
    TETRIS_DRAM_ACC = 5, /**< add one burst lane-wise into the open row (device adder) */
};

/**
 * Vault DRAM timings in engine cycles: each DRAM-cycle count n of the
 * configuration becomes ceil(n * dram.tck_ps / (1e6 / clock_mhz)).
 */
typedef struct tetris_dram_timing {
    int trcd; /**< ACT to RD/WR/ACC of the bank */
    int tcl;  /**< RD to read data */
    int trp;  /**< PRE to ACT of the bank */
    int tras; /**< ACT to PRE of the bank */
    int tccd; /**< column command to column command, any banks */
    int tacc; /**< ACC to the bank's next column command or PRE: tcl + tccd */
} tetris_dram_timing;

/** Engine cycles of n DRAM cycles (n >= 1 gives at least 1). */
int tetris_dram_cycles(const tetris_config *cfg, int n);

/** All DRAM timings of a configuration in engine cycles. */
void tetris_dram_timing_of(const tetris_config *cfg, tetris_dram_timing *t);

/**
 * The controller's address mapping: byte address = {row, bank, column,
 * byte in burst}, column = burst index within the row. EINVAL when addr is
 * not burst-aligned, lies outside the vault or does not fit the controller's
 * 32-bit request address.
 */
int tetris_vault_addr_decode(const tetris_config *cfg, uint64_t addr, int *bank, int *row,
                             int *col);

/**
 * The near-bank adder (tetris_dram_accum). mask is the request's write mask
 * of burst_bytes / 2 bits, one per 16-bit lane (bit i % 8 of byte i / 8;
 * NULL: all bits). For each 32-bit little-endian lane i whose bit 2i is set,
 * mem lane = tetris_acc_add(mem lane, data lane); other lanes keep their
 * bytes. An accumulate sets both bits of a lane (2i and 2i + 1); bit 2i + 1
 * is ignored, so a lane with only bit 2i set is added whole and one with only
 * bit 2i + 1 set is left alone.
 */
void tetris_dram_accum(const tetris_arith *a, int burst_bytes, uint8_t *mem, const uint8_t *data,
                       const uint8_t *mask);

/** Violations reported by the DRAM protocol checker (0: legal). */
enum tetris_dram_violation {
    TETRIS_DRAM_LEGAL = 0,
    TETRIS_DRAM_V_CMD = 1,   /**< unknown command, or bank, row or column out of range */
    TETRIS_DRAM_V_BUS = 2,   /**< two commands in one cycle, or cycles going backwards */
    TETRIS_DRAM_V_NOACC = 3, /**< ACC without a DRAM-side adder (accum none or controller) */
    TETRIS_DRAM_V_STATE = 4, /**< ACT to an open bank; RD/WR/ACC/PRE to a closed bank;
                                  RD/WR/ACC to a row that is not the open one */
    TETRIS_DRAM_V_TRCD = 5,  /**< column command too soon after the bank's ACT */
    TETRIS_DRAM_V_TRP = 6,   /**< ACT too soon after the bank's PRE */
    TETRIS_DRAM_V_TRAS = 7,  /**< PRE too soon after the bank's ACT */
    TETRIS_DRAM_V_TCCD = 8,  /**< column command too soon after any column command, or PRE
                                  within tccd of the bank's last RD/WR (its burst) */
    TETRIS_DRAM_V_TACC = 9,  /**< column command or PRE to a bank within tacc of its ACC */
};

/** Checker of the DRAM command stream of one vault (opaque). */
typedef struct tetris_dram_checker tetris_dram_checker;

/** Create a checker for cfg's vault (all banks closed, no history). */
int tetris_dram_checker_create(const tetris_config *cfg, tetris_dram_checker **out);

/** Free a checker. */
void tetris_dram_checker_destroy(tetris_dram_checker *c);

/**
 * Check one command (enum tetris_dram_cmd) issued at engine cycle `cycle`;
 * row matters for ACT, RD, WR and ACC (the open row), col for RD, WR and ACC.
 * Returns 0 and applies the command, or a tetris_dram_violation and leaves
 * the state as it was; tetris_dram_checker_msg() then names the rule, e.g.
 * "cycle 40: bank 3: RD 5 cycles after ACT, tRCD is 7".
 */
int tetris_dram_checker_cmd(tetris_dram_checker *c, uint64_t cycle, int cmd, int bank, int row,
                            int col);

/** The message of the last violation ("" before any). */
const char *tetris_dram_checker_msg(const tetris_dram_checker *c);

/** Requests of the controller's engine-side port (req_op). */
enum tetris_vault_op { TETRIS_VAULT_RD = 0, TETRIS_VAULT_WR = 1, TETRIS_VAULT_ACC = 2 };

/**
 * Functional vault memory: what each request does to the vault, without
 * timing (opaque). Every call works on one burst at a byte address and
 * returns EINVAL, changing nothing, for a request the controller rejects with
 * err: an address tetris_vault_addr_decode() rejects, or (accumulate) accum
 * none. Masks are the port's req_wmask: burst_bytes / 2 bits, one per 16-bit
 * lane, bit i % 8 of byte i / 8; NULL sets every bit.
 */
typedef struct tetris_vault_mem tetris_vault_mem;

/** Create a zeroed memory of the vault's capacity (dram.banks * dram.rows * dram.row_bytes). */
int tetris_vault_mem_create(const tetris_config *cfg, tetris_vault_mem **out);

/** Free a vault memory. */
void tetris_vault_mem_destroy(tetris_vault_mem *m);

/** Read one burst into data. */
int tetris_vault_mem_read(const tetris_vault_mem *m, uint64_t addr, uint8_t *data);

/** Write one burst: 16-bit lane i (bytes 2i, 2i + 1) when mask bit i is set. */
int tetris_vault_mem_write(tetris_vault_mem *m, uint64_t addr, const uint8_t *data,
                           const uint8_t *mask);

/** Accumulate one burst: 32-bit lane i adds data at acc_bits when mask bit 2i is set
 *  (tetris_dram_accum). */
int tetris_vault_mem_accum(tetris_vault_mem *m, uint64_t addr, const uint8_t *data,
                           const uint8_t *mask);

/** Request queue entries of tetris_vault_ctrl (the generator's choice, 2^n). */
#define TETRIS_VAULT_QDEPTH 8

/**
 * Cycle model of tetris_vault_ctrl's scheduler (opaque): which request it
 * takes and which DRAM command it issues in every engine cycle, by the rules
 * of docs/vault.md, "Scheduling". It keeps no data; the functional side is
 * tetris_vault_mem. The engine model times vault traffic with it, and
 * tb_vault_ctrl holds the RTL to it command by command.
 */
typedef struct tetris_vault_sched tetris_vault_sched;

/** What one cycle of tetris_vault_sched_step did. */
typedef struct tetris_vault_step {
    int taken;   /**< the offered request entered the queue (req_valid && req_ready) */
    int cmd;     /**< enum tetris_dram_cmd issued this cycle (on dram_cmd one cycle later) */
    int bank;    /**< its bank */
    int row;     /**< ACT: the row opened; RD, WR, ACC: the open row */
    int col;     /**< RD, WR, ACC: the burst within the row */
    int done;    /**< the head request completed (its last column command) */
    int rsp;     /**< a read response is on rsp_valid this cycle */
} tetris_vault_step;

/** Create a scheduler for cfg's vault: empty queue, banks closed, cycle 0. */
int tetris_vault_sched_create(const tetris_config *cfg, tetris_vault_sched **out);

/** Free a scheduler. */
void tetris_vault_sched_destroy(tetris_vault_sched *s);

/** req_ready in the current cycle: a queue entry is free. */
int tetris_vault_sched_ready(const tetris_vault_sched *s);

/** idle in the current cycle: nothing queued, no read in flight, no response pending. */
int tetris_vault_sched_idle(const tetris_vault_sched *s);

/**
 * Run one engine cycle. valid/op/addr are the request offered on the port
 * this cycle (op enum tetris_vault_op, addr burst-aligned and inside the
 * vault); it is taken when a queue entry is free. Returns 0, or EINVAL (state
 * unchanged) for a request the controller would reject, checked in the cycles
 * it could be taken (the RTL looks at a request only when req_ready is high).
 */
int tetris_vault_sched_step(tetris_vault_sched *s, int valid, int op, uint64_t addr,
                            tetris_vault_step *st);

/** The number of cycles stepped so far. */
uint64_t tetris_vault_sched_cycle(const tetris_vault_sched *s);

/**
 * Run n engine cycles without requests: stepped while the controller has
 * work, the rest at once (an idle controller only lets its timers expire).
 */
void tetris_vault_sched_wait(tetris_vault_sched *s, uint64_t n);

/* ------------------------------------------------------------------------ */
/* tetris_gbuf: banked global buffer, cycle-level model (tb/tb_gbuf.cpp)     */
/* ------------------------------------------------------------------------ */

/** Request ports of tetris_gbuf, highest priority first. */
enum tetris_gbuf_port {
    TETRIS_GBUF_P_DMA = 0,    /**< LOAD/STORE: writes from the vault, reads for STORE */
    TETRIS_GBUF_P_FILTER = 1, /**< filter stream reads */
    TETRIS_GBUF_P_IFMAP = 2,  /**< ifmap stream reads */
    TETRIS_GBUF_P_PSUM = 3,   /**< psum reads and writes */
    TETRIS_GBUF_PORTS = 4
};

/** Most 16-bit words in one bank row (gbuf.bank_bits <= 512). */
#define TETRIS_GBUF_MAX_WPR 32

/** Geometry of tetris_gbuf: the generator's parameters and the address map. */
typedef struct tetris_gbuf_geom {
    int banks;     /**< BANKS = gbuf.banks */
    int width;     /**< WIDTH = gbuf.bank_bits, bits of a bank row */
    int wpr;       /**< words per bank row: width / 16 */
    int depth;     /**< DEPTH, rows per bank: gbuf.bytes / (banks * width / 8) */
    int words;     /**< addressable 16-bit words: gbuf.bytes / 2 */
    int addr_bits; /**< AW, width of a port's word address: clog2(words), at least 1 */
    int row_bits;  /**< width of a bank-row address: clog2(depth), at least 1 */
} tetris_gbuf_geom;

/** The geometry of a (valid) configuration's GBUF. */
void tetris_gbuf_geom_of(const tetris_config *cfg, tetris_gbuf_geom *g);

/**
 * Address map: word address addr lies in row r = addr / wpr, which is row
 * r / banks of bank r % banks (rows interleave over the banks).
 */
void tetris_gbuf_locate(const tetris_gbuf_geom *g, uint32_t addr, int *bank, int *bank_row);

/** The word address of word `word` of row bank_row of bank `bank`. */
uint32_t tetris_gbuf_addr(const tetris_gbuf_geom *g, int bank, int bank_row, int word);

/** Most vault lines a stream word port keeps (tetris_rdport, tetris_wrport). */
#define TETRIS_PORT_MAX_LINES 64
/** Vault lines of the DMA's word ports: a LOAD or STORE walks contiguous segments. */
#define TETRIS_PORT_DMA_LINES 4
/** Vault fetches a stream reader (tetris_rdport) keeps outstanding per source. */
#define TETRIS_PORT_OUTS 4
/** Words a stream reader (tetris_rdport) looks up ahead of its responses. */
#define TETRIS_PORT_QDEPTH 32

/**
 * Vault lines (bursts) a stream word reader keeps: the rows a pass walks
 * before it returns to one of them. Per output column x the ifmap stream
 * visits every (channel, image, ifmap row) of the pass: at most
 * rf.ifmap_words (channel, image) pairs (bc * bn * s <= rf.ifmap_words) times
 * array.h + array.w - 1 ifmap rows (stride 1); the psum-in stream every
 * (column, ofmap channel, image): array.w * rf.psum_words (bm * bn <=
 * rf.psum_words); the filter stream the filter rows of one array row: at
 * most rf.filter_words. The largest of the three, between
 * TETRIS_PORT_DMA_LINES and TETRIS_PORT_MAX_LINES.
 */
int tetris_rdport_lines(const tetris_config *cfg);

/**
 * Vault lines a stream word writer keeps open: the psum-out stream writes
 * every (column, ofmap channel, image) row per output column, at most
 * array.w * rf.psum_words, between TETRIS_PORT_DMA_LINES and
 * TETRIS_PORT_MAX_LINES.
 */
int tetris_wrport_lines(const tetris_config *cfg);

/** A port's inputs in one cycle. Row word i is bits [16i+15:16i] of a bank row. */
typedef struct tetris_gbuf_req {
    int valid;       /**< pX_valid */
    int we;          /**< pX_we: write (else read) */
    uint32_t addr;   /**< pX_addr: word address, < 2^addr_bits; < words when valid */
    uint32_t wmask;  /**< pX_wmask: bit i writes row word i (writes only), < 2^wpr */
    uint16_t wdata[TETRIS_GBUF_MAX_WPR]; /**< pX_wdata: the row, words 0 .. wpr-1 */
} tetris_gbuf_req;

/** A port's outputs in one cycle. */
typedef struct tetris_gbuf_rsp {
    int ready;    /**< pX_ready: no higher-priority valid port wants this bank */
    int conflict; /**< conflict[X]: valid and not ready */
    int rvalid;   /**< pX_rvalid: the read granted in the previous cycle returns */
    uint16_t rdata[TETRIS_GBUF_MAX_WPR]; /**< pX_rdata: the whole row; zero unless rvalid */
} tetris_gbuf_rsp;

/** All inputs of tetris_gbuf in one cycle. */
typedef struct tetris_gbuf_in {
    int reset;                               /**< rst_n low: synchronous reset of the registers */
    tetris_gbuf_req port[TETRIS_GBUF_PORTS]; /**< p0 .. p3 */
} tetris_gbuf_in;

/** All outputs of tetris_gbuf in one cycle. */
typedef struct tetris_gbuf_out {
    tetris_gbuf_rsp port[TETRIS_GBUF_PORTS]; /**< p0 .. p3 */
} tetris_gbuf_out;

/** Cycle-level model of tetris_gbuf (opaque). */
typedef struct tetris_gbuf_model tetris_gbuf_model;

/** Create the model of cfg's GBUF: registers as after reset, memory zero. */
int tetris_gbuf_model_create(const tetris_config *cfg, tetris_gbuf_model **out);

/** Free a model. */
void tetris_gbuf_model_destroy(tetris_gbuf_model *m);

/** The model's geometry. */
const tetris_gbuf_geom *tetris_gbuf_model_geom(const tetris_gbuf_model *m);

/** Memory contents: geom.words words by word address (may be written to preload). */
uint16_t *tetris_gbuf_model_mem(tetris_gbuf_model *m);

/**
 * One clock cycle: out receives what the RTL drives while in is applied,
 * then the rising edge updates memory and registers. EINVAL (state
 * unchanged) for inputs the ports cannot carry or a valid address >= words.
 */
int tetris_gbuf_model_cycle(tetris_gbuf_model *m, const tetris_gbuf_in *in, tetris_gbuf_out *out);

#ifdef __cplusplus
}
#endif

#endif /* TETRIS_H */
