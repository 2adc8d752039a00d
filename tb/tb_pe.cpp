// modules: tetris_pe
//
// Unit testbench of tetris_pe against tetris_pe_model (refmodel/pe.c):
// seeded random passes within the configuration's limits (MAC, max and add
// pooling; strides below, at and above the window width; scratchpads up to
// full), random data (the whole word range, extremes, small values), random
// gaps on every input stream, random back-pressure on the psum output,
// filters before or during the ifmap stream, and now and then a pass
// abandoned by a new start. Every psum leaving the PE must equal the model's,
// and the event outputs must add up to the pass's MACs (ev_mac) and filter
// words (ev_fwr).
//
// usage: tb_pe --config FILE [--seed N] [--passes K] [--gap PERCENT]
//   --gap 0 runs every stream without stalls. Passes without gaps (all of them
//   with --gap 0, one in ten otherwise) must take the cycles of docs/rtl.md and
//   take ifmap words of the next column while MACs issue.
#include <algorithm>
#include <climits>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <utility>
#include <vector>

#include "Vtetris_pe.h"
#include "verilated.h"
#include "tbmain.h"
#include "testutil.h"

#include "tetris.h"

namespace {

bool chance(uint64_t &s, int percent)
{
    return test_rnd(&s, 0, 99) < percent;
}

// One pass: its configuration, inputs, the model's outputs and the stimulus style.
struct Pass {
    tetris_pe_cfg c{};
    std::vector<int16_t> filter, ifmap;
    std::vector<int32_t> psum_in, expect;
    int gap_f = 0, gap_i = 0, gap_p = 0, gap_r = 0; // percent of idle cycles per stream
    bool filters_first = false; // ifmap waits for the last filter word
    int abandon_at = -1;        // cycle of the pass at which a new start cuts it
    bool steady = true;         // no gaps, filters beside the ifmaps, no abandon
};

// A pass's cycles from start until busy falls when no stream has gaps
// (docs/rtl.md, "tetris_pe"): the first word's cycle through the staging
// FIFO, then per output column x its LOAD (rows * new words) and COMP
// (MACs + 1), then the last column's drain (bm * bn psums).
uint64_t pass_cycles(const tetris_pe_cfg &c)
{
    const uint64_t rows = static_cast<uint64_t>(c.op == 0 ? c.bc : c.bm) * c.bn;
    const uint64_t step = static_cast<uint64_t>(std::min(c.u, c.s));
    const uint64_t macs = static_cast<uint64_t>(c.bm) * c.bn * c.s * (c.op == 0 ? c.bc : 1);
    const uint64_t wo = static_cast<uint64_t>(c.wo);
    return 2 + rows * static_cast<uint64_t>(c.s) + (wo - 1) * rows * step + wo * (macs + 1) +
           static_cast<uint64_t>(c.bm) * c.bn;
}

// A word (or, for psums, an accumulator value) in one of three styles:
// uniform over the range, an extreme, or small.
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

// Largest value of a block size such that every capacity limit holds.
int cap(int limit, int per)
{
    return limit / per;
}

Pass random_pass(uint64_t &s, const tetris_config &cfg, const tetris_arith &a, int gap)
{
    Pass p;
    tetris_pe_cfg &c = p.c;
    c.op = test_rnd(&s, 0, 2);
    c.s = test_rnd(&s, 1, cfg.max_kernel);
    c.u = test_rnd(&s, 1, 4);
    c.wo = test_rnd(&s, 1, 20);
    c.bc = c.bm = c.bn = 1;
    const int fw = cfg.rf_filter_words, iw = cfg.rf_ifmap_words, pw = cfg.rf_psum_words;
    // draw the three block sizes in a random order, each up to what the others allow
    int order[3] = {0, 1, 2};
    for (int i = 2; i > 0; i--)
        std::swap(order[i], order[test_rnd(&s, 0, i)]);
    for (int d : order) {
        int hi;
        if (d == 0) {
            if (c.op != 0)
                continue; // pooling: bc = 1
            hi = std::min(cap(fw, c.bm * c.s), cap(iw, c.bn * c.s));
        } else if (d == 1) {
            hi = c.op == 0 ? std::min(cap(fw, c.bc * c.s), cap(pw, c.bn))
                           : std::min(cap(iw, c.bn * c.s), cap(pw, c.bn));
        } else {
            hi = std::min(cap(iw, (c.op == 0 ? c.bc : c.bm) * c.s), cap(pw, c.bm));
        }
        int v = chance(s, 30) ? hi : test_rnd(&s, 1, hi); // often the largest that fits
        (d == 0 ? c.bc : d == 1 ? c.bm : c.bn) = v;
    }
    const int32_t wlo = tetris_word_min(&a), whi = -(wlo + 1);
    const int32_t alo = tetris_wrap(&a, 1u << (a.acc_bits - 1)), ahi = -(alo + 1);
    int dstyle = test_rnd(&s, 0, 2), pstyle = test_rnd(&s, 0, 2);
    if (c.op == 0)
        for (int i = 0; i < c.bm * c.bc * c.s; i++)
            p.filter.push_back(static_cast<int16_t>(value(s, dstyle, wlo, whi)));
    for (size_t i = 0; i < tetris_pe_ifmap_words(&c); i++)
        p.ifmap.push_back(static_cast<int16_t>(value(s, dstyle, wlo, whi)));
    for (int i = 0; i < c.wo * c.bm * c.bn; i++)
        p.psum_in.push_back(pstyle == 2 && c.op == 1 ? static_cast<int32_t>(wlo) : value(s, pstyle, alo, ahi));
    p.expect.resize(p.psum_in.size());
    if (gap > 0 && !chance(s, 10)) { // one pass in ten runs without gaps
        p.steady = false;
        p.gap_f = test_rnd(&s, 0, gap);
        p.gap_i = test_rnd(&s, 0, gap);
        p.gap_p = test_rnd(&s, 0, gap);
        p.gap_r = test_rnd(&s, 0, gap);
        p.filters_first = chance(s, 50);
        if (chance(s, 4))
            p.abandon_at = test_rnd(&s, 1, 300);
    }
    return p;
}

struct Bench {
    VerilatedContext ctx;
    std::unique_ptr<Vtetris_pe> top;
    uint32_t acc_mask;
    int kmax = 1; // array.max_kernel: the largest cfg_u that means "stride >= s"
    uint64_t cycles = 0;

    explicit Bench(int acc_bits)
        : top(new Vtetris_pe(&ctx)), acc_mask(0xFFFFFFFFu >> (32 - acc_bits))
    {
    }
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
        top->p_in_valid = 0;
        top->p_out_ready = 0;
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

enum Outcome { PASSED, FAILED, ABANDONED };

// Run one pass; when it is abandoned, the caller's next start cuts it.
Outcome run_pass(Bench &b, uint64_t &s, const tetris_arith &a, const Pass &p, int index)
{
    Vtetris_pe *t = b.top.get();
    const tetris_pe_cfg &c = p.c;
    t->cfg_op = static_cast<uint32_t>(c.op);
    t->cfg_s = static_cast<uint32_t>(c.s);
    // only min(u, s) matters to a PE: larger strides arrive as KMAX (port width)
    t->cfg_u = static_cast<uint32_t>(std::min(c.u, b.kmax));
    t->cfg_wo = static_cast<uint32_t>(c.wo);
    t->cfg_bc = static_cast<uint32_t>(c.bc);
    t->cfg_bm = static_cast<uint32_t>(c.bm);
    t->cfg_bn = static_cast<uint32_t>(c.bn);
    t->start = 1;
    t->f_valid = t->i_valid = t->p_in_valid = 0;
    t->p_out_ready = 0;
    t->eval();
    b.tick();
    t->start = 0;

    const size_t nf = p.filter.size(), ni = p.ifmap.size(), np = p.psum_in.size();
    size_t fi = 0, ii = 0, po = 0;
    int errors = 0;
    uint64_t ev_mac = 0, ev_fwr = 0; // event outputs summed over the pass
    bool overlap = false;            // an ifmap word taken while a MAC issues
    // generous bound: every MAC, word and psum, each slowed by the gaps
    const uint64_t macs = static_cast<uint64_t>(c.wo) * c.bm * c.bn * c.s * (c.op == 0 ? c.bc : 1);
    const uint64_t limit = 20 * (macs + nf + ni + np + 4 * static_cast<uint64_t>(c.wo)) + 1000;
    for (uint64_t cycle = 1;; cycle++) {
        if (!t->busy) {
            if (po != np || ii != ni || fi != nf) {
                std::printf("pass %d: busy fell early: %zu/%zu psums, %zu/%zu ifmap words, %zu/%zu filter words\n",
                            index, po, np, ii, ni, fi, nf);
                return FAILED;
            }
            // every MAC of the pass issues once, every filter word is written once
            const uint64_t fwr = c.op == 0 ? nf : 0;
            if (ev_mac != macs || ev_fwr != fwr) {
                std::printf("pass %d: events: ev_mac %llu (MACs %llu), ev_fwr %llu (filter words %llu)\n",
                            index, static_cast<unsigned long long>(ev_mac), static_cast<unsigned long long>(macs),
                            static_cast<unsigned long long>(ev_fwr), static_cast<unsigned long long>(fwr));
                return FAILED;
            }
            // without gaps: the cycles of docs/rtl.md, and column x+1's words
            // taken while column x computes
            if (p.steady && pass_cycles(c) != cycle) {
                std::printf("pass %d: %llu cycles without gaps, docs/rtl.md says %llu\n", index,
                            static_cast<unsigned long long>(cycle),
                            static_cast<unsigned long long>(pass_cycles(c)));
                return FAILED;
            }
            if (p.steady && c.wo > 1 && !overlap) {
                std::printf("pass %d: no ifmap word taken while a MAC issued\n", index);
                return FAILED;
            }
            return errors ? FAILED : PASSED;
        }
        if (po == np) {
            std::printf("pass %d: busy still high after the last psum\n", index);
            return FAILED;
        }
        if (static_cast<int>(cycle) == p.abandon_at)
            return ABANDONED;
        if (cycle > limit) {
            std::printf("pass %d: timeout after %llu cycles (%zu/%zu psums, %zu/%zu ifmap, %zu/%zu filter)\n",
                        index, static_cast<unsigned long long>(cycle), po, np, ii, ni, fi, nf);
            return FAILED;
        }
        // this cycle's inputs
        bool fv = c.op == 0 ? fi < nf && !chance(s, p.gap_f) : chance(s, 10); // pooling ignores filters
        t->f_valid = fv;
        t->f_data = static_cast<uint16_t>(c.op == 0 && fi < nf ? p.filter[fi] : test_next(&s));
        bool iv = ii < ni && (!p.filters_first || fi == nf) && !chance(s, p.gap_i);
        t->i_valid = iv;
        t->i_data = static_cast<uint16_t>(iv ? p.ifmap[ii] : test_next(&s));
        t->p_in_valid = po < np && !chance(s, p.gap_p);
        t->p_in_data = (po < np ? static_cast<uint32_t>(p.psum_in[po]) : static_cast<uint32_t>(test_next(&s))) & b.acc_mask;
        t->p_out_ready = !chance(s, p.gap_r);
        t->eval();
        // the chain handshake: a psum passes only when both sides allow
        bool out_take = t->p_out_valid && t->p_out_ready;
        bool in_take = t->p_in_valid && t->p_in_ready;
        if ((t->p_out_valid && !t->p_in_valid) || out_take != in_take) {
            std::printf("pass %d: psum handshake broken (p_in_valid %d p_in_ready %d p_out_valid %d p_out_ready %d)\n",
                        index, t->p_in_valid, t->p_in_ready, t->p_out_valid, t->p_out_ready);
            return FAILED;
        }
        if (out_take) {
            int32_t got = tetris_wrap(&a, static_cast<uint32_t>(t->p_out_data));
            if (got != p.expect[po] && ++errors <= 8) {
                size_t mn = static_cast<size_t>(c.bm) * c.bn;
                std::printf("pass %d (op %d s %d u %d wo %d bc %d bm %d bn %d): x %zu m %zu n %zu: expected %d, got %d\n",
                            index, c.op, c.s, c.u, c.wo, c.bc, c.bm, c.bn, po / mn, po % mn / c.bn, po % c.bn,
                            p.expect[po], got);
            }
            po++;
        }
        bool i_take = iv && t->i_ready;
        overlap |= i_take && t->ev_mac;
        ev_mac += t->ev_mac;
        ev_fwr += t->ev_fwr;
        b.tick();
        if (c.op == 0 && fv)
            fi++;
        if (i_take)
            ii++;
    }
}

} // namespace

int main(int argc, char **argv)
{
    tetris_config cfg;
    uint64_t seed;
    long passes = 500;
    int gap = 30;
    if (int rc = tb_main_args(argc, argv,
                              "tb_pe --config FILE [--seed N] [--passes K] [--gap PERCENT]",
                              {{"--passes", &passes, 1, INT_MAX}, {"--gap", &gap, 0, 90}}, {}, cfg,
                              seed))
        return rc;
    tetris_arith a;
    tetris_arith_from_config(&cfg, &a);

    Bench b(a.acc_bits);
    b.kmax = cfg.max_kernel;
    b.reset();
    uint64_t s = seed;
    long passed = 0, failed = 0, abandoned = 0;
    uint64_t macs = 0;
    for (long k = 0; k < passes; k++) {
        Pass p = random_pass(s, cfg, a, gap);
        if (tetris_pe_model(&a, &p.c, p.c.op == 0 ? p.filter.data() : nullptr, p.ifmap.data(),
                            p.psum_in.data(), p.expect.data())) {
            std::printf("pass %ld: the model rejects op %d s %d u %d wo %d bc %d bm %d bn %d\n", k, p.c.op,
                        p.c.s, p.c.u, p.c.wo, p.c.bc, p.c.bm, p.c.bn);
            failed++;
            continue;
        }
        switch (run_pass(b, s, a, p, static_cast<int>(k))) {
        case PASSED:
            passed++;
            macs += static_cast<uint64_t>(p.c.wo) * p.c.bm * p.c.bn * p.c.s * (p.c.op == 0 ? p.c.bc : 1);
            break;
        case FAILED:
            failed++;
            b.reset(); // a broken pass may leave the PE anywhere
            break;
        case ABANDONED:
            abandoned++; // the next start cuts it (the PE is still busy)
            continue;
        }
        // a few idle cycles, sometimes none, between passes
        b.idle_inputs();
        for (int i = test_rnd(&s, 0, 3); i > 0; i--)
            b.tick();
    }
    std::printf("%ld passes abandoned on purpose; %llu cycles, %llu MACs in checked passes\n", abandoned,
                static_cast<unsigned long long>(b.cycles), static_cast<unsigned long long>(macs));
    std::printf("%ld passed, %ld failed\n", passed, failed);
    b.top->final();
    return failed == 0 ? 0 : 1;
}
