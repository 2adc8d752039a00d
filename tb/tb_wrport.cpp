// modules: tetris_wrport
//
// Unit testbench of tetris_wrport. Seeded random word writes (GBUF and vault;
// 16-bit and 32-bit words, 32-bit words across two lines; vault writes and
// accumulates of 32-bit psums; sequential runs, words in the same line, the
// same word again, random addresses; junk in the unused upper half of 16-bit
// words) with random gaps, random ready on the GBUF port and the vault port,
// and flush pulses at random times. A GBUF port model applies each granted
// row write under its word mask (the row of g_addr as libtetris's GBUF model
// maps it: tetris_gbuf_locate), a vault model each write (16-bit lanes) and
// accumulate (32-bit lane i when mask bit 2i is set, with tetris_acc_add);
// an accumulate must set both bits of every lane it adds. The reference
// applies the same words one by one in the order they were taken, with
// tetris_acc_add for accumulates (tetris_arith_from_config). After each
// phase a flush, and as soon as idle rises both memory images must equal the
// reference. Interleaved-row phases write sequential runs in up to twice the
// writer's LINES rows in turn (as the psum-out stream does). In every phase
// the number of requests to each memory must be that of the writer's policy
// (OpenLines below: one open GBUF row; tetris_wrport_lines() open vault
// bursts, new lines in round-robin slots) over the words and flush pulses in
// the order they were taken, whatever the timing; in sequential phases that
// is the number of lines touched. Full-speed sequential phases must take a
// word every cycle (a 32-bit word across two lines every two cycles).
//
// usage: tb_wrport --config FILE [--seed N] [--phases K]
#include <climits>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <type_traits>
#include <vector>

#include "Vtetris_wrport.h"
#include "verilated.h"
#include "addr_walk.h"
#include "tbmain.h"
#include "testutil.h"

#include "tetris.h"

namespace {

enum { DST_GBUF = 0, DST_VAULT = 1 };
enum { OP_WRITE = 1, OP_ACC = 2 };

bool chance(uint64_t &s, int pct)
{
    return test_rnd(&s, 1, 100) <= pct;
}

// Word i (16 bits, at [16i +: 16]) of a Verilator port: an integer up to 64
// bits or a VlWide of 32-bit words.
template <typename T> uint16_t word_of(const T &sig, int i)
{
    static_assert(std::is_integral<T>::value, "integer port");
    return static_cast<uint16_t>(static_cast<uint64_t>(sig) >> (16 * i));
}

template <std::size_t N> uint16_t word_of(const VlWide<N> &sig, int i)
{
    return static_cast<uint16_t>(sig[static_cast<size_t>(i / 2)] >> (16 * (i % 2)));
}

template <typename T> bool bit_of(const T &sig, int i)
{
    static_assert(std::is_integral<T>::value, "integer port");
    return (static_cast<uint64_t>(sig) >> i) & 1;
}

template <std::size_t N> bool bit_of(const VlWide<N> &sig, int i)
{
    return (sig[static_cast<size_t>(i / 32)] >> (i % 32)) & 1;
}

struct Wr {
    int dst, acc, wide;
    uint32_t addr, data;
};

// The writer's policy for one memory: n open lines (slots) of 16-bit lanes.
// A half (a word, or one half of a split 32-bit word) joins the open line of
// its line when the op is the same and an accumulate adds to none of the
// line's lanes; a line whose lanes are all set is closed (sent). Otherwise
// the line there is closed and the half opens a new line in the next slot in
// round-robin order, which (vault) closes the line in the slot after that.
// A flush closes every line and sends the pointer back to slot 0. Every line
// opened is one request.
class OpenLines {
  public:
    // ahead: a new line closes the line in the slot after it (the vault's)
    OpenLines(int n, bool ahead) : slot_(static_cast<size_t>(n)), ahead_(ahead) {}
    // a half on `line`, lanes `mask` of a line of `lanes`: 1 if it opens a line
    int half(int64_t line, bool acc, uint64_t mask, int lanes)
    {
        uint64_t all = lanes >= 64 ? ~0ull : (1ull << lanes) - 1;
        for (Slot &l : slot_) {
            if (!l.open || l.line != line)
                continue;
            if (l.acc == acc && !(acc && (l.mask & mask))) {
                l.mask |= mask;
                l.open = l.mask != all;
                return 0;
            }
            l.open = false; // sent before the half
        }
        Slot &l = slot_[ptr_];
        l = {true, line, acc, mask};
        l.open = mask != all;
        ptr_ = (ptr_ + 1) % slot_.size();
        if (ahead_)
            slot_[ptr_].open = false; // the next new line's slot
        return 1;
    }
    // close every line; new lines start at slot 0 again
    void flush()
    {
        for (Slot &l : slot_)
            l.open = false;
        ptr_ = 0;
    }

  private:
    struct Slot {
        bool open;
        int64_t line;
        bool acc;
        uint64_t mask;
    };
    std::vector<Slot> slot_;
    bool ahead_;
    size_t ptr_ = 0;
};

class Bench {
  public:
    Bench(const tetris_config &cfg, uint64_t seed)
        : glines_(1, false), vlines_(tetris_wrport_lines(&cfg), true), s_(seed)
    {
        cfg_ = cfg;
        tetris_gbuf_geom_of(&cfg, &g_);
        tetris_arith_from_config(&cfg, &a_);
        burst_ = cfg.dram_burst_bytes;
        gmem_.resize(static_cast<size_t>(g_.words));
        vmem_.resize(kVaultBytes);
        for (auto &w : gmem_)
            w = static_cast<uint16_t>(test_next(&s_));
        for (auto &b : vmem_)
            b = static_cast<uint8_t>(test_next(&s_));
        gref_ = gmem_;
        vref_ = vmem_;
        vbase_ = 0x5A000000u + static_cast<uint32_t>(test_rnd(&s_, 0, 255)) * 0x10000u;
        for (auto &c : walk_.vrow)
            c = static_cast<uint32_t>(test_rnd(&s_, 0, kVaultBytes / 4 - 2)) * 4;
        top_.rst_n = 0;
        for (int i = 0; i < 3; i++)
            tick(nullptr, false);
        top_.rst_n = 1;
        tick(nullptr, false);
    }

    struct Knobs {
        int g_ready = 100, v_ready = 100, wq_valid = 100; // percent
        int p_gbuf = 50;                 // percent GBUF, the rest vault
        int acc = 30;                    // percent of vault words that accumulate
        int seq = 70, same_line = 10;    // percent sequential, in the same line
        int again = 3;                   // percent: the same word as the last
        int wide = 50, odd = 10;         // percent 32-bit; of those 2-byte aligned
        int flush = 0;                   // per mille: flush pulses
        int rows = 1;                    // vault: sequential cursors (rows) written
        int rows_turn = 100;             // percent of vault words to the next row in turn
    };

    // One phase of n words, then flush, idle and the image comparison. With
    // lines >= 0 the number of requests must equal it.
    void phase(const Knobs &k, int n, const char *name, bool strict = false)
    {
        k_ = k;
        long g0 = g_reqs_, v0 = v_reqs_;
        uint64_t c0 = cycle_;
        long stalls = 0, want_g = 0, want_v = 0;
        glines_.flush();
        vlines_.flush();
        std::vector<Wr> words;
        Wr w = next_word();
        for (int sent = 0, stuck = 0; sent < n; stuck++) {
            bool v = chance(s_, k_.wq_valid);
            bool fl = k_.flush && test_rnd(&s_, 1, 1000) <= k_.flush;
            bool taken = tick(v ? &w : nullptr, fl);
            stalls += v && !taken;
            if (taken) {
                sent++;
                stuck = 0;
                words.push_back(w);
                count_lines(w, want_g, want_v);
                w = next_word();
            }
            if (fl) { // after the word taken in its cycle
                glines_.flush();
                vlines_.flush();
            }
            if (stuck == kStuck) {
                fail("%s: no word taken for %d cycles", name, kStuck);
                return;
            }
        }
        finish(name);
        phase_cycles_ = cycle_ - c0;
        if (g_reqs_ - g0 != want_g || v_reqs_ - v0 != want_v)
            fail("%s: %ld GBUF and %ld vault requests, expected %ld and %ld (the policy)", name,
                 g_reqs_ - g0, v_reqs_ - v0, want_g, want_v);
        // full speed: a word per cycle, a split word (two halves) per two cycles,
        // so each split word but the last holds the next one back one cycle
        long splits = 0;
        for (size_t i = 0; i + 1 < words.size(); i++)
            splits += words[i].wide && words[i].addr % line_bytes(words[i].dst) ==
                                           line_bytes(words[i].dst) - 2;
        if (strict && stalls != splits)
            fail("%s: wq_ready low in %ld cycles of a full-speed stream with %ld split words",
                 name, stalls, splits);
        if (k.flush == 0 && k.seq == 100 && k.same_line == 0 && k.again == 0 && k.rows == 1) {
            long lines = lines_of(words), got = g_reqs_ - g0 + v_reqs_ - v0;
            if (got != lines)
                fail("%s: %zu words on %ld lines gave %ld requests", name, words.size(), lines, got);
            merged_words_ += static_cast<long>(words.size()), merged_reqs_ += got;
        }
    }

    // A sequential run of one memory and op: requests must equal the lines.
    void run(int dst, int acc, int wide, bool odd, int n, int ready, bool strict)
    {
        Knobs k;
        k.p_gbuf = dst == DST_GBUF ? 100 : 0;
        k.acc = acc ? 100 : 0;
        k.seq = 100, k.same_line = 0, k.again = 0;
        // one alignment for the whole run: the words never overlap
        k.wide = wide ? 100 : 0, k.odd = odd ? 100 : 0;
        k.g_ready = k.v_ready = ready;
        if (dst == DST_GBUF)
            walk_.gcur = static_cast<uint32_t>(test_rnd(&s_, 0, g_.words - 2 * n - 4));
        else
            walk_.vcur = static_cast<uint32_t>(test_rnd(&s_, 0, (kVaultBytes - 4 * n - 8) / 4)) * 4;
        phase(k, n, dst == DST_GBUF ? "GBUF run" : acc ? "vault accumulate run" : "vault run", strict);
    }

    // Interleaved rows: n vault words (32-bit psums, writes or accumulates)
    // to `rows` sequential cursors written in turn, as the psum-out stream
    // writes one psum of every (column, m, n) row per output column.
    void rows_vault(int n, int rows, int acc, int ready)
    {
        Knobs k;
        k.p_gbuf = 0, k.acc = acc, k.seq = 100, k.same_line = 0, k.again = 0;
        k.wide = 100, k.odd = 0, k.rows = rows, k.rows_turn = 100;
        k.g_ready = k.v_ready = ready;
        // disjoint rows: each starts at a random 4-byte offset in the first
        // half of its own slice of the image, and its n / rows psums stay in
        // the slice, so that no two rows share a burst
        uint32_t slice = static_cast<uint32_t>(kVaultBytes / rows) / 4 * 4;
        for (int r = 0; r < rows; r++)
            walk_.vrow[r] = static_cast<uint32_t>(r) * slice +
                       static_cast<uint32_t>(test_rnd(&s_, 0, static_cast<int>(slice / 8) - 1)) * 4;
        long v0 = v_reqs_;
        phase(k, n, "interleaved rows");
        // rows that fit: whole bursts (a burst holds burst/4 psums), up to two
        // partial ones per row
        long whole = static_cast<long>(n) * 4 / burst_ + 2L * rows;
        if (2 * rows <= tetris_wrport_lines(&cfg_) && (acc == 0 || acc == 100) && v_reqs_ - v0 > whole)
            fail("interleaved rows: %ld vault requests for %d psums in %d rows", v_reqs_ - v0, n, rows);
    }

    uint64_t &seed() { return s_; }
    long failed() const { return failed_; }
    long passed() const { return passed_; }
    void report() const
    {
        std::printf("%llu cycles: %ld words (%ld GBUF, %ld vault writes, %ld accumulates; %ld "
                    "32-bit, %ld across two lines), %ld GBUF and %ld vault requests (%ld "
                    "accumulates), %ld flushes; sequential runs: %ld words in %ld requests\n",
                    static_cast<unsigned long long>(cycle_), words_, by_kind_[0], by_kind_[1],
                    by_kind_[2], wide_, split_, g_reqs_, v_reqs_, v_accs_, flushes_, merged_words_,
                    merged_reqs_);
    }

  private:
    static constexpr int kVaultBytes = 1 << 16;
    static constexpr int kStuck = 20000;

    template <typename... A> void fail(const char *fmt, A... a)
    {
        if (failed_ < 10) {
            std::printf("cycle %llu: ", static_cast<unsigned long long>(cycle_));
            std::printf(fmt, a...);
            std::printf("\n");
        }
        failed_++;
    }

    uint32_t line_bytes(int dst) const
    {
        return dst == DST_GBUF ? 2u * static_cast<uint32_t>(g_.wpr) : static_cast<uint32_t>(burst_);
    }

    // The policy's new lines for a word, per memory (one per half at most).
    void count_lines(const Wr &w, long &g, long &v)
    {
        uint32_t lb = line_bytes(w.dst);
        int lanes = static_cast<int>(lb / 2);
        OpenLines &ol = w.dst == DST_GBUF ? glines_ : vlines_;
        long &n = w.dst == DST_GBUF ? g : v;
        uint32_t off = w.addr % lb / 2; // lane of the (low) word
        if (w.wide && off == static_cast<uint32_t>(lanes) - 1) { // split: a lane on each line
            n += ol.half(w.addr / lb, w.acc, 1ull << off, lanes);
            n += ol.half(w.addr / lb + 1, w.acc, 1ull, lanes);
        } else {
            n += ol.half(w.addr / lb, w.acc, (w.wide ? 3ull : 1ull) << off, lanes);
        }
    }

    // Lines touched by a sequence of words (each 16-bit half on its line).
    long lines_of(const std::vector<Wr> &ws) const
    {
        long n = 0;
        int64_t last = -1;
        for (const Wr &w : ws)
            for (uint32_t a = w.addr; a < w.addr + (w.wide ? 4u : 2u); a += 2) {
                int64_t line = a / line_bytes(w.dst);
                n += line != last;
                last = line;
            }
        return n;
    }

    Wr next_word()
    {
        if (chance(s_, k_.again) && have_last_) {
            Wr w = last_;
            w.data = static_cast<uint32_t>(test_next(&s_));
            if (w.acc)
                w.data = static_cast<uint32_t>(tetris_wrap(&a_, w.data));
            return w;
        }
        Wr w;
        w.dst = chance(s_, k_.p_gbuf) ? DST_GBUF : DST_VAULT;
        w.acc = w.dst == DST_VAULT && chance(s_, k_.acc);
        w.wide = w.acc || chance(s_, k_.wide);
        bool odd = !w.acc && chance(s_, k_.odd);
        bool gb = w.dst == DST_GBUF;
        uint32_t span = gb ? static_cast<uint32_t>(g_.words) : static_cast<uint32_t>(kVaultBytes / 2);
        uint32_t off = walk_.next(s_, k_, gb, span, line_bytes(w.dst) / 2, w.wide, odd);
        w.addr = gb ? off : vbase_ + off;
        w.data = static_cast<uint32_t>(test_next(&s_)); // a 16-bit word's top half is junk
        if (w.acc)
            w.data = static_cast<uint32_t>(tetris_wrap(&a_, w.data)); // a psum
        last_ = w;
        have_last_ = true;
        return w;
    }

    // The reference: the word alone, applied when it is taken.
    void apply(const Wr &w)
    {
        words_++;
        by_kind_[w.dst == DST_GBUF ? 0 : w.acc ? 2 : 1]++;
        wide_ += w.wide;
        split_ += w.wide && w.addr % line_bytes(w.dst) == line_bytes(w.dst) - 2;
        if (w.dst == DST_GBUF) {
            gref_[w.addr / 2] = static_cast<uint16_t>(w.data);
            if (w.wide)
                gref_[w.addr / 2 + 1] = static_cast<uint16_t>(w.data >> 16);
            return;
        }
        uint8_t *p = &vref_[w.addr - vbase_];
        uint32_t v = w.data;
        if (w.acc) {
            uint32_t old = 0;
            std::memcpy(&old, p, 4); // little-endian host
            v = static_cast<uint32_t>(tetris_acc_add(&a_, static_cast<int32_t>(old), static_cast<int32_t>(w.data)));
        }
        for (int i = 0; i < (w.wide ? 4 : 2); i++)
            p[i] = static_cast<uint8_t>(v >> (8 * i));
    }

    // One clock cycle; w (may be null) is presented; true when it is taken.
    bool tick(const Wr *w, bool flush)
    {
        Vtetris_wrport &t = top_;
        t.wq_valid = w != nullptr;
        if (w) {
            t.wq_dst = static_cast<uint8_t>(w->dst);
            t.wq_acc = static_cast<uint8_t>(w->acc);
            t.wq_wide = static_cast<uint8_t>(w->wide);
            t.wq_addr = w->addr;
            t.wq_data = w->data;
        } else { // junk while not valid
            t.wq_dst = static_cast<uint8_t>(test_rnd(&s_, 0, 1));
            t.wq_addr = static_cast<uint32_t>(test_next(&s_));
            t.wq_data = static_cast<uint32_t>(test_next(&s_));
        }
        t.flush = flush;
        flushes_ += flush;
        t.g_ready = chance(s_, k_.g_ready);
        t.v_req_ready = chance(s_, k_.v_ready);
        t.clk = 0;
        t.eval();
        bool taken = w && t.wq_ready;
        if (taken)
            apply(*w);
        if (t.g_valid && t.g_ready)
            gbuf_write();
        if (t.v_req_valid && t.v_req_ready)
            vault_request();
        t.clk = 1;
        t.eval();
        cycle_++;
        return taken;
    }

    // The GBUF port: a granted masked row write.
    void gbuf_write()
    {
        Vtetris_wrport &t = top_;
        g_reqs_++;
        if (!t.g_we || t.g_addr >= static_cast<uint32_t>(g_.words) || !t.g_wmask) {
            fail("GBUF request we %d addr %u mask %x: not a write of a row", t.g_we, t.g_addr,
                 static_cast<unsigned>(t.g_wmask));
            return;
        }
        int bank, brow;
        tetris_gbuf_locate(&g_, t.g_addr, &bank, &brow);
        uint32_t base = tetris_gbuf_addr(&g_, bank, brow, 0);
        for (int i = 0; i < g_.wpr; i++)
            if (bit_of(t.g_wmask, i))
                gmem_[base + static_cast<uint32_t>(i)] = word_of(t.g_wdata, i);
    }

    // The vault: a write (16-bit lanes) or an accumulate (32-bit lane i when
    // mask bit 2i is set; both bits must be).
    void vault_request()
    {
        Vtetris_wrport &t = top_;
        v_reqs_++;
        uint32_t a = t.v_req_addr;
        int lanes = burst_ / 2;
        bool any = false;
        for (int i = 0; i < lanes; i++)
            any = any || bit_of(t.v_req_wmask, i);
        if ((t.v_req_op != OP_WRITE && t.v_req_op != OP_ACC) || a % static_cast<uint32_t>(burst_) ||
            a < vbase_ || a - vbase_ >= static_cast<uint32_t>(kVaultBytes) || !any) {
            fail("vault request op %d addr %08x: not a masked write or accumulate of the image",
                 t.v_req_op, a);
            return;
        }
        uint8_t *p = &vmem_[a - vbase_];
        if (t.v_req_op == OP_WRITE) {
            for (int i = 0; i < lanes; i++)
                if (bit_of(t.v_req_wmask, i)) {
                    uint16_t x = word_of(t.v_req_wdata, i);
                    p[2 * i] = static_cast<uint8_t>(x);
                    p[2 * i + 1] = static_cast<uint8_t>(x >> 8);
                }
            return;
        }
        v_accs_++;
        for (int i = 0; i < lanes / 2; i++) {
            bool lo = bit_of(t.v_req_wmask, 2 * i), hi = bit_of(t.v_req_wmask, 2 * i + 1);
            if (lo != hi)
                fail("accumulate at %08x: lane %d has one mask bit of two", a, i);
            if (!lo)
                continue;
            uint32_t old = 0, add = static_cast<uint32_t>(word_of(t.v_req_wdata, 2 * i)) |
                                    static_cast<uint32_t>(word_of(t.v_req_wdata, 2 * i + 1)) << 16;
            std::memcpy(&old, p + 4 * i, 4);
            uint32_t sum = static_cast<uint32_t>(
                tetris_acc_add(&a_, static_cast<int32_t>(old), static_cast<int32_t>(add)));
            for (int b = 0; b < 4; b++)
                p[4 * i + b] = static_cast<uint8_t>(sum >> (8 * b));
        }
    }

    // Flush, wait for idle, compare the images.
    void finish(const char *name)
    {
        tick(nullptr, true);
        int guard = 0;
        Knobs keep = k_;
        if (k_.g_ready < 20)
            k_.g_ready = 20;
        if (k_.v_ready < 20)
            k_.v_ready = 20;
        while (!top_.idle && guard++ < kStuck)
            tick(nullptr, false);
        k_ = keep;
        if (!top_.idle) {
            fail("%s: not idle after a flush", name);
            return;
        }
        long gbad = 0, vbad = 0; // every wrong word or byte counts as a failure
        for (size_t i = 0; i < gmem_.size(); i++)
            if (gmem_[i] != gref_[i] && gbad++ < 3)
                std::printf("cycle %llu: %s: GBUF word %zu is %04x, expected %04x\n",
                            static_cast<unsigned long long>(cycle_), name, i, gmem_[i], gref_[i]);
        for (size_t i = 0; i < vmem_.size(); i++)
            if (vmem_[i] != vref_[i] && vbad++ < 3)
                std::printf("cycle %llu: %s: vault byte %08zx is %02x, expected %02x\n",
                            static_cast<unsigned long long>(cycle_), name, vbase_ + i, vmem_[i],
                            vref_[i]);
        failed_ += gbad + vbad;
        if (gbad + vbad == 0) // the words since the last comparison are in place
            passed_ += words_ - checked_;
        checked_ = words_;
    }

    Vtetris_wrport top_;
    OpenLines glines_, vlines_;
    tetris_config cfg_{};
    tetris_gbuf_geom g_;
    tetris_arith a_;
    int burst_;
    uint64_t s_;
    std::vector<uint16_t> gmem_, gref_; // the port's memory, the reference
    std::vector<uint8_t> vmem_, vref_;
    uint32_t vbase_ = 0;
    AddrWalk<2 * TETRIS_PORT_MAX_LINES + 8> walk_; // the words' addresses
    Wr last_{};
    bool have_last_ = false;
    Knobs k_;
    uint64_t cycle_ = 0, phase_cycles_ = 0;
    long passed_ = 0, failed_ = 0, words_ = 0, checked_ = 0, by_kind_[3] = {}, wide_ = 0, split_ = 0;
    long g_reqs_ = 0, v_reqs_ = 0, v_accs_ = 0, flushes_ = 0, merged_words_ = 0, merged_reqs_ = 0;
};

} // namespace

int main(int argc, char **argv)
{
    tetris_config cfg;
    uint64_t seed;
    int phases = 4000;
    if (int rc = tb_main_args(argc, argv, "tb_wrport --config FILE [--seed N] [--phases K]",
                              {{"--phases", &phases, 0, INT_MAX}}, {}, cfg, seed))
        return rc;
    Bench b(cfg, seed);
    uint64_t &s = b.seed();
    // full speed: a word every cycle, one request per line
    b.run(DST_GBUF, 0, 0, false, 400, 100, true);
    b.run(DST_GBUF, 0, 1, false, 400, 100, true);
    b.run(DST_VAULT, 0, 0, false, 400, 100, true);
    b.run(DST_VAULT, 1, 1, false, 400, 100, true);
    int lines = tetris_wrport_lines(&cfg);
    b.rows_vault(3000, lines / 2, 0, 100);   // fit: whole bursts
    b.rows_vault(3000, lines / 2, 100, 60);
    b.rows_vault(2000, lines + 3, 50, 80);   // do not fit: evictions
    for (int p = 0; p < phases && !b.failed(); p++) { // the first failing phase ends the run
        Bench::Knobs k;
        switch (test_rnd(&s, 0, 5)) {
        case 0: // a sequential run of one memory and op, random ready
            b.run(test_rnd(&s, 0, 1), 0, test_rnd(&s, 0, 1), test_rnd(&s, 0, 3) == 0,
                  test_rnd(&s, 10, 300), test_rnd(&s, 10, 100), false);
            continue;
        case 1: // a sequential accumulate run
            b.run(DST_VAULT, 1, 1, false, test_rnd(&s, 10, 300), test_rnd(&s, 10, 100), false);
            continue;
        case 2: // flushes at random times, the same words again
            k.flush = test_rnd(&s, 5, 100);
            k.again = 20;
            k.g_ready = test_rnd(&s, 10, 100), k.v_ready = test_rnd(&s, 10, 100);
            break;
        case 3: // interleaved vault rows, fewer or more than the lines
            k.rows = test_rnd(&s, 2, 2 * lines + 8), k.rows_turn = test_rnd(&s, 50, 100);
            k.p_gbuf = test_rnd(&s, 0, 20), k.acc = test_rnd(&s, 0, 100);
            k.seq = test_rnd(&s, 80, 100), k.same_line = 0, k.again = test_rnd(&s, 0, 5);
            k.wide = test_rnd(&s, 50, 100), k.odd = test_rnd(&s, 0, 20);
            k.g_ready = test_rnd(&s, 20, 100), k.v_ready = test_rnd(&s, 20, 100);
            k.flush = test_rnd(&s, 0, 3) == 0 ? test_rnd(&s, 1, 20) : 0;
            break;
        default: // mixed
            k.g_ready = test_rnd(&s, 5, 100), k.v_ready = test_rnd(&s, 5, 100);
            k.wq_valid = test_rnd(&s, 20, 100);
            k.p_gbuf = test_rnd(&s, 0, 100), k.acc = test_rnd(&s, 0, 100);
            k.seq = test_rnd(&s, 0, 95), k.same_line = test_rnd(&s, 0, 40);
            k.again = test_rnd(&s, 0, 10);
            k.wide = test_rnd(&s, 0, 100), k.odd = test_rnd(&s, 0, 40);
            break;
        }
        b.phase(k, test_rnd(&s, 50, 1500), "phase");
    }
    b.report();
    std::printf("%ld passed, %ld failed\n", b.passed(), b.failed());
    return b.failed() ? 1 : 0;
}
