/*
 * Private interfaces of the engine model and the layer compiler: the
 * instruction encoding (docs/isa.md), the sequencer's layer registers and the
 * state of one engine. The blocks are modelled one file each, named as their
 * RTL modules: seq.c (tetris_seq), pe_array.c (tetris_pe_array), gbuf.c
 * (tetris_gbuf), vault_ctrl.c (tetris_vault_ctrl), engine.c (tetris_engine).
 */
#ifndef TETRIS_ENGINE_INTERNAL_H
#define TETRIS_ENGINE_INTERNAL_H

#include "tetris.h"

/* ---------------------------------------------------------------- ISA */

/* Opcodes: bits [7:0] of word 0. */
enum isa_op {
    OP_SET = 0x01,   /* layer register <- w1 */
    OP_LOAD = 0x02,  /* vault -> GBUF resident block (or declare a psum window) */
    OP_STORE = 0x03, /* GBUF psum block -> vault */
    OP_PASS = 0x04,  /* one row-stationary processing pass */
    OP_SYNC = 0x05,  /* wait until every outstanding transfer has finished */
    OP_END = 0x06,   /* end of program */
};

/* Layer registers written by SET (w0[15:8] = register index). */
#define ISA_REGS(X)                                                          \
    X(OPK, "op")            /* pass operation: enum isa_opk */               \
    X(GROUP, "group")       /* current channel group */                      \
    X(CT, "c_total")        /* ifmap channels of the whole layer */          \
    X(MT, "m_total")        /* ofmap channels of the whole layer */          \
    X(CG, "c_group")        /* ifmap channels per group */                   \
    X(MG, "m_group")        /* ofmap channels per group */                   \
    X(HI, "hi") X(WI, "wi") /* ifmap height, width */                        \
    X(HO, "ho") X(WO, "wo") /* ofmap height, width */                        \
    X(R, "r") X(S, "s")     /* filter rows, columns */                       \
    X(STRIDE, "stride") X(PAD, "pad")                                        \
    X(SHIFT, "shift") X(RELU, "relu")                                        \
    X(BC, "bc") X(BM, "bm") X(BN, "bn") /* per-PE RF block */                \
    X(ROWS, "rows") X(REPH, "rep_h")    /* rows per set, height replicas */  \
    X(COLS, "cols") X(REPW, "rep_w")    /* cols per set, width replicas */   \
    X(IFM, "ifm_base") X(FIL, "fil_base") X(BIAS, "bias_base")               \
    X(PSUM, "psum_base") X(OFM, "ofm_base") /* vault byte addresses */

enum isa_reg {
#define ISA_X_ENUM(e, n) REG_##e,
    ISA_REGS(ISA_X_ENUM)
#undef ISA_X_ENUM
    REG_COUNT
};

/* Operation of the PEs and the column adders. */
enum isa_opk { OPK_MAC = 0, OPK_MAX = 1, OPK_AVG = 2 };

/* LOAD/STORE tensor kinds, w0[9:8]. */
enum isa_kind { KIND_IFMAP = 0, KIND_FILTER = 1, KIND_PSUM = 2 };

/* Pass psum sources, w0[11:10]. */
enum isa_psum_in { PIN_ZERO = 0, PIN_BIAS = 1, PIN_GBUF = 2, PIN_VAULT = 3 };

/* Pass psum destinations, w0[13:12]; STORE modes use the vault ones. */
enum isa_psum_out { POUT_GBUF = 0, POUT_VAULT_WR = 1, POUT_VAULT_ACC = 2, POUT_FINAL = 3 };

/* A decoded instruction. Ranges are [c0, c0+nc) etc., channel indices are
 * within the current group. */
typedef struct isa_insn {
    int op;
    int reg;              /* SET */
    uint32_t value;       /* SET */
    int kind;             /* LOAD */
    int window_only;      /* LOAD psum: declare the GBUF window, move nothing */
    int mode;             /* STORE: POUT_VAULT_WR, POUT_VAULT_ACC or POUT_FINAL */
    int src_filter_gbuf;  /* PASS: filters from the GBUF (else the vault) */
    int src_ifmap_gbuf;   /* PASS: ifmaps from the GBUF (else the vault) */
    int psum_in, psum_out;
    int fh, fw;           /* PASS: fold indices */
    int c0, nc, m0, nm, n0, nn;
} isa_insn;

/* Encode and decode; decode returns TETRIS_EINVAL on an unknown opcode or field. */
tetris_insn isa_encode(const isa_insn *d);
int isa_decode(const tetris_insn *w, isa_insn *d);
const char *isa_reg_name(int reg);

/* Append to a program (grows it); TETRIS_ENOMEM on failure. */
int isa_emit(tetris_program *p, const isa_insn *d);

/* ---------------------------------------------------------------- engine */

/* A block resident in the GBUF, in canonical layout from GBUF byte 0:
 * ifmap [nn][nc][hi][wi] int16, filter [nm][nc][r][s] int16,
 * psum [nn][nm][ho][wo] int32. */
typedef struct gbuf_window {
    int valid, group;
    int c0, nc, m0, nm, n0, nn;
} gbuf_window;

/* One pass for the PE array's cycle model (refmodel/pe_array_timing.c). */
typedef struct pe_timing {
    int pool;               /* pooling: channels are m, no height replicas */
    int nb, ee, na, rr;     /* width replicas, ofmap rows, height replicas, filter rows */
    int nc, nm, nn, bc, bm; /* the pass's channels, images and RF blocks */
    int s, u, wo, ny;       /* kernel width, stride, output columns, ifmap rows on the bus */
    int setup, bias, lat, tail; /* pass unit: cycles before the bus, of the bias reads,
                                   of the bus latency, after the last drain */
} pe_timing;

/* One pass's word traffic (refmodel/stream.c), in the order the array
 * consumes and produces the words. */
typedef struct stream_slot {
    int32_t group; /* bus word (ch * ny + y): its PEs; -1: an unused row, one cycle */
    int32_t fetch; /* the ifmap reader's fetch it waits for; -1: none */
    int32_t x;     /* output column */
} stream_slot;
typedef struct stream_reader {
    int32_t *word;  /* per word in stream order: the fetch it waits for, -1: none */
    size_t nwords, word_cap;
    uint64_t *addr; /* per fetch, in issue order: the burst address */
    size_t nfetch, addr_cap;
} stream_reader;
typedef struct stream_send {
    uint64_t addr;
    int op; /* TETRIS_VAULT_WR or TETRIS_VAULT_ACC */
} stream_send;
typedef struct stream_writer {
    stream_send *send; /* the writer's requests in order */
    size_t nsend, send_cap;
    uint32_t *first;   /* per drained word: its first send; [nwords]: the flush's */
    int32_t *wait;     /* per drained word: the send that must have left the
                          writer before it goes in (its new line's slot); -1: none */
    size_t nwords, first_cap, wait_cap;
} stream_writer;
typedef struct stream_traffic {
    stream_slot *slot; /* the ifmap bus, slot by slot */
    size_t nslot, slot_cap;
    stream_reader ifmap, filter, psum_in; /* ifmap: fetches only (the slots name them) */
    stream_writer out;
} stream_traffic;

/* Pass timings already computed: passes of one layer repeat their geometry. */
#define PE_TIMING_MEMO 64
typedef struct pe_timing_memo {
    pe_timing key;
    uint64_t cycles;
    int valid;
} pe_timing_memo;

struct tetris_engine {
    tetris_config cfg;
    tetris_arith arith;
    tetris_derived der;
    uint8_t *vault;        /* vault memory, little-endian */
    uint64_t vault_bytes;
    uint8_t *gbuf;         /* global buffer, little-endian */
    uint32_t reg[REG_COUNT];
    gbuf_window win[3];    /* by enum isa_kind */
    tetris_counters cnt;
    /* pass scratch, grown on demand */
    int16_t *stage_filter; /* [nm][k]: a column's filter words in reduction order */
    int16_t *stage_ifmap;  /* [c or m][nn][y][span] */
    int16_t *pack;         /* [nn][wo][k]: a column's ifmap windows in reduction order */
    uint32_t *colacc;      /* [bm][nn][wo] */
    size_t stage_filter_cap, stage_ifmap_cap, pack_cap, colacc_cap;
    size_t pc;             /* the instruction being executed */
    int32_t *ofm_writer;   /* per ofmap element: pc of its last writer, -1 none (NULL: off) */
    uint64_t ofm_writer_n; /* elements tracked */
    uint64_t *insn_cycles; /* per instruction: its cycles in the last run (NULL: off) */
    size_t insn_cycles_n;  /* instructions tracked */
    pe_timing_memo memo[PE_TIMING_MEMO]; /* by a hash of the key */
    stream_traffic traffic;              /* the current pass's, reused */
    tetris_vault_sched *vs;  /* the vault controller's cycle model over the run (NULL: none yet) */
    uint64_t vs_t;           /* the run's cycle vs has reached */
    uint64_t dispatch_t;     /* the run's cycle the current LOAD, STORE or PASS starts */
};

/* Pass geometry derived from the layer registers and the instruction. */
typedef struct pass_geom {
    int opk, rows, cols, rr, ee; /* rr/ee: active filter rows / ofmap rows per replica */
    int na, nb;                  /* active height / width replicas */
    int bc, bm, nn, s, u, pad, wo;
    int span;                    /* ifmap columns a PE row covers: (wo-1)*u + s */
    int needed;                  /* of those, the ones some MAC reads */
    int ylo, ny;                 /* ifmap rows staged: [ylo, ylo + ny) */
    int nch;                     /* staged ifmap channels */
    int ch0;                     /* first staged channel */
    int k;                       /* products one column sums per psum */
    int kp;                      /* k rounded up to 8: the row stride of the packed operands */
} pass_geom;

/*
 * Fixed stage counts of the RTL units, engine cycles, that the timing model
 * adds to the work it derives (docs/cosim.md, "Cycles"): registered hand-offs
 * between units, measured in co-simulation with the unit at rest.
 */
enum {
    SEQ_FETCH_PIPE = 3,  /* tetris_seq: fetch_valid, the arbiter, the response back, to S_EXEC */
    DMA_LOAD_PIPE = 12,  /* LOAD: rdport, dma and wrport stages after the first vault read */
    DMA_STORE_PIPE = 10, /* STORE: GBUF read, output stage, writer flush to idle */
    PASS_SETUP = 3,      /* pass unit: dispatch to its first stream request */
    PASS_LAT = 3,        /* a stream word from request to the PE bus */
    PASS_TAIL = 4,       /* last drain to the unit's idle */
    PASS_BIAS = 6,       /* bias reads: a vault read round trip beyond one cycle per bias */
    STREAM_RSP_PIPE = 2, /* a read response: controller to arbiter to reader */
};


/* Cycles of one pass of the array fed by its traffic through the vault
 * controller's cycle model vs, which it advances; 0, ENOMEM, or EINVAL when
 * the model stalls (a bug). */
int pe_timing_cycles(const tetris_engine *e, const pe_timing *p, const stream_traffic *t,
                     tetris_vault_sched *vs, uint64_t *cycles);

/* Build one pass's traffic into t (its buffers reused); 0 or ENOMEM. */
int stream_traffic_build(const tetris_engine *e, const isa_insn *d, const pass_geom *g,
                         stream_traffic *t);
void stream_traffic_free(stream_traffic *t);

/* vault_ctrl.c: vault memory with counted accesses; addresses are bytes. */
int vault_check(tetris_engine *e, uint64_t addr, uint64_t bytes, tetris_error *err);
/* The bytes the controller can address: the vault, at most its 32-bit
 * request address. Timing runs fold addresses into it (the bank and row
 * pattern is what matters). */
static inline uint64_t vault_span(const tetris_engine *e)
{
    return e->der.vault_capacity < (1ull << 32) ? e->der.vault_capacity : (1ull << 32);
}
/* A walk over the vault: nseg segments of seg bytes, the first at addr, each
 * stride bytes after the one before. */
typedef struct vault_segs {
    uint64_t addr, seg, stride, nseg;
} vault_segs;
/* Cycles tetris_vault_ctrl (its cycle model, tetris_vault_sched) takes for
 * requests of one op to the bursts of a walk, each burst once (a burst two
 * neighbouring segments share is requested once, as the word ports' lines
 * do), offered back to back to an idle controller: from the first taken to
 * the last completed (reads: to the last response). */
uint64_t vault_run_cycles(const tetris_engine *e, int op, const vault_segs *w);
/* Cycles from an isolated read's request to its response (idle controller). */
uint64_t vault_read_latency(const tetris_engine *e);

/* gbuf.c: the global buffer and its resident windows. */
int gbuf_window_bytes(const tetris_engine *e, int kind, const gbuf_window *w, uint64_t *bytes);
int gbuf_load(tetris_engine *e, const isa_insn *d, uint64_t *cycles, tetris_error *err);
int gbuf_store(tetris_engine *e, const isa_insn *d, uint64_t *cycles, tetris_error *err);
/* Offsets of one element in the resident window; -1 when outside it. */
int64_t gbuf_ifmap_off(const tetris_engine *e, int n, int c, int y, int x);
int64_t gbuf_filter_off(const tetris_engine *e, int m, int c, int r, int s);
int64_t gbuf_psum_off(const tetris_engine *e, int n, int m, int y, int x);

/* Little-endian word access to a byte array: the vault and the GBUF store
 * words as the RTL memories do. Inline: they sit in the models' hot loops. */
static inline int16_t ld16(const uint8_t *p)
{
    return (int16_t)(uint16_t)(p[0] | p[1] << 8);
}

static inline int32_t ld32(const uint8_t *p)
{
    return (int32_t)((uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
                     (uint32_t)p[3] << 24);
}

static inline void st16(uint8_t *p, int16_t v)
{
    p[0] = (uint8_t)((uint16_t)v & 0xFF);
    p[1] = (uint8_t)((uint16_t)v >> 8);
}

static inline void st32(uint8_t *p, int32_t v)
{
    uint32_t u = (uint32_t)v;
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(u >> (8 * i));
}

/* Address generators of the vault tensors (docs/isa.md, vault layout);
 * channel indices are group-relative and become absolute here. */
static inline uint64_t vault_ifmap_addr(const tetris_engine *e, int n, int c, int y, int x)
{
    const uint32_t *r = e->reg;
    uint64_t ch = (uint64_t)r[REG_GROUP] * r[REG_CG] + (uint64_t)c;
    return r[REG_IFM] + 2 * ((((uint64_t)n * r[REG_CT] + ch) * r[REG_HI] + (uint64_t)y) * r[REG_WI] +
                             (uint64_t)x);
}

/* The layer's ofmap channel of channel m of the current group. */
static inline uint64_t group_m(const tetris_engine *e, int m)
{
    return (uint64_t)e->reg[REG_GROUP] * e->reg[REG_MG] + (uint64_t)m;
}

static inline uint64_t vault_filter_addr(const tetris_engine *e, int m, int c, int rr, int s)
{
    const uint32_t *r = e->reg;
    uint64_t mm = group_m(e, m);
    return r[REG_FIL] +
           2 * (((mm * r[REG_CG] + (uint64_t)c) * r[REG_R] + (uint64_t)rr) * r[REG_S] + (uint64_t)s);
}

static inline uint64_t vault_bias_addr(const tetris_engine *e, int m)
{
    const uint32_t *r = e->reg;
    return r[REG_BIAS] + 4 * group_m(e, m);
}

static inline uint64_t ofmap_index(const tetris_engine *e, int n, int m, int y, int x)
{
    const uint32_t *r = e->reg;
    uint64_t mm = group_m(e, m);
    return (((uint64_t)n * r[REG_MT] + mm) * r[REG_HO] + (uint64_t)y) * r[REG_WO] + (uint64_t)x;
}

/* The psum spill area is channel-last, [n][ho][wo][m]: the psums one array
 * column drains for one output column x (consecutive m) share vault bursts,
 * so spills and accumulate requests go out a burst at a time. */
static inline uint64_t vault_psum_addr(const tetris_engine *e, int n, int m, int y, int x)
{
    const uint32_t *r = e->reg;
    uint64_t mm = group_m(e, m);
    return r[REG_PSUM] +
           4 * ((((uint64_t)n * r[REG_HO] + (uint64_t)y) * r[REG_WO] + (uint64_t)x) * r[REG_MT] + mm);
}

static inline uint64_t vault_ofmap_addr(const tetris_engine *e, int n, int m, int y, int x)
{
    return e->reg[REG_OFM] + 2 * ofmap_index(e, n, m, y, x);
}

/* Record that the instruction at e->pc writes ofmap elements [index, index + n). */
static inline void note_ofmap_write(tetris_engine *e, uint64_t index, uint64_t n)
{
    for (uint64_t i = index; e->ofm_writer && i < index + n && i < e->ofm_writer_n; i++)
        e->ofm_writer[i] = (int32_t)e->pc;
}

/* The near-memory adder wraps at the accumulator width like the PEs do. */
static inline void vault_acc32(tetris_engine *e, uint64_t addr, int32_t v)
{
    st32(e->vault + addr, tetris_acc_add(&e->arith, ld32(e->vault + addr), v));
}

/* pe_array.c: one processing pass. */
int pe_array_pass(tetris_engine *e, const isa_insn *d, uint64_t *cycles, tetris_error *err);

/* seq.c: fetch, decode and execute a program. */
int seq_run(tetris_engine *e, const tetris_program *p, tetris_error *err);

/* Output stage of the current layer for one column-bottom value. */
int16_t engine_out_stage(const tetris_engine *e, uint32_t acc);

#endif
