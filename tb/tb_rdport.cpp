// modules: tetris_rdport
//
// Unit testbench of tetris_rdport against memory images: a GBUF image in the
// layout of libtetris's GBUF model (tetris_gbuf_geom_of, tetris_gbuf_locate:
// word address a in row a / (WIDTH/16), the row holds that many consecutive
// words) behind a port model with random grant refusal and the row one cycle
// after the grant, and a vault image behind a client model with random ready
// and random in-order latency (no back-pressure on responses). Seeded random
// word requests (zero, GBUF, vault; 16 and 32 bits; sequential runs, words in
// the same line, random addresses, 32-bit words across two lines) with random
// gaps and random rs_ready back-pressure, in phases: mixed traffic, long
// stalls with long vault latencies (the line FIFOs fill: a vault read without
// room would lose data), full-speed sequential streams (one word per cycle
// from the GBUF), interleaved vault rows (up to twice the reader's LINES
// sequential cursors visited in turn or at random, as the ifmap and psum
// streams walk their rows) and random clear pulses. Every response must equal
// the image, in order, with its tag and source. Between phases, when idle,
// the images change and clear pulses: later words must see the new contents.
// Outside the random-clear phases the number of fetches of each source must
// be exactly that of the reader's policy: GBUF, the number of row changes of
// its word sequence (one row kept); vault, the misses of an ideal cache of
// tetris_rdport_lines() bursts with round-robin (FIFO) replacement over its
// word halves (VaultLines below), whatever the timing.
//
// usage: tb_rdport --config FILE [--seed N] [--phases K]
#include <algorithm>
#include <climits>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <deque>
#include <type_traits>
#include <vector>

#include "Vtetris_rdport.h"
#include "verilated.h"
#include "addr_walk.h"
#include "tbmain.h"
#include "testutil.h"

#include "tetris.h"

namespace {

enum { SRC_ZERO = 0, SRC_GBUF = 1, SRC_VAULT = 2 };

bool chance(uint64_t &s, int pct)
{
    return test_rnd(&s, 1, 100) <= pct;
}

// n 16-bit words (word i at bits [16i +: 16]) to a Verilator port: an integer
// up to 64 bits or a VlWide of 32-bit words.
template <typename T> void put_words(T &sig, const uint16_t *w, int n)
{
    static_assert(std::is_integral<T>::value, "integer port");
    uint64_t v = 0;
    for (int i = 0; i < n; i++)
        v |= static_cast<uint64_t>(w[i]) << (16 * i);
    sig = static_cast<T>(v);
}

template <std::size_t N> void put_words(VlWide<N> &sig, const uint16_t *w, int n)
{
    for (int i = 0; i < n; i += 2)
        sig[i / 2] = w[i] | (i + 1 < n ? static_cast<uint32_t>(w[i + 1]) << 16 : 0u);
}

struct Req {
    int src, wide;
    uint32_t addr, tag;
};

// The reader's vault policy: n fully-associative lines, a miss fills the next
// line in round-robin order (one pointer, advanced per fetch), clear forgets
// every line and keeps the pointer.
class VaultLines {
  public:
    explicit VaultLines(int n) : tag_(static_cast<size_t>(n)), ok_(static_cast<size_t>(n)) {}
    bool miss(int64_t line)
    {
        for (size_t i = 0; i < tag_.size(); i++)
            if (ok_[i] && tag_[i] == line)
                return false;
        tag_[ptr_] = line;
        ok_[ptr_] = true;
        ptr_ = (ptr_ + 1) % tag_.size();
        return true;
    }
    // forget every line; the pointer is the reader's after `fetches` fetches
    void clear(long fetches)
    {
        std::fill(ok_.begin(), ok_.end(), false);
        ptr_ = static_cast<size_t>(fetches) % tag_.size();
    }
    int lines() const { return static_cast<int>(tag_.size()); }

  private:
    std::vector<int64_t> tag_;
    std::vector<bool> ok_;
    size_t ptr_ = 0;
};

struct Rsp {
    Req req;
    uint32_t data;
    uint64_t taken; // cycle of rq_valid & rq_ready
};

class Bench {
  public:
    Bench(const tetris_config &cfg, uint64_t seed) : vlines_(tetris_rdport_lines(&cfg)), s_(seed)
    {
        tetris_gbuf_geom_of(&cfg, &g_);
        burst_ = cfg.dram_burst_bytes;
        gmem_.resize(static_cast<size_t>(g_.words));
        vmem_.resize(kVaultBytes);
        for (auto &w : gmem_)
            w = static_cast<uint16_t>(test_next(&s_));
        for (auto &b : vmem_)
            b = static_cast<uint8_t>(test_next(&s_));
        // a window high in the address space, so that every address bit counts
        vbase_ = 0xA5000000u + static_cast<uint32_t>(test_rnd(&s_, 0, 255)) * 0x10000u;
        walk_.gcur = static_cast<uint32_t>(test_rnd(&s_, 0, g_.words - 2));
        walk_.vcur = static_cast<uint32_t>(test_rnd(&s_, 0, kVaultBytes / 2 - 2)) * 2;
        for (auto &c : walk_.vrow)
            c = static_cast<uint32_t>(test_rnd(&s_, 0, kVaultBytes / 2 - 2)) * 2;
        top_.rst_n = 0;
        for (int i = 0; i < 3; i++)
            tick(nullptr, false);
        top_.rst_n = 1;
        tick(nullptr, false);
    }

    // Phase knobs.
    struct Knobs {
        int g_ready = 100, v_ready = 100, rs_ready = 100, rq_valid = 100; // percent
        int lat_min = 1, lat_max = 1;                                      // vault latency, cycles
        int p_zero = 10, p_gbuf = 45;  // percent of requests; the rest vault
        int seq = 70, same_line = 10;  // percent sequential, percent within the line
        int wide = 50, odd = 10;       // percent 32-bit, percent of those 2-byte aligned
        int clear = 0;                 // per mille: clear pulses at random times
        int rows = 1;                  // vault: sequential cursors (rows) walked
        int rows_turn = 100;           // percent of vault words from the next row in turn
    };

    // One phase of n requests.
    void phase(const Knobs &k, int n, const char *name)
    {
        k_ = k;
        long g0 = g_fetches_, v0 = v_fetches_;
        counted_ = k.clear == 0;
        long want_g = 0, want_v = 0;
        vlines_.clear(v_fetches_);
        uint64_t c0 = cycle_;
        Req r = next_req();
        for (int sent = 0, stuck = 0; sent < n; stuck++) {
            bool v = chance(s_, k_.rq_valid);
            bool clr = k_.clear && test_rnd(&s_, 1, 1000) <= k_.clear;
            if (tick(v ? &r : nullptr, clr)) {
                sent++;
                stuck = 0;
                count_lines(r, want_g, want_v);
                r = next_req();
            }
            if (stuck == kStuck) {
                fail("%s: no request taken for %d cycles", name, kStuck);
                return;
            }
        }
        drain();
        if (counted_ && (g_fetches_ - g0 != want_g || v_fetches_ - v0 != want_v))
            fail("%s: %ld GBUF and %ld vault fetches, expected %ld and %ld (the policy)", name,
                 g_fetches_ - g0, v_fetches_ - v0, want_g, want_v);
        phase_cycles_ = cycle_ - c0;
        change_memory();
    }

    // Full-speed sequential 16-bit GBUF words: one per cycle.
    void stream_gbuf(int n)
    {
        Knobs k;
        k.p_zero = 0, k.p_gbuf = 100, k.seq = 100, k.same_line = 0, k.wide = 0;
        walk_.gcur = static_cast<uint32_t>(test_rnd(&s_, 0, g_.words - n - 2));
        strict_ = true; // every word 3 cycles after its request
        phase(k, n, "GBUF stream");
        strict_ = false;
        // the request and response registers and the queue: 3 cycles of
        // latency, 4 to drain, then one word per cycle
        if (phase_cycles_ > static_cast<uint64_t>(n) + 8)
            fail("GBUF stream: %d words took %llu cycles", n,
                 static_cast<unsigned long long>(phase_cycles_));
        stream_rate_ = static_cast<double>(n) / static_cast<double>(phase_cycles_);
    }

    // Interleaved rows: n words from `rows` sequential vault cursors visited in
    // turn (as the ifmap stream walks its rows per output column), now and
    // then a random one; fetches are counted against VaultLines.
    void rows_vault(int n, int rows, int lat)
    {
        Knobs k;
        k.p_zero = 5, k.p_gbuf = 10, k.seq = 100, k.same_line = 0, k.wide = 30;
        k.rows = rows, k.rows_turn = 90;
        k.lat_min = 1, k.lat_max = lat;
        k.v_ready = 70, k.rs_ready = 80;
        long v0 = v_fetches_;
        phase(k, n, "interleaved rows");
        if (rows <= vlines_.lines() / 2 && v_fetches_ - v0 > n / 4)
            fail("interleaved rows: %ld vault fetches for %d words in %d rows", v_fetches_ - v0, n, rows);
    }

    // Sequential 16-bit vault words at a fixed latency, everything ready.
    void stream_vault(int n, int lat)
    {
        Knobs k;
        k.p_zero = 0, k.p_gbuf = 0, k.seq = 100, k.same_line = 0, k.wide = 0;
        k.lat_min = k.lat_max = lat;
        walk_.vcur = static_cast<uint32_t>(test_rnd(&s_, 0, (kVaultBytes - 2 * n) / 2 - 2)) * 2;
        phase(k, n, "vault stream");
        vault_rate_ = static_cast<double>(n) / static_cast<double>(phase_cycles_);
    }

    uint64_t &seed() { return s_; }
    long passed() const { return passed_; }
    long failed() const { return failed_; }
    void report() const
    {
        std::printf("%llu cycles: %ld responses (%ld zero, %ld GBUF, %ld vault; %ld 32-bit, %ld "
                    "across two lines), %ld GBUF and %ld vault fetches, %ld grants refused, %ld "
                    "clears; stream rates: GBUF %.3f, vault %.3f words/cycle\n",
                    static_cast<unsigned long long>(cycle_), passed_, by_src_[0], by_src_[1],
                    by_src_[2], wide_, split_, g_fetches_, v_fetches_, refused_, clears_,
                    stream_rate_, vault_rate_);
    }

  private:
    static constexpr int kVaultBytes = 1 << 16;
    static constexpr int kStuck = 20000; // cycles without progress: a hang

    template <typename... A> void fail(const char *fmt, A... a)
    {
        if (failed_ < 10) {
            std::printf("cycle %llu: ", static_cast<unsigned long long>(cycle_));
            std::printf(fmt, a...);
            std::printf("\n");
        }
        failed_++;
    }

    uint32_t vread(uint32_t addr, int bytes) const
    {
        uint32_t v = 0;
        for (int i = 0; i < bytes; i++)
            v |= static_cast<uint32_t>(vmem_[addr - vbase_ + static_cast<uint32_t>(i)]) << (8 * i);
        return v;
    }

    // The expected response, from the images when the request is taken.
    uint32_t expect(const Req &r) const
    {
        uint32_t lo, hi;
        if (r.src == SRC_GBUF) {
            lo = gmem_[r.addr / 2];
            hi = r.wide ? gmem_[r.addr / 2 + 1] : 0;
        } else if (r.src == SRC_VAULT) {
            lo = vread(r.addr, 2);
            hi = r.wide ? vread(r.addr + 2, 2) : 0;
        } else {
            return 0;
        }
        if (!r.wide)
            return static_cast<uint32_t>(static_cast<int32_t>(static_cast<int16_t>(lo)));
        return lo | hi << 16;
    }

    // Line changes of a request's halves: the fetches it must cause.
    void count_lines(const Req &r, long &g, long &v)
    {
        if (r.src == SRC_ZERO)
            return;
        uint32_t line_bytes = r.src == SRC_GBUF ? 2u * static_cast<uint32_t>(g_.wpr)
                                                : static_cast<uint32_t>(burst_);
        int64_t &last = r.src == SRC_GBUF ? last_gline_ : last_vline_;
        long &n = r.src == SRC_GBUF ? g : v;
        for (uint32_t a = r.addr; a < r.addr + (r.wide ? 4u : 2u); a += 2) {
            int64_t line = a / line_bytes;
            if (r.src == SRC_VAULT)
                n += vlines_.miss(line);
            else if (line != last)
                n++;
            last = line;
        }
    }

    Req next_req()
    {
        Req r;
        int p = test_rnd(&s_, 1, 100);
        r.src = p <= k_.p_zero ? SRC_ZERO : p <= k_.p_zero + k_.p_gbuf ? SRC_GBUF : SRC_VAULT;
        r.wide = chance(s_, k_.wide);
        r.tag = static_cast<uint32_t>(test_next(&s_)) & 0xFFu;
        bool odd = chance(s_, k_.odd);
        if (r.src == SRC_ZERO) {
            r.addr = static_cast<uint32_t>(test_next(&s_)); // ignored
            return r;
        }
        bool gb = r.src == SRC_GBUF;
        uint32_t span = gb ? static_cast<uint32_t>(g_.words) : static_cast<uint32_t>(kVaultBytes / 2);
        uint32_t line = gb ? static_cast<uint32_t>(g_.wpr) : static_cast<uint32_t>(burst_ / 2);
        uint32_t off = walk_.next(s_, k_, gb, span, line, r.wide, odd);
        r.addr = gb ? off : vbase_ + off;
        return r;
    }

    // One clock cycle; rq (may be null) is presented; true when it is taken.
    bool tick(const Req *rq, bool clear)
    {
        Vtetris_rdport &t = top_;
        t.rq_valid = rq != nullptr;
        if (rq) {
            t.rq_src = static_cast<uint8_t>(rq->src);
            t.rq_wide = static_cast<uint8_t>(rq->wide);
            t.rq_addr = rq->addr;
            t.rq_tag = rq->tag;
        } else { // junk while not valid
            t.rq_src = static_cast<uint8_t>(test_rnd(&s_, 0, 3));
            t.rq_addr = static_cast<uint32_t>(test_next(&s_));
        }
        t.clear = clear;
        clears_ += clear;
        t.rs_ready = chance(s_, k_.rs_ready);
        // GBUF port: random refusal; the row granted last cycle returns now
        t.g_ready = chance(s_, k_.g_ready);
        std::vector<uint16_t> row(static_cast<size_t>(g_.wpr));
        t.g_rvalid = g_pending_;
        for (int i = 0; i < g_.wpr; i++)
            row[static_cast<size_t>(i)] =
                g_pending_ ? gmem_[g_row_ * static_cast<uint32_t>(g_.wpr) + static_cast<uint32_t>(i)]
                           : static_cast<uint16_t>(test_next(&s_)); // junk unless rvalid
        put_words(t.g_rdata, row.data(), g_.wpr);
        // vault: random ready, in-order responses at their due cycle
        t.v_req_ready = chance(s_, k_.v_ready);
        std::vector<uint16_t> burst(static_cast<size_t>(burst_ / 2));
        bool rsp = !vq_.empty() && vq_.front().first <= cycle_;
        t.v_rsp_valid = rsp;
        for (int i = 0; i < burst_ / 2; i++)
            burst[static_cast<size_t>(i)] =
                rsp ? static_cast<uint16_t>(vread(vq_.front().second + 2u * static_cast<uint32_t>(i), 2))
                    : static_cast<uint16_t>(test_next(&s_));
        put_words(t.v_rsp_data, burst.data(), burst_ / 2);
        if (rsp)
            vq_.pop_front();

        t.clk = 0;
        t.eval();

        // idle (registers only) must be low while anything taken is in flight
        if (t.idle && (!want_.empty() || !vq_.empty() || g_pending_))
            fail("idle with %zu responses, %zu vault reads, %d GBUF read in flight", want_.size(),
                 vq_.size(), g_pending_);
        bool taken = rq && t.rq_ready;
        if (taken)
            want_.push_back({*rq, expect(*rq), cycle_});
        if (t.rs_valid && t.rs_ready) {
            if (want_.empty()) {
                fail("a response nobody asked for");
            } else {
                const Rsp &e = want_.front();
                if (t.rs_data != e.data || t.rs_tag != e.req.tag ||
                    t.rs_src != static_cast<uint8_t>(e.req.src)) {
                    fail("response src %d wide %d addr %08x tag %02x: got %08x tag %02x src %d, "
                         "expected %08x",
                         e.req.src, e.req.wide, e.req.addr, e.req.tag, t.rs_data, t.rs_tag, t.rs_src,
                         e.data);
                } else if (strict_ && cycle_ - e.taken != 3) {
                    fail("response to addr %08x %llu cycles after its request, not 3", e.req.addr,
                         static_cast<unsigned long long>(cycle_ - e.taken));
                } else {
                    passed_++;
                    by_src_[e.req.src]++;
                    wide_ += e.req.wide;
                    uint32_t lb = e.req.src == SRC_GBUF ? 2u * static_cast<uint32_t>(g_.wpr)
                                                        : static_cast<uint32_t>(burst_);
                    split_ += e.req.src && e.req.wide && e.req.addr % lb == lb - 2;
                }
                want_.pop_front();
            }
        }
        g_pending_ = false;
        if (t.g_valid && t.g_ready) {
            if (t.g_addr >= static_cast<uint32_t>(g_.words)) {
                fail("GBUF read of word %u beyond %d", t.g_addr, g_.words);
            } else {
                int bank, brow;
                tetris_gbuf_locate(&g_, t.g_addr, &bank, &brow);
                // the row holds wpr consecutive words of one bank
                g_row_ = tetris_gbuf_addr(&g_, bank, brow, 0) / static_cast<uint32_t>(g_.wpr);
                g_pending_ = true;
            }
            g_fetches_++;
        }
        if (t.g_valid && !t.g_ready)
            refused_++;
        if (t.v_req_valid && t.v_req_ready) {
            uint32_t a = t.v_req_addr;
            if (a % static_cast<uint32_t>(burst_) || a < vbase_ ||
                a - vbase_ >= static_cast<uint32_t>(kVaultBytes)) {
                fail("vault read of %08x: not an aligned burst of the image", a);
            } else {
                uint64_t due = cycle_ + static_cast<uint64_t>(test_rnd(&s_, k_.lat_min, k_.lat_max));
                if (!vq_.empty() && due <= vq_.back().first)
                    due = vq_.back().first + 1; // in order, one per cycle
                vq_.push_back({due, a});
            }
            v_fetches_++;
        }
        t.clk = 1;
        t.eval();
        cycle_++;
        return taken;
    }

    // No new requests until every response has come and the port is idle.
    void drain()
    {
        Knobs keep = k_;
        k_.rs_ready = keep.rs_ready < 30 ? 30 : keep.rs_ready;
        int guard = 0;
        while ((!want_.empty() || !top_.idle) && guard++ < kStuck)
            tick(nullptr, false);
        if (!want_.empty() || !top_.idle)
            fail("did not drain: %zu responses missing", want_.size());
        k_ = keep;
    }

    // Idle: change the images (also inside the lines just used), then clear.
    void change_memory()
    {
        for (int i = 0; i < 64; i++) {
            gmem_[static_cast<size_t>(test_rnd(&s_, 0, g_.words - 1))] = static_cast<uint16_t>(test_next(&s_));
            vmem_[static_cast<size_t>(test_rnd(&s_, 0, kVaultBytes - 1))] = static_cast<uint8_t>(test_next(&s_));
        }
        for (int i = -4; i < 8; i++) { // around the cursors: the buffered lines
            int64_t ga = static_cast<int64_t>(walk_.gcur) + i, va = static_cast<int64_t>(walk_.vcur) + i;
            if (ga >= 0 && ga < g_.words)
                gmem_[static_cast<size_t>(ga)] ^= 0x5A5Au;
            if (va >= 0 && va < kVaultBytes)
                vmem_[static_cast<size_t>(va)] ^= 0xA5u;
        }
        tick(nullptr, true);
        last_gline_ = last_vline_ = -1;
    }

    Vtetris_rdport top_;
    VaultLines vlines_;
    tetris_gbuf_geom g_;
    int burst_;
    uint64_t s_;
    std::vector<uint16_t> gmem_;
    std::vector<uint8_t> vmem_;
    uint32_t vbase_ = 0;
    AddrWalk<2 * TETRIS_PORT_MAX_LINES + 8> walk_; // the words' addresses
    Knobs k_;
    bool counted_ = true;
    bool strict_ = false; // check the latency of 3 cycles
    int64_t last_gline_ = -1, last_vline_ = -1; // last line of each source's word sequence
    bool g_pending_ = false;                    // a GBUF read granted last cycle
    uint32_t g_row_ = 0;                        // its row (first word / wpr)
    std::deque<std::pair<uint64_t, uint32_t>> vq_; // vault reads: (due cycle, address)
    std::deque<Rsp> want_;
    uint64_t cycle_ = 0, phase_cycles_ = 0;
    long passed_ = 0, failed_ = 0, g_fetches_ = 0, v_fetches_ = 0, refused_ = 0, clears_ = 0;
    long by_src_[3] = {}, wide_ = 0, split_ = 0;
    double stream_rate_ = 0, vault_rate_ = 0;
};

} // namespace

int main(int argc, char **argv)
{
    tetris_config cfg;
    uint64_t seed;
    int phases = 2000;
    if (int rc = tb_main_args(argc, argv, "tb_rdport --config FILE [--seed N] [--phases K]",
                              {{"--phases", &phases, 0, INT_MAX}}, {}, cfg, seed))
        return rc;
    Bench b(cfg, seed);
    uint64_t &s = b.seed();
    b.stream_gbuf(500);
    b.stream_vault(500, 17);
    int lines = tetris_rdport_lines(&cfg);
    b.rows_vault(3000, lines / 2, 20);  // fit: about a fetch per burst
    b.rows_vault(3000, lines, 20);      // fit exactly
    b.rows_vault(2000, lines + 3, 20);  // do not fit: thrash, counted all the same
    for (int p = 0; p < phases && !b.failed(); p++) { // the first failing phase ends the run
        Bench::Knobs k;
        switch (test_rnd(&s, 0, 6)) {
        case 0: // stalls: long latencies, little rs_ready: the line FIFOs fill
            k.rs_ready = test_rnd(&s, 2, 20);
            k.lat_min = test_rnd(&s, 10, 40), k.lat_max = k.lat_min + test_rnd(&s, 0, 40);
            k.seq = test_rnd(&s, 0, 50);
            break;
        case 1: // random clears
            k.clear = test_rnd(&s, 5, 50);
            k.g_ready = test_rnd(&s, 30, 100), k.v_ready = test_rnd(&s, 30, 100);
            k.lat_min = 1, k.lat_max = test_rnd(&s, 1, 30);
            break;
        case 2: // full speed, short latencies
            k.lat_min = 1, k.lat_max = test_rnd(&s, 1, 4);
            k.seq = 90;
            break;
        case 3: // 32-bit words, many across lines
            k.wide = 100, k.odd = 50, k.seq = 80;
            k.g_ready = test_rnd(&s, 20, 100), k.v_ready = test_rnd(&s, 20, 100);
            k.rs_ready = test_rnd(&s, 20, 100), k.lat_min = 1, k.lat_max = 20;
            break;
        case 4: // interleaved vault rows, fewer or more than the lines
            k.rows = test_rnd(&s, 2, 2 * lines + 8), k.rows_turn = test_rnd(&s, 50, 100);
            k.p_zero = test_rnd(&s, 0, 10), k.p_gbuf = test_rnd(&s, 0, 20);
            k.seq = test_rnd(&s, 70, 100), k.wide = test_rnd(&s, 0, 100), k.odd = test_rnd(&s, 0, 30);
            k.v_ready = test_rnd(&s, 20, 100), k.rs_ready = test_rnd(&s, 20, 100);
            k.lat_min = test_rnd(&s, 1, 10), k.lat_max = k.lat_min + test_rnd(&s, 0, 40);
            break;
        default: // mixed
            k.g_ready = test_rnd(&s, 20, 100), k.v_ready = test_rnd(&s, 20, 100);
            k.rs_ready = test_rnd(&s, 20, 100), k.rq_valid = test_rnd(&s, 20, 100);
            k.lat_min = test_rnd(&s, 1, 10), k.lat_max = k.lat_min + test_rnd(&s, 0, 30);
            k.p_zero = test_rnd(&s, 0, 20), k.p_gbuf = test_rnd(&s, 0, 100 - k.p_zero);
            k.seq = test_rnd(&s, 0, 95), k.same_line = test_rnd(&s, 0, 30);
            k.wide = test_rnd(&s, 0, 100), k.odd = test_rnd(&s, 0, 30);
            break;
        }
        b.phase(k, test_rnd(&s, 100, 2000), "phase");
    }
    b.report();
    std::printf("%ld passed, %ld failed\n", b.passed(), b.failed());
    return b.failed() ? 1 : 0;
}
