// modules: tetris_pe_array tetris_pe
//
// Unit testbench of tetris_pe_array against the engine model: seeded random
// passes (MAC, max and average pooling; folded and replicated mappings from
// tetris_map_layer, partial last replicas, random folds; strides below, at
// and above the window width, and above array.max_kernel; padding; psums in
// from zero, the bias or the vault). Each pass is a one-pass program encoded
// here from docs/isa.md (SETs of the layer registers, PASS with filters and
// ifmaps from the vault and a plain vault write of the psums, END) and run by
// tetris_engine_run on random vault data. The testbench drives the array's
// buses in the orders the stream unit produces (the header of
// tetris_pe_array.v), with random gaps on every input, random back-pressure
// on o_ready and now and then a pass cut short by the next start, and picks
// the ifmap rows with the array's row query. Every column-bottom psum must
// equal what the model wrote to the vault's psum region, and the event outputs
// summed over the pass must equal the model's counters (macs, rf_wr_filter,
// rf_wr_ifmap, psum_hops, bus_ifmap), as must the words put on each bus.
//
// usage: tb_pe_array --config FILE [--seed N] [--passes K] [--gap PERCENT] [--verbose]
//   --passes: default 400, 150 on arrays of more than 64 PEs;
//   --gap 0 runs every stream without stalls; --verbose prints every pass.
#include <algorithm>
#include <climits>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <vector>

#include "Vtetris_pe_array.h"
#include "verilated.h"
#include "tbmain.h"
#include "testutil.h"

#include "tetris.h"

namespace {

constexpr uint64_t VAULT_BYTES = 1u << 20; // the engine model's vault; layers fit in it

// docs/isa.md: opcodes, layer registers, psum sources and destinations
enum { OP_SET = 0x01, OP_PASS = 0x04, OP_END = 0x06 };
enum {
    R_OP, R_GROUP, R_CT, R_MT, R_CG, R_MG, R_HI, R_WI, R_HO, R_WO, R_R, R_S, R_STRIDE, R_PAD,
    R_SHIFT, R_RELU, R_BC, R_BM, R_BN, R_ROWS, R_REPH, R_COLS, R_REPW, R_IFM, R_FIL, R_BIAS,
    R_PSUM, R_OFM, R_COUNT
};
enum { PIN_ZERO = 0, PIN_BIAS = 1, PIN_VAULT = 3 };
enum { POUT_VAULT_WR = 1 };

bool chance(uint64_t &s, int percent)
{
    return test_rnd(&s, 0, 99) < percent;
}

int ceil_div(int a, int b)
{
    return (a + b - 1) / b;
}

uint64_t align64(uint64_t a)
{
    return (a + 63) & ~static_cast<uint64_t>(63);
}

int16_t ld16(const uint8_t *p)
{
    return static_cast<int16_t>(static_cast<uint16_t>(p[0] | p[1] << 8));
}

int32_t ld32(const uint8_t *p)
{
    return static_cast<int32_t>(static_cast<uint32_t>(p[0]) | static_cast<uint32_t>(p[1]) << 8 |
                                static_cast<uint32_t>(p[2]) << 16 | static_cast<uint32_t>(p[3]) << 24);
}

void st16(uint8_t *p, int16_t v)
{
    p[0] = static_cast<uint8_t>(static_cast<uint16_t>(v) & 0xFF);
    p[1] = static_cast<uint8_t>(static_cast<uint16_t>(v) >> 8);
}

void st32(uint8_t *p, int32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = static_cast<uint8_t>(static_cast<uint32_t>(v) >> (8 * i));
}

// One pass: the layer, its mapping and RF block, the instruction's ranges and
// the vault layout, plus the stimulus style.
struct Pass {
    int op = 0; // 0 MAC, 1 max pool, 2 average pool
    int C = 1, M = 1, N = 1, hi = 1, wi = 1, ho = 1, wo = 1, r = 1, s = 1, u = 1, pad = 0;
    tetris_mapping map{};
    int bc = 1, bm = 1, bn = 1;
    int fh = 0, fw = 0, c0 = 0, nc = 1, m0 = 0, nm = 1, n0 = 0, nn = 1;
    int pin = PIN_ZERO;
    // derived (what the stream unit derives from the registers and the instruction)
    int rows = 1, cols = 1, rr = 1, ee = 1, na = 1, nb = 1;
    uint64_t ifm = 0, fil = 0, bias = 0, psum = 0, ofm = 0, end = 0;
    int gap_f = 0, gap_i = 0, gap_p = 0, gap_r = 0; // percent of idle cycles per stream
    int abandon_at = -1; // cycle of the pass at which the next pass's start cuts it
};

// A word in one of three styles: uniform over the word range, an extreme, or small.
int32_t value(uint64_t &s, int style, int32_t lo, int32_t hi)
{
    switch (style) {
    case 0: {
        uint64_t span = static_cast<uint64_t>(static_cast<int64_t>(hi) - lo) + 1;
        return static_cast<int32_t>(lo + static_cast<int64_t>(test_next(&s) % span));
    }
    case 1: {
        const int32_t pick[] = {lo, hi, lo + 1, hi - 1, -1, 0, 1};
        return pick[test_rnd(&s, 0, 6)];
    }
    default: return test_rnd(&s, -8, 8);
    }
}

// A random layer geometry: false when it does not map or does not fit the vault.
bool random_layer(uint64_t &s, const tetris_config &cfg, Pass &p)
{
    const int H = cfg.array_h, W = cfg.array_w, K = cfg.max_kernel;
    int pick = test_rnd(&s, 0, 9);
    p.op = pick < 6 ? 0 : pick < 8 ? 1 : 2;
    p.s = chance(s, 60) ? test_rnd(&s, 1, std::min(K, 3)) : test_rnd(&s, 1, K);
    // filter rows: replicated (r <= H/2) and folded (r > H) mappings
    p.r = chance(s, 40) ? test_rnd(&s, 1, std::max(1, H / 2)) : test_rnd(&s, 1, std::min(2 * H + 1, 33));
    int su = test_rnd(&s, 0, 19); // stride below, at, above s; sometimes above KMAX
    if (su < 7)
        p.u = p.s > 1 ? test_rnd(&s, 1, p.s - 1) : 1;
    else if (su < 13)
        p.u = p.s;
    else if (su < 18)
        p.u = test_rnd(&s, p.s + 1, p.s + 3);
    else
        p.u = test_rnd(&s, K + 1, K + 3);
    p.pad = chance(s, 50) ? 0 : test_rnd(&s, 0, std::min(p.r, p.s) - 1);
    // ofmap rows: folded (ho > W) and replicated (ho <= W/2) mappings
    p.ho = chance(s, 40) ? test_rnd(&s, 1, std::max(1, W / 2)) : test_rnd(&s, 1, 2 * W + 1);
    p.wo = test_rnd(&s, 1, 6);
    p.hi = (p.ho - 1) * p.u + p.r - 2 * p.pad + test_rnd(&s, 0, p.u - 1);
    p.wi = (p.wo - 1) * p.u + p.s - 2 * p.pad + test_rnd(&s, 0, p.u - 1);
    if (p.hi < 1 || p.wi < 1)
        return false;
    tetris_layer l{};
    std::snprintf(l.name, sizeof l.name, "tb");
    l.type = p.op == 0 ? TETRIS_LAYER_CONV : p.op == 1 ? TETRIS_LAYER_MAXPOOL : TETRIS_LAYER_AVGPOOL;
    l.hi = p.hi, l.wi = p.wi, l.ho = p.ho, l.wo = p.wo, l.r = p.r, l.s = p.s;
    l.stride = p.u, l.pad = p.pad, l.groups = 1;
    l.c = l.m = 1;
    tetris_error err;
    if (tetris_map_layer(&l, &cfg, &p.map, &err))
        return false;
    // the per-PE RF block: every scratchpad must hold it (the PE's limits)
    const int fwd = cfg.rf_filter_words, iwd = cfg.rf_ifmap_words, pwd = cfg.rf_psum_words;
    p.bc = p.bm = p.bn = 1;
    int order[3];
    test_perm3(&s, order);
    for (int d : order) {
        int hi;
        if (d == 0) {
            if (p.op != 0)
                continue; // pooling: bc = 1
            hi = std::min(fwd / (p.bm * p.s), iwd / (p.bn * p.s));
        } else if (d == 1) {
            hi = p.op == 0 ? std::min(fwd / (p.bc * p.s), pwd / p.bn) : std::min(iwd / (p.bn * p.s), pwd / p.bn);
        } else {
            hi = std::min(iwd / ((p.op == 0 ? p.bc : p.bm) * p.s), pwd / p.bm);
        }
        hi = std::min(hi, 6); // keeps passes short
        int v = chance(s, 30) ? hi : test_rnd(&s, 1, hi);
        (d == 0 ? p.bc : d == 1 ? p.bm : p.bn) = v;
    }
    // the instruction's ranges: often full replicas, often a partial last one
    p.nm = test_rnd(&s, 1, p.map.rep_w * p.bm);
    p.m0 = test_rnd(&s, 0, 2);
    p.M = p.m0 + p.nm + test_rnd(&s, 0, 2);
    if (p.op == 0) {
        p.nc = test_rnd(&s, 1, p.map.rep_h * p.bc);
        p.c0 = test_rnd(&s, 0, 2);
        p.C = p.c0 + p.nc + test_rnd(&s, 0, 2);
    } else { // pooling: the channels are the ofmap channels
        p.C = p.M;
        p.c0 = p.m0;
        p.nc = p.nm;
    }
    p.nn = test_rnd(&s, 1, p.bn);
    p.n0 = test_rnd(&s, 0, 1);
    p.N = p.n0 + p.nn + test_rnd(&s, 0, 1);
    p.fh = test_rnd(&s, 0, p.map.fold_h - 1);
    p.fw = test_rnd(&s, 0, p.map.fold_w - 1);
    int pick_in = test_rnd(&s, 0, 2);
    p.pin = pick_in == 0 ? PIN_ZERO : pick_in == 1 ? PIN_BIAS : PIN_VAULT;
    p.rows = p.map.rows_per_set;
    p.cols = p.map.cols_per_set;
    p.rr = std::min(p.rows, p.r - p.fh * p.rows);
    p.ee = std::min(p.cols, p.ho - p.fw * p.cols);
    p.na = p.op == 0 ? ceil_div(p.nc, p.bc) : 1;
    p.nb = ceil_div(p.nm, p.bm);
    // vault layout (docs/isa.md): regions on 64-byte boundaries
    auto n64 = [](int a, int b, int c, int d) { return static_cast<uint64_t>(a) * b * c * d; };
    p.ifm = 64 * static_cast<uint64_t>(test_rnd(&s, 0, 3));
    p.fil = align64(p.ifm + 2 * n64(p.N, p.C, p.hi, p.wi));
    p.bias = align64(p.fil + 2 * n64(p.M, p.C, p.r, p.s));
    p.psum = align64(p.bias + 4 * static_cast<uint64_t>(p.M));
    p.ofm = align64(p.psum + 4 * n64(p.N, p.M, p.ho, p.wo));
    p.end = align64(p.ofm + 2 * n64(p.N, p.M, p.ho, p.wo));
    return p.end <= VAULT_BYTES;
}

// Random vault contents of the layer: words for the ifmap and the filters,
// accumulator values (sign-extended from acc_bits) for the bias and the psums.
void fill_vault(uint64_t &s, const tetris_arith &a, const Pass &p, uint8_t *v)
{
    const int32_t wlo = tetris_word_min(&a), whi = -(wlo + 1);
    int style = test_rnd(&s, 0, 2);
    for (uint64_t b = p.ifm; b + 1 < p.bias; b += 2)
        st16(v + b, static_cast<int16_t>(value(s, style, wlo, whi)));
    for (uint64_t b = p.bias; b + 3 < p.ofm; b += 4)
        st32(v + b, tetris_wrap(&a, static_cast<uint32_t>(test_next(&s))));
}

// The one-pass program, encoded from docs/isa.md.
std::vector<tetris_insn> program(const Pass &p)
{
    std::vector<tetris_insn> prog;
    uint32_t reg[R_COUNT] = {};
    reg[R_OP] = static_cast<uint32_t>(p.op);
    reg[R_GROUP] = 0;
    reg[R_CT] = reg[R_CG] = static_cast<uint32_t>(p.C);
    reg[R_MT] = reg[R_MG] = static_cast<uint32_t>(p.M);
    reg[R_HI] = static_cast<uint32_t>(p.hi);
    reg[R_WI] = static_cast<uint32_t>(p.wi);
    reg[R_HO] = static_cast<uint32_t>(p.ho);
    reg[R_WO] = static_cast<uint32_t>(p.wo);
    reg[R_R] = static_cast<uint32_t>(p.r);
    reg[R_S] = static_cast<uint32_t>(p.s);
    reg[R_STRIDE] = static_cast<uint32_t>(p.u);
    reg[R_PAD] = static_cast<uint32_t>(p.pad);
    reg[R_BC] = static_cast<uint32_t>(p.bc);
    reg[R_BM] = static_cast<uint32_t>(p.bm);
    reg[R_BN] = static_cast<uint32_t>(p.bn);
    reg[R_ROWS] = static_cast<uint32_t>(p.map.rows_per_set);
    reg[R_REPH] = static_cast<uint32_t>(p.map.rep_h);
    reg[R_COLS] = static_cast<uint32_t>(p.map.cols_per_set);
    reg[R_REPW] = static_cast<uint32_t>(p.map.rep_w);
    reg[R_IFM] = static_cast<uint32_t>(p.ifm);
    reg[R_FIL] = static_cast<uint32_t>(p.fil);
    reg[R_BIAS] = static_cast<uint32_t>(p.bias);
    reg[R_PSUM] = static_cast<uint32_t>(p.psum);
    reg[R_OFM] = static_cast<uint32_t>(p.ofm);
    for (uint32_t i = 0; i < R_COUNT; i++) // SET reg, value: w0[15:8] register, w1 value
        prog.push_back(tetris_insn{{OP_SET | i << 8, reg[i], 0, 0}});
    auto range = [](int lo, int n) { return static_cast<uint32_t>(lo) | static_cast<uint32_t>(n) << 16; };
    // PASS: filters and ifmaps from the vault (bits 8, 9 clear), psum in [11:10],
    // psum out [13:12], fold fh [23:16], fw [31:24]
    uint32_t w0 = OP_PASS | static_cast<uint32_t>(p.pin) << 10 | static_cast<uint32_t>(POUT_VAULT_WR) << 12 |
                  static_cast<uint32_t>(p.fh) << 16 | static_cast<uint32_t>(p.fw) << 24;
    prog.push_back(tetris_insn{{w0, range(p.c0, p.nc), range(p.m0, p.nm), range(p.n0, p.nn)}});
    prog.push_back(tetris_insn{{OP_END, 0, 0, 0}});
    return prog;
}

struct Word {
    uint16_t data;
    uint32_t tag0, tag1; // filter: f_row, f_rep; ifmap: i_y, i_rep
};

struct Bench {
    VerilatedContext ctx;
    std::unique_ptr<Vtetris_pe_array> top;
    uint64_t cycles = 0;

    Bench() : top(new Vtetris_pe_array(&ctx)) {}
    void tick()
    {
        top->clk = 0;
        top->eval();
        top->clk = 1;
        top->eval();
        cycles++;
    }
    void idle_inputs()
    {
        top->start = 0;
        top->f_valid = 0;
        top->i_valid = 0;
        top->p_valid = 0;
        top->o_ready = 0;
    }
    void reset()
    {
        idle_inputs();
        top->rst_n = 0;
        tick();
        tick();
        top->rst_n = 1;
    }
};

// Event totals of one pass, by source.
struct Events {
    uint64_t macs = 0, fwr = 0, iwr = 0, hops = 0, bus_ifmap = 0;
};

const char *op_name(int op)
{
    return op == 0 ? "mac" : op == 1 ? "max" : "avg";
}

void describe(const Pass &p, int index)
{
    std::printf("pass %d: %s C%d M%d N%d %dx%d -> %dx%d r%d s%d u%d pad%d | rows %d rep_h %d cols %d rep_w %d"
                " | bc %d bm %d bn %d | fold (%d,%d) c[%d+%d] m[%d+%d] n[%d+%d] pin %d | rr %d na %d ee %d nb %d\n",
                index, op_name(p.op), p.C, p.M, p.N, p.hi, p.wi, p.ho, p.wo, p.r, p.s, p.u, p.pad, p.rows,
                p.map.rep_h, p.cols, p.map.rep_w, p.bc, p.bm, p.bn, p.fh, p.fw, p.c0, p.nc, p.m0, p.nm, p.n0,
                p.nn, p.pin, p.rr, p.na, p.ee, p.nb);
}

enum Outcome { PASSED, FAILED, ABANDONED };

// Run one pass on the RTL; pre: the vault before the model ran, post: after.
// When it is abandoned, the caller's next start cuts it.
Outcome run_pass(Bench &b, uint64_t &s, const tetris_config &cfg, const tetris_arith &a, const Pass &p,
              const uint8_t *pre, const uint8_t *post, const tetris_counters &cnt, int index)
{
    Vtetris_pe_array *t = b.top.get();
    const uint32_t acc_mask = 0xFFFFFFFFu >> (32 - a.acc_bits);
    const bool mac = p.op == 0;
    // the configuration the stream unit derives from the registers and the PASS
    t->cfg_op = static_cast<uint32_t>(p.op);
    t->cfg_s = static_cast<uint32_t>(p.s);
    t->cfg_u = static_cast<uint32_t>(std::min(p.u, cfg.max_kernel));
    t->cfg_stride = static_cast<uint32_t>(p.u);
    t->cfg_wo = static_cast<uint32_t>(p.wo);
    t->cfg_bc = static_cast<uint32_t>(p.bc);
    t->cfg_bm = static_cast<uint32_t>(p.bm);
    t->cfg_bn = static_cast<uint32_t>(p.nn);
    t->cfg_nc = static_cast<uint32_t>(p.nc);
    t->cfg_nm = static_cast<uint32_t>(p.nm);
    t->cfg_rows = static_cast<uint32_t>(p.rows);
    t->cfg_rr = static_cast<uint32_t>(p.rr);
    t->cfg_na = static_cast<uint32_t>(p.na);
    t->cfg_cols = static_cast<uint32_t>(p.cols);
    t->cfg_ee = static_cast<uint32_t>(p.ee);
    t->cfg_nb = static_cast<uint32_t>(p.nb);
    b.idle_inputs();
    t->start = 1;
    t->eval();
    b.tick();
    t->start = 0;

    // filter bus: for m < nm, a < na, i < rr, c < bc_a, k < s
    std::vector<Word> fwords;
    if (mac)
        for (int m = 0; m < p.nm; m++)
            for (int ra = 0; ra < p.na; ra++) {
                int bca = std::min(p.bc, p.nc - ra * p.bc);
                for (int i = 0; i < p.rr; i++)
                    for (int c = 0; c < bca; c++)
                        for (int k = 0; k < p.s; k++) {
                            uint64_t addr = p.fil + 2 * ((((static_cast<uint64_t>(p.m0 + m) * p.C +
                                                           static_cast<uint64_t>(p.c0 + ra * p.bc + c)) *
                                                              p.r + static_cast<uint64_t>(p.fh * p.rows + i)) *
                                                             p.s) + static_cast<uint64_t>(k));
                            fwords.push_back(Word{static_cast<uint16_t>(ld16(pre + addr)),
                                                  static_cast<uint32_t>(ra * p.rows + i),
                                                  static_cast<uint32_t>(m / p.bm)});
                        }
            }
    // ifmap bus: the rows some PE reads, by the array's row query
    const int ny = (p.ee - 1) * p.u + p.rr;
    std::vector<char> used(static_cast<size_t>(ny));
    for (int y = 0; y < ny; y++) {
        t->q_y = static_cast<uint32_t>(y);
        t->eval();
        used[static_cast<size_t>(y)] = t->q_used ? 1 : 0;
    }
    const int nch = mac ? p.nc : p.nm, ch0 = mac ? p.c0 : p.m0;
    const int step = std::min(p.u, p.s);
    const int ylo = p.fw * p.cols * p.u + p.fh * p.rows - p.pad;
    std::vector<Word> iwords;
    for (int x = 0; x < p.wo; x++)
        for (int ch = 0; ch < nch; ch++)
            for (int n = 0; n < p.nn; n++)
                for (int y = 0; y < ny; y++) {
                    if (!used[static_cast<size_t>(y)])
                        continue;
                    int qlo = x == 0 ? 0 : x * p.u + p.s - step, qhi = x == 0 ? p.s : x * p.u + p.s;
                    for (int q = qlo; q < qhi; q++) {
                        int iy = ylo + y, ix = q - p.pad;
                        int16_t v = 0; // padding: the stream inserts zeros
                        if (iy >= 0 && iy < p.hi && ix >= 0 && ix < p.wi)
                            v = ld16(pre + p.ifm + 2 * (((static_cast<uint64_t>(p.n0 + n) * p.C +
                                                          static_cast<uint64_t>(ch0 + ch)) * p.hi +
                                                         static_cast<uint64_t>(iy)) * p.wi +
                                                        static_cast<uint64_t>(ix)));
                        iwords.push_back(Word{static_cast<uint16_t>(v), static_cast<uint32_t>(y),
                                              static_cast<uint32_t>(ch / (mac ? p.bc : p.bm))});
                    }
                }
    // psums: [x][active column j][m < bm_b][n < nn], in from the pass's source,
    // expected out of the model's vault psum region
    std::vector<uint32_t> pin;
    std::vector<int32_t> expect;
    const int32_t zero = p.op == 1 ? tetris_word_min(&a) : 0; // max starts from the smallest word
    for (int x = 0; x < p.wo; x++)
        for (int rb = 0; rb < p.nb; rb++)
            for (int jj = 0; jj < p.ee; jj++) {
                int bmb = std::min(p.bm, p.nm - rb * p.bm);
                for (int m = 0; m < bmb; m++)
                    for (int n = 0; n < p.nn; n++) {
                        uint64_t mm = static_cast<uint64_t>(p.m0 + rb * p.bm + m);
                        uint64_t e = static_cast<uint64_t>(p.fw * p.cols + jj);
                        // the psum area is channel-last, [n][ho][wo][m] (docs/isa.md)
                        uint64_t at = p.psum + 4 * (((static_cast<uint64_t>(p.n0 + n) * p.ho + e) * p.wo +
                                                     static_cast<uint64_t>(x)) * p.M + mm);
                        int32_t in = p.pin == PIN_ZERO ? zero
                                     : p.pin == PIN_BIAS ? ld32(pre + p.bias + 4 * mm)
                                                         : ld32(pre + at);
                        pin.push_back(static_cast<uint32_t>(in) & acc_mask);
                        expect.push_back(ld32(post + at));
                    }
            }

    const size_t nf = fwords.size(), ni = iwords.size(), np = pin.size();
    size_t fi = 0, ii = 0, po = 0;
    int errors = 0;
    Events ev;
    const uint64_t limit = 20 * (nf + ni + np + cnt.v[TETRIS_CNT_MACS]) + 5000;
    for (uint64_t cycle = 1;; cycle++) {
        if (!t->busy) {
            if (po != np || ii != ni || fi != nf) {
                std::printf("pass %d: busy fell early: %zu/%zu psums, %zu/%zu ifmap words, %zu/%zu filter words\n",
                            index, po, np, ii, ni, fi, nf);
                return FAILED;
            }
            break;
        }
        if (static_cast<int>(cycle) == p.abandon_at)
            return ABANDONED;
        if (cycle > limit) {
            std::printf("pass %d: timeout after %llu cycles (%zu/%zu psums, %zu/%zu ifmap, %zu/%zu filter)\n",
                        index, static_cast<unsigned long long>(cycle), po, np, ii, ni, fi, nf);
            return FAILED;
        }
        // this cycle's inputs; idle buses carry junk
        bool fv = mac ? fi < nf && !chance(s, p.gap_f) : chance(s, 10); // pooling ignores filters
        t->f_valid = fv;
        const Word fj{static_cast<uint16_t>(test_next(&s)), static_cast<uint32_t>(test_rnd(&s, 0, cfg.array_h - 1)),
                      static_cast<uint32_t>(test_rnd(&s, 0, cfg.array_w - 1))};
        const Word &fw = mac && fi < nf && fv ? fwords[fi] : fj;
        t->f_data = fw.data;
        t->f_row = fw.tag0;
        t->f_rep = fw.tag1;
        bool iv = ii < ni && !chance(s, p.gap_i);
        t->i_valid = iv;
        const Word ij{static_cast<uint16_t>(test_next(&s)), static_cast<uint32_t>(test_rnd(&s, 0, ny)),
                      static_cast<uint32_t>(test_rnd(&s, 0, std::max(cfg.array_h, cfg.array_w) - 1))};
        const Word &iw = iv ? iwords[ii] : ij;
        t->i_data = iw.data;
        t->i_y = iw.tag0;
        t->i_rep = iw.tag1;
        t->p_valid = po < np && !chance(s, p.gap_p);
        t->p_data = po < np ? pin[po] : static_cast<uint32_t>(test_next(&s)) & acc_mask;
        t->o_ready = !chance(s, p.gap_r);
        t->eval();
        // the column chain: an in psum and an out psum pass together
        bool out_take = t->o_valid && t->o_ready;
        bool in_take = t->p_valid && t->p_ready;
        if ((t->o_valid && !t->p_valid) || out_take != in_take) {
            std::printf("pass %d: psum handshake broken (p_valid %d p_ready %d o_valid %d o_ready %d)\n", index,
                        t->p_valid, t->p_ready, t->o_valid, t->o_ready);
            return FAILED;
        }
        if (out_take) {
            int32_t got = tetris_wrap(&a, static_cast<uint32_t>(t->o_data));
            if (got != expect[po] && ++errors <= 8)
                std::printf("pass %d: psum %zu: expected %d, got %d\n", index, po, expect[po], got);
            po++;
        }
        ev.macs += t->ev_macs;
        ev.fwr += t->ev_rf_wr_filter;
        ev.iwr += t->ev_rf_wr_ifmap;
        ev.hops += t->ev_psum_hops;
        ev.bus_ifmap += t->ev_bus_ifmap;
        bool i_take = iv && t->i_ready;
        b.tick();
        if (mac && fv)
            fi++;
        if (i_take)
            ii++;
    }
    // the event totals and the bus words against the model's counters
    struct Check {
        const char *name;
        uint64_t got;
        int cnt;
    } checks[] = {
        {"ev_macs", ev.macs, TETRIS_CNT_MACS},
        {"ev_rf_wr_filter", ev.fwr, TETRIS_CNT_RF_WR_FILTER},
        {"ev_rf_wr_ifmap", ev.iwr, TETRIS_CNT_RF_WR_IFMAP},
        {"ev_psum_hops", ev.hops, TETRIS_CNT_PSUM_HOPS},
        {"ev_bus_ifmap", ev.bus_ifmap, TETRIS_CNT_BUS_IFMAP},
        {"ifmap bus words", ni, TETRIS_CNT_BUS_IFMAP},
        {"filter bus words", nf, TETRIS_CNT_BUS_FILTER},
        {"psums out", np, TETRIS_CNT_BUS_PSUM_OUT},
    };
    for (const Check &c : checks)
        if (c.got != cnt.v[c.cnt]) {
            std::printf("pass %d: %s %llu, model %s %llu\n", index, c.name, static_cast<unsigned long long>(c.got),
                        tetris_counter_name(static_cast<enum tetris_counter>(c.cnt)),
                        static_cast<unsigned long long>(cnt.v[c.cnt]));
            errors++;
        }
    return errors == 0 ? PASSED : FAILED;
}

} // namespace

int main(int argc, char **argv)
{
    tetris_config cfg;
    uint64_t seed;
    long passes = 0; // default: 400, fewer on large arrays (each cycle costs H*W PEs)
    int gap = 30;
    bool verbose = false;
    if (int rc = tb_main_args(
            argc, argv,
            "tb_pe_array --config FILE [--seed N] [--passes K] [--gap PERCENT] [--verbose]",
            {{"--passes", &passes, 0, INT_MAX}, {"--gap", &gap, 0, 90}}, {{"--verbose", &verbose}},
            cfg, seed))
        return rc;
    tetris_arith a;
    tetris_arith_from_config(&cfg, &a);
    if (passes == 0)
        passes = cfg.array_h * cfg.array_w > 64 ? 150 : 400;
    tetris_engine *e = nullptr;
    if (tetris_engine_create(&cfg, VAULT_BYTES, &e)) {
        std::fprintf(stderr, "cannot create the engine model\n");
        return 2;
    }
    uint64_t vbytes = 0;
    uint8_t *vault = tetris_engine_vault(e, &vbytes);

    Bench b;
    b.reset();
    uint64_t s = seed;
    tetris_error err;
    long passed = 0, failed = 0, abandoned = 0;
    uint64_t macs = 0;
    int kinds[3] = {0, 0, 0};
    for (long k = 0; k < passes; k++) {
        Pass p;
        while (!random_layer(s, cfg, p)) {
        }
        p.gap_f = gap ? test_rnd(&s, 0, gap) : 0;
        p.gap_i = gap ? test_rnd(&s, 0, gap) : 0;
        p.gap_p = gap ? test_rnd(&s, 0, gap) : 0;
        p.gap_r = gap ? test_rnd(&s, 0, gap) : 0;
        if (gap && chance(s, 8)) // now and then a start cuts a pass short
            p.abandon_at = test_rnd(&s, 1, 100);
        fill_vault(s, a, p, vault);
        std::vector<uint8_t> pre(vault, vault + p.end);
        std::vector<tetris_insn> insns = program(p);
        tetris_program prog{insns.data(), insns.size(), insns.size()};
        tetris_engine_reset_counters(e);
        if (tetris_engine_run(e, &prog, &err)) {
            describe(p, static_cast<int>(k));
            std::printf("pass %ld: the model rejects the program: %s\n", k, err.msg);
            failed++;
            continue;
        }
        const tetris_counters cnt = *tetris_engine_counters(e);
        if (verbose)
            describe(p, static_cast<int>(k));
        switch (run_pass(b, s, cfg, a, p, pre.data(), vault, cnt, static_cast<int>(k))) {
        case PASSED:
            passed++;
            macs += cnt.v[TETRIS_CNT_MACS];
            kinds[p.op]++;
            break;
        case FAILED:
            describe(p, static_cast<int>(k));
            failed++;
            b.reset(); // a broken pass may leave the array anywhere
            break;
        case ABANDONED:
            abandoned++; // the next start cuts it (PEs of the array may still be busy)
            continue;
        }
        // a few idle cycles, sometimes none, between passes
        b.idle_inputs();
        for (int i = test_rnd(&s, 0, 3); i > 0; i--)
            b.tick();
    }
    std::printf("%d MAC, %d max, %d average passes checked, %ld abandoned on purpose; %llu cycles, %llu MACs\n",
                kinds[0], kinds[1], kinds[2], abandoned, static_cast<unsigned long long>(b.cycles),
                static_cast<unsigned long long>(macs));
    std::printf("%ld passed, %ld failed\n", passed, failed);
    b.top->final();
    tetris_engine_destroy(e);
    return failed == 0 ? 0 : 1;
}
