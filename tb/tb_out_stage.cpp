// modules: tetris_out_stage
//
// Unit testbench of tetris_out_stage against the arithmetic primitives of
// libtetris (refmodel/tetris.h): every word must equal tetris_out_stage()
// (op 0 with its shift, op 1 and the reserved op 3 with shift 0) or
// tetris_avg_out() (op 2 with its area), in order. A directed phase first:
// every shift 0..acc_bits and every area 1..max_kernel^2, each with the
// extremes, rounding ties and saturation edges, with and without ReLU. Then
// seeded random words (uniform psums, small ones, ties, saturation edges,
// full-window sums) with random gaps on in_valid and random out_ready,
// alternating with phases of out_ready held high, in which every word must
// leave exactly two cycles after it entered (one word per cycle, two stages).
//
// usage: tb_out_stage --config FILE [--seed N] [--words K]
#include <climits>
#include <cstdint>
#include <cstdio>
#include <deque>
#include <vector>

#include "Vtetris_out_stage.h"
#include "verilated.h"
#include "tbmain.h"
#include "testutil.h"

#include "tetris.h"

namespace {

enum { OP_MAC = 0, OP_MAX = 1, OP_AVG = 2, OP_RESERVED = 3 };

struct Word {
    int op, shift, area, relu;
    int32_t acc; // wrapped to acc_bits, sign-extended
};

struct Expect {
    Word w;
    int16_t out;
    uint64_t taken; // cycle of in_valid & in_ready
    bool fast;      // out_ready stayed high since: must leave at taken + 2
};

// What the models make of a word.
int16_t model(const tetris_arith &a, const Word &w)
{
    switch (w.op) {
    case OP_MAC: return tetris_out_stage(&a, w.acc, w.shift, w.relu);
    case OP_AVG: return tetris_avg_out(&a, w.acc, w.area, w.relu);
    default: return tetris_out_stage(&a, w.acc, 0, w.relu); // max; 3 as max
    }
}

class Gen {
  public:
    Gen(const tetris_arith &a, int kmax, uint64_t seed) : a_(a), areas_(kmax * kmax), s_(seed) {}

    int32_t wrap(int64_t v) const { return tetris_wrap(&a_, static_cast<uint32_t>(v)); }
    int64_t acc_min() const { return -(int64_t{1} << (a_.acc_bits - 1)); }
    int64_t acc_max() const { return (int64_t{1} << (a_.acc_bits - 1)) - 1; }
    int64_t word_min() const { return -(int64_t{1} << (a_.word_bits - 1)); }
    int64_t word_max() const { return (int64_t{1} << (a_.word_bits - 1)) - 1; }

    // Interesting values for a shift: extremes, ties of the rounding, the
    // edges where the rounded value leaves the word range.
    std::vector<int32_t> edges(int shift) const
    {
        std::vector<int32_t> v = {0, 1, -1, 2, -2, static_cast<int32_t>(acc_min()),
                                  static_cast<int32_t>(acc_max()), wrap(acc_min() + 1),
                                  wrap(acc_max() - 1)};
        int64_t unit = int64_t{1} << shift, half = shift ? unit / 2 : 0;
        for (int64_t k : {int64_t{0}, int64_t{1}, int64_t{-1}, int64_t{2}, int64_t{-2}, int64_t{5},
                          int64_t{-5}, word_max(), word_min(), word_max() + 1, word_min() - 1})
            for (int64_t d : {int64_t{-1}, int64_t{0}, int64_t{1}}) {
                int64_t x = k * unit + half + d; // around the tie above k
                if (x >= acc_min() && x <= acc_max())
                    v.push_back(static_cast<int32_t>(x));
                x = k * unit + d; // around the exact multiple
                if (x >= acc_min() && x <= acc_max())
                    v.push_back(static_cast<int32_t>(x));
            }
        return v;
    }

    // Interesting window sums for an area: full windows of the extreme words,
    // ties, small sums, the accumulator extremes.
    std::vector<int32_t> avg_edges(int area) const
    {
        std::vector<int32_t> v = {0, 1, -1, static_cast<int32_t>(acc_min()),
                                  static_cast<int32_t>(acc_max())};
        for (int64_t x : {area * word_max(), area * word_min(), area * word_max() + 1,
                          area * word_min() - 1, int64_t{area} / 2, -int64_t{area} / 2,
                          int64_t{area} / 2 + 1, -int64_t{area} / 2 - 1, int64_t{3} * area / 2,
                          int64_t{-3} * area / 2})
            if (x >= acc_min() && x <= acc_max())
                v.push_back(static_cast<int32_t>(x));
        return v;
    }

    // A random word of any op.
    Word random()
    {
        Word w;
        int r = test_rnd(&s_, 0, 15);
        w.op = r < 8 ? OP_MAC : r < 11 ? OP_MAX : r < 15 ? OP_AVG : OP_RESERVED;
        w.shift = test_rnd(&s_, 0, a_.acc_bits);
        w.area = test_rnd(&s_, 1, areas_);
        w.relu = test_rnd(&s_, 0, 1);
        int sh = w.op == OP_MAC ? w.shift : 0;
        switch (test_rnd(&s_, 0, 5)) {
        case 0: // uniform over the accumulator
            w.acc = wrap(static_cast<int64_t>(test_next(&s_)));
            break;
        case 1: { // within a few word ranges of the scaled result
            int64_t span = (word_max() + 1) << (sh < 40 ? sh : 40);
            int64_t x = static_cast<int64_t>(test_next(&s_) % static_cast<uint64_t>(8 * span)) - 4 * span;
            w.acc = wrap(x);
            break;
        }
        case 2: { // an edge of the shift (ties, saturation)
            std::vector<int32_t> e = edges(sh);
            w.acc = e[static_cast<size_t>(test_rnd(&s_, 0, static_cast<int>(e.size()) - 1))];
            break;
        }
        case 3: { // a window sum of random words (realistic pooling)
            int64_t sum = 0;
            int n = w.op == OP_AVG ? w.area : test_rnd(&s_, 1, 4);
            for (int i = 0; i < n; i++)
                sum += test_rnd(&s_, static_cast<int>(word_min()), static_cast<int>(word_max()));
            w.acc = wrap(sum);
            break;
        }
        case 4: { // an average-pool edge
            std::vector<int32_t> e = avg_edges(w.area);
            w.acc = e[static_cast<size_t>(test_rnd(&s_, 0, static_cast<int>(e.size()) - 1))];
            break;
        }
        default: // small values
            w.acc = wrap(test_rnd(&s_, -1000, 1000));
            break;
        }
        return w;
    }

    uint64_t &seed() { return s_; }

  private:
    tetris_arith a_;
    int areas_;
    uint64_t s_;
};

struct Bench {
    Vtetris_out_stage &top;
    tetris_arith a;
    uint32_t acc_mask;
    uint64_t cycle = 0;
    long passed = 0, failed = 0;
    std::deque<Expect> want;

    void fail(const char *what, const Expect *e, int got)
    {
        if (failed < 10) {
            if (e)
                std::printf("cycle %llu: %s: op %d shift %d area %d relu %d acc %ld (0x%08x): "
                            "got %d, expected %d\n",
                            static_cast<unsigned long long>(cycle), what, e->w.op, e->w.shift,
                            e->w.area, e->w.relu, static_cast<long>(e->w.acc),
                            static_cast<uint32_t>(e->w.acc), got, e->out);
            else
                std::printf("cycle %llu: %s\n", static_cast<unsigned long long>(cycle), what);
        }
        failed++;
    }

    // One cycle: present w (if any) and out_ready; true when w was taken.
    bool step(const Word *w, bool ready, bool fast)
    {
        top.in_valid = w != nullptr;
        if (w) {
            top.in_data = static_cast<uint32_t>(w->acc) & acc_mask;
            top.cfg_op = static_cast<uint8_t>(w->op);
            top.cfg_shift = static_cast<uint8_t>(w->shift);
            top.cfg_relu = static_cast<uint8_t>(w->relu);
            top.cfg_area = w->area;
        } else { // idle inputs carry junk: they must not matter
            top.in_data = static_cast<uint32_t>(cycle * 0x9E3779B9u) & acc_mask;
            top.cfg_op = static_cast<uint8_t>(cycle & 3);
        }
        top.out_ready = ready;
        top.clk = 0;
        top.eval();
        if (ready && !top.in_ready)
            fail("in_ready low while out_ready is high", nullptr, 0);
        if (top.out_valid && ready) {
            if (want.empty()) {
                fail("a word nobody sent", nullptr, 0);
            } else {
                const Expect &e = want.front();
                int16_t got = static_cast<int16_t>(top.out_data);
                if (got != e.out)
                    fail("wrong word", &e, got);
                else if (e.fast && cycle != e.taken + 2)
                    fail("latency is not two cycles with out_ready high", &e, got);
                else
                    passed++;
                want.pop_front();
            }
        }
        bool taken = w && top.in_ready;
        if (taken)
            want.push_back({*w, model(a, *w), cycle, fast});
        if (!fast) // a stalled word may leave later than two cycles
            for (Expect &e : want)
                e.fast = false;
        top.clk = 1;
        top.eval();
        cycle++;
        return taken;
    }
};

} // namespace

int main(int argc, char **argv)
{
    tetris_config cfg;
    uint64_t seed;
    long words = 8000000;
    if (int rc = tb_main_args(argc, argv, "tb_out_stage --config FILE [--seed N] [--words K]",
                              {{"--words", &words, 0, LONG_MAX}}, {}, cfg, seed))
        return rc;
    tetris_arith a;
    tetris_arith_from_config(&cfg, &a);
    const int areas = cfg.max_kernel * cfg.max_kernel;

    VerilatedContext ctx;
    Vtetris_out_stage top{&ctx};
    Bench b{top, a, 0xFFFFFFFFu >> (32 - a.acc_bits), 0, 0, 0, {}};
    Gen gen(a, cfg.max_kernel, seed);
    uint64_t &s = gen.seed();

    top.rst_n = 0;
    for (int i = 0; i < 3; i++)
        b.step(nullptr, true, false);
    top.rst_n = 1;

    // Directed: every shift and every area with their edges, ReLU off and on,
    // back to back with out_ready high.
    std::vector<Word> directed;
    for (int relu = 0; relu <= 1; relu++) {
        for (int sh = 0; sh <= a.acc_bits; sh++)
            for (int32_t v : gen.edges(sh))
                directed.push_back({OP_MAC, sh, 1, relu, v});
        for (int32_t v : gen.edges(0)) {
            directed.push_back({OP_MAX, test_rnd(&s, 0, a.acc_bits), 1, relu, v});
            directed.push_back({OP_RESERVED, 0, test_rnd(&s, 1, areas), relu, v});
        }
        for (int ar = 1; ar <= areas; ar++)
            for (int32_t v : gen.avg_edges(ar))
                directed.push_back({OP_AVG, test_rnd(&s, 0, a.acc_bits), ar, relu, v});
    }
    for (const Word &w : directed)
        if (!b.step(&w, true, true))
            b.fail("in_ready low in a stream with out_ready high", nullptr, 0);

    // Random: phases of random gaps and back-pressure, and of full speed.
    long sent = 0, stuck = 0;
    Word w = gen.random();
    while (sent < words && stuck < 10000 && b.failed < 1000) { // stuck: a hang
        bool fast = test_rnd(&s, 0, 2) == 0;
        int valid_pct = fast ? 100 : test_rnd(&s, 10, 100);
        int ready_pct = fast ? 100 : test_rnd(&s, 10, 100);
        for (int c = test_rnd(&s, 10, 2000); c > 0 && sent < words; c--) {
            bool v = test_rnd(&s, 1, 100) <= valid_pct;
            bool r = test_rnd(&s, 1, 100) <= ready_pct;
            if (b.step(v ? &w : nullptr, r, fast)) {
                sent++;
                stuck = 0;
                w = gen.random();
            } else if (++stuck == 10000) {
                b.fail("no word taken for 10000 cycles", nullptr, 0);
                break;
            }
        }
    }
    for (int i = 0; i < 8; i++) // drain
        b.step(nullptr, true, false);
    if (!b.want.empty()) {
        std::printf("%zu words did not come out\n", b.want.size());
        b.failed++;
    }
    top.final();
    std::printf("%zu directed and %ld random words in %llu cycles\n", directed.size(), sent,
                static_cast<unsigned long long>(b.cycle));
    std::printf("%ld passed, %ld failed\n", b.passed, b.failed);
    return b.failed ? 1 : 0;
}
