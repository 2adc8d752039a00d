// modules: tetris_sram tetris_gbuf
//
// Unit testbench of tetris_gbuf against its cycle-level model in libtetris
// (tetris_gbuf_model_cycle). A fill phase writes every row through port 0;
// then K cycles of seeded random traffic on all four ports: reads, masked
// writes (full, single-word, empty masks), sequential streams that rotate
// through the banks, requests aimed at one hot bank so that ports collide, a
// port that loses arbitration mostly retrying the same request, and now and
// then a reset. Every cycle ready, conflict, rvalid and rdata of each port
// must equal the model's outputs; the testbench computes no expected value
// itself.
#include <climits>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <type_traits>

#include "Vtetris_gbuf.h"
#include "verilated.h"
#include "tbmain.h"
#include "testutil.h"

#include "tetris.h"

namespace {

// One in n.
bool chance(uint64_t &s, int n)
{
    return test_rnd(&s, 1, n) == 1;
}

// A bank row (wpr 16-bit words, word i in bits [16i+15:16i]) to and from a
// Verilator port: an integer up to 64 bits or a VlWide of 32-bit words.
template <typename T> void put_row(T &sig, const uint16_t *w, int wpr)
{
    static_assert(std::is_integral<T>::value, "integer port");
    uint64_t v = 0;
    for (int i = 0; i < wpr; i++)
        v |= static_cast<uint64_t>(w[i]) << (16 * i);
    sig = static_cast<T>(v);
}

template <std::size_t N> void put_row(VlWide<N> &sig, const uint16_t *w, int wpr)
{
    for (int i = 0; i < wpr; i += 2)
        sig[i / 2] = w[i] | (i + 1 < wpr ? static_cast<uint32_t>(w[i + 1]) << 16 : 0u);
}

template <typename T> void get_row(const T &sig, uint16_t *w, int wpr)
{
    static_assert(std::is_integral<T>::value, "integer port");
    for (int i = 0; i < wpr; i++)
        w[i] = static_cast<uint16_t>(static_cast<uint64_t>(sig) >> (16 * i));
}

template <std::size_t N> void get_row(const VlWide<N> &sig, uint16_t *w, int wpr)
{
    for (int i = 0; i < wpr; i++)
        w[i] = static_cast<uint16_t>(sig[i / 2] >> (16 * (i % 2)));
}

// Inputs to the RTL, outputs back into the model's structure.
void drive(Vtetris_gbuf &t, const tetris_gbuf_in &in, int wpr)
{
#define TB_PORT_IN(P)                                          \
    t.p##P##_valid = in.port[P].valid;                         \
    t.p##P##_we = in.port[P].we;                               \
    t.p##P##_addr = in.port[P].addr;                           \
    put_row(t.p##P##_wdata, in.port[P].wdata, wpr);            \
    t.p##P##_wmask = in.port[P].wmask;
    TB_PORT_IN(0)
    TB_PORT_IN(1)
    TB_PORT_IN(2)
    TB_PORT_IN(3)
#undef TB_PORT_IN
    t.rst_n = !in.reset;
}

void sample(const Vtetris_gbuf &t, tetris_gbuf_out &o, int wpr)
{
    std::memset(&o, 0, sizeof o);
#define TB_PORT_OUT(P)                                         \
    o.port[P].ready = t.p##P##_ready;                          \
    o.port[P].conflict = t.conflict >> (P) & 1;                \
    o.port[P].rvalid = t.p##P##_rvalid;                        \
    get_row(t.p##P##_rdata, o.port[P].rdata, wpr);
    TB_PORT_OUT(0)
    TB_PORT_OUT(1)
    TB_PORT_OUT(2)
    TB_PORT_OUT(3)
#undef TB_PORT_OUT
}

std::string row_str(const uint16_t *w, int wpr)
{
    std::string s;
    char buf[8];
    for (int i = wpr - 1; i >= 0; i--) {
        std::snprintf(buf, sizeof buf, "%04x", w[i]);
        s += buf;
    }
    return s;
}

// Compare one cycle; describe the first difference in why.
bool agree(const tetris_gbuf_out &want, const tetris_gbuf_out &got, int wpr, std::string &why)
{
    char buf[256];
    size_t row = static_cast<size_t>(wpr) * sizeof(uint16_t);
    for (int p = 0; p < TETRIS_GBUF_PORTS; p++) {
        const tetris_gbuf_rsp &w = want.port[p], &g = got.port[p];
        if (w.ready != g.ready || w.conflict != g.conflict || w.rvalid != g.rvalid ||
            std::memcmp(w.rdata, g.rdata, row) != 0) {
            std::snprintf(buf, sizeof buf,
                          "port %d: ready/conflict/rvalid/rdata model %d/%d/%d/%s, RTL %d/%d/%d/%s", p,
                          w.ready, w.conflict, w.rvalid, row_str(w.rdata, wpr).c_str(), g.ready,
                          g.conflict, g.rvalid, row_str(g.rdata, wpr).c_str());
            why = buf;
            return false;
        }
    }
    return true;
}

// The random traffic of the second phase.
class Traffic {
  public:
    Traffic(const tetris_gbuf_geom &g, uint64_t seed) : g_(g), s_(seed)
    {
        std::memset(&in_, 0, sizeof in_);
    }

    // The inputs of the next cycle, given the outputs of the last one.
    const tetris_gbuf_in &step(const tetris_gbuf_out &last)
    {
        if (chance(s_, 256)) { // a new traffic mix
            load_ = test_rnd(&s_, 1, 4);
            hot_bank_ = test_rnd(&s_, 0, g_.banks - 1);
        }
        for (int p = 0; p < TETRIS_GBUF_PORTS; p++) {
            tetris_gbuf_req &r = in_.port[p];
            bool lost = r.valid && !last.port[p].ready;
            if (r.valid && !lost && stream_[p])
                stream_addr_[p] = (stream_addr_[p] + static_cast<uint32_t>(g_.wpr)) %
                                  static_cast<uint32_t>(g_.words);
            if (lost && !chance(s_, 8))
                continue; // retry the same request
            new_request(p, r);
        }
        in_.reset = in_.reset ? !chance(s_, 2) : chance(s_, 4096);
        return in_;
    }

  private:
    void random_row(uint16_t *w)
    {
        for (int i = 0; i < g_.wpr; i++)
            w[i] = static_cast<uint16_t>(test_next(&s_));
    }

    uint32_t random_addr()
    {
        int bank = chance(s_, 2) ? hot_bank_ : test_rnd(&s_, 0, g_.banks - 1);
        int row = chance(s_, 4) ? test_rnd(&s_, 0, g_.depth < 4 ? g_.depth - 1 : 3)
                                : test_rnd(&s_, 0, g_.depth - 1);
        return tetris_gbuf_addr(&g_, bank, row, test_rnd(&s_, 0, g_.wpr - 1));
    }

    void new_request(int p, tetris_gbuf_req &r)
    {
        if (chance(s_, 64)) { // start or stop a sequential stream
            stream_[p] = !stream_[p];
            stream_addr_[p] = random_addr();
        }
        r.valid = test_rnd(&s_, 1, 5) <= load_;
        // ports 1 and 2 are read streams in the engine; write on them rarely
        r.we = p == TETRIS_GBUF_P_FILTER || p == TETRIS_GBUF_P_IFMAP ? chance(s_, 16)
                                                                     : test_rnd(&s_, 0, 1);
        r.addr = stream_[p] ? stream_addr_[p] : random_addr();
        uint32_t full = static_cast<uint32_t>((uint64_t{1} << g_.wpr) - 1);
        switch (test_rnd(&s_, 0, 3)) {
        case 0: r.wmask = full; break;
        case 1: r.wmask = 1u << test_rnd(&s_, 0, g_.wpr - 1); break;
        case 2: r.wmask = chance(s_, 4) ? 0u : static_cast<uint32_t>(test_next(&s_)) & full; break;
        default: r.wmask = static_cast<uint32_t>(test_next(&s_)) & full; break;
        }
        random_row(r.wdata);
    }

    tetris_gbuf_geom g_;
    uint64_t s_;
    tetris_gbuf_in in_;
    int load_ = 3;     // a port requests with probability load_ / 5
    int hot_bank_ = 0; // half of the random addresses fall into this bank
    int stream_[TETRIS_GBUF_PORTS] = {}; // the port walks sequential rows
    uint32_t stream_addr_[TETRIS_GBUF_PORTS] = {};
};

struct Bench {
    Vtetris_gbuf &top;
    tetris_gbuf_model *model;
    int wpr;
    long cycle = 0, passed = 0, failed = 0;
    tetris_gbuf_out last{};
    // coverage, from the model's outputs: reads returned, conflicts per port
    long reads = 0, conflicts[TETRIS_GBUF_PORTS] = {};

    // One clock cycle of both; compare unless check is false.
    int run(const tetris_gbuf_in &in, bool check)
    {
        tetris_gbuf_out got;
        top.clk = 0;
        drive(top, in, wpr);
        top.eval();
        sample(top, got, wpr);
        if (tetris_gbuf_model_cycle(model, &in, &last)) {
            std::fprintf(stderr, "tb_gbuf: cycle %ld: the model rejects the inputs\n", cycle);
            return -1;
        }
        top.clk = 1;
        top.eval();
        for (int p = 0; p < TETRIS_GBUF_PORTS; p++) {
            reads += last.port[p].rvalid;
            conflicts[p] += last.port[p].conflict;
        }
        if (check) {
            std::string why;
            if (agree(last, got, wpr, why)) {
                passed++;
            } else {
                if (failed < 10)
                    std::printf("cycle %ld: %s\n", cycle, why.c_str());
                failed++;
            }
        }
        cycle++;
        return 0;
    }
};

} // namespace

int main(int argc, char **argv)
{
    tetris_config cfg;
    uint64_t seed;
    long cycles = 1000000;
    if (int rc = tb_main_args(argc, argv, "tb_gbuf --config FILE [--seed N] [--cycles K]",
                              {{"--cycles", &cycles, 0, LONG_MAX}}, {}, cfg, seed))
        return rc;
    tetris_gbuf_model *model;
    if (tetris_gbuf_model_create(&cfg, &model)) {
        std::fprintf(stderr, "tb_gbuf: cannot create the model\n");
        return 2;
    }
    const tetris_gbuf_geom g = *tetris_gbuf_model_geom(model);

    VerilatedContext ctx;
    Vtetris_gbuf top{&ctx};
    Bench b{top, model, g.wpr};
    uint64_t s = seed;
    tetris_gbuf_in in;
    std::memset(&in, 0, sizeof in);

    // Reset: the registers are unknown before the first edge, so that cycle
    // is not compared.
    in.reset = 1;
    int rc = b.run(in, false);
    for (int i = 0; !rc && i < 2; i++)
        rc = b.run(in, true);
    in.reset = 0;

    // Fill: port 0 writes every row (the SRAM contents are undefined until
    // written); the other ports are idle.
    for (int r = 0; !rc && r < g.banks * g.depth; r++) {
        tetris_gbuf_req &w = in.port[TETRIS_GBUF_P_DMA];
        w.valid = 1;
        w.we = 1;
        w.addr = static_cast<uint32_t>(r * g.wpr);
        w.wmask = static_cast<uint32_t>((uint64_t{1} << g.wpr) - 1);
        for (int i = 0; i < g.wpr; i++)
            w.wdata[i] = static_cast<uint16_t>(test_next(&s));
        for (int p = 1; p < TETRIS_GBUF_PORTS; p++)
            in.port[p].addr = static_cast<uint32_t>(test_rnd(&s, 0, g.words - 1));
        rc = b.run(in, true);
    }

    Traffic traffic(g, test_next(&s));
    for (long c = 0; !rc && c < cycles; c++)
        rc = b.run(traffic.step(b.last), true);

    top.final();
    tetris_gbuf_model_destroy(model);
    std::printf("%ld cycles: %ld reads returned, conflicts on ports 1-3 %ld %ld %ld\n", b.cycle,
                b.reads, b.conflicts[1], b.conflicts[2], b.conflicts[3]);
    std::printf("%ld passed, %ld failed\n", b.passed, b.failed);
    return rc || b.failed ? 1 : 0;
}
