// modules: tetris_vault_arb
//
// Unit testbench of tetris_vault_arb. The arbiter's model is trivial (pass
// every request through once, send every read response to the client that
// asked), so the testbench checks the properties themselves rather than
// comparing with libtetris:
//   - every request a client hands over reaches the vault port exactly once,
//     unchanged (op, address, data, mask), each client's in its own order;
//   - every read response goes to exactly the client whose read it answers,
//     with the vault's data, so each client gets its responses in its own
//     request order;
//   - fairness: while a client requests, the others are granted at most N - 1
//     times before it;
//   - at most one request is taken per cycle; a read is never taken while
//     ID_DEPTH reads are unanswered (the id FIFO is full);
//   - the vault port keeps valid and the request unchanged until it is taken.
// N clients (N and ID_DEPTH from the RTL's public parameters) send seeded
// random reads, writes and accumulates under changing loads; a behavioural
// vault port takes requests with random ready and answers reads in order
// after a random latency (short to longer than the id FIFO covers, so it
// fills). Usage: tb_vault_arb --config FILE [--seed N] [--cycles K]. Prints
// "N passed, M failed"; exit 0 only if nothing failed.
#include <cinttypes>
#include <climits>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <deque>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include "Vtetris_vault_arb.h"
#include "Vtetris_vault_arb_tetris_vault_arb.h" // public parameters N, ID_DEPTH
#include "verilated.h"
#include "tbmain.h"
#include "testutil.h"

#include "tetris.h"

namespace {

using Bytes = std::vector<uint8_t>; // a bit field, bit k = bit k % 8 of byte k / 8
using Arb = Vtetris_vault_arb_tetris_vault_arb;

const int kN = static_cast<int>(Arb::N);
const int kIds = static_cast<int>(Arb::ID_DEPTH);

// Bit access to a Verilator port of any width: an integer up to 64 bits or a
// VlWide of 32-bit words.
template <typename T> void set_bit(T &p, std::size_t i, bool v)
{
    static_assert(std::is_integral<T>::value, "integer port");
    uint64_t x = static_cast<uint64_t>(p) & ~(uint64_t{1} << i);
    p = static_cast<T>(x | static_cast<uint64_t>(v) << i);
}

template <std::size_t W> void set_bit(VlWide<W> &p, std::size_t i, bool v)
{
    uint32_t m = 1u << (i % 32);
    p[i / 32] = v ? (p[i / 32] | m) : (p[i / 32] & ~m);
}

template <typename T> bool get_bit(const T &p, std::size_t i)
{
    static_assert(std::is_integral<T>::value, "integer port");
    return (static_cast<uint64_t>(p) >> i) & 1;
}

template <std::size_t W> bool get_bit(const VlWide<W> &p, std::size_t i)
{
    return (p[i / 32] >> (i % 32)) & 1;
}

// Bits [lsb, lsb + n) of a port to and from a field.
template <typename T> void put_field(T &p, std::size_t lsb, std::size_t n, const Bytes &f)
{
    for (std::size_t k = 0; k < n; k++)
        set_bit(p, lsb + k, (f[k / 8] >> (k % 8)) & 1);
}

template <typename T> Bytes get_field(const T &p, std::size_t lsb, std::size_t n)
{
    Bytes f((n + 7) / 8, 0);
    for (std::size_t k = 0; k < n; k++)
        if (get_bit(p, lsb + k))
            f[k / 8] = static_cast<uint8_t>(f[k / 8] | 1u << (k % 8));
    return f;
}

Bytes field_of(uint64_t v, std::size_t n)
{
    Bytes f((n + 7) / 8);
    for (std::size_t i = 0; i < f.size(); i++)
        f[i] = static_cast<uint8_t>(v >> (8 * i));
    return f;
}

uint64_t value_of(const Bytes &f)
{
    uint64_t v = 0;
    for (std::size_t i = 0; i < f.size() && i < 8; i++)
        v |= static_cast<uint64_t>(f[i]) << (8 * i);
    return v;
}

struct Request {
    int op = 0; // enum tetris_vault_op
    uint32_t addr = 0;
    Bytes wdata, wmask;
    bool operator==(const Request &o) const
    {
        return op == o.op && addr == o.addr && wdata == o.wdata && wmask == o.wmask;
    }
    bool operator!=(const Request &o) const { return !(*this == o); }
};

struct Client {
    bool has = false;           // a request is presented (c_req_valid)
    Request cur;                // the request presented
    int others = 0;             // grants to other clients since cur was presented
    int load = 50;              // percent: chance of a new request in an idle cycle
    int reads = 40;             // percent of reads
    std::deque<Request> sent;   // taken by the arbiter, not yet at the vault
    long taken = 0, read_taken = 0, answered = 0;
};

struct Response {
    uint64_t due;  // cycle
    int client;    // whose read it answers
    Bytes data;
};

class Bench {
  public:
    Bench(int burst, uint64_t seed)
        : burst_(static_cast<std::size_t>(burst)), s_(seed), clients_(static_cast<std::size_t>(kN))
    {
        top_.reset(new Vtetris_vault_arb(&ctx_));
    }
    ~Bench() { top_->final(); }
    Bench(const Bench &) = delete;
    Bench &operator=(const Bench &) = delete;

    bool ports_match() const
    {
        return sizeof top_->req_wdata == burst_ && sizeof top_->rsp_data == burst_;
    }

    void run(long cycles)
    {
        reset();
        for (long c = 0; c < cycles; c++) {
            if (c % 2000 == 0)
                new_phase();
            for (Client &cl : clients_)
                if (!cl.has && test_rnd(&s_, 1, 100) <= cl.load)
                    present(cl);
            step();
        }
        // drain: no new requests; everything taken must arrive and be answered
        long quiet = 0;
        while (busy() && quiet < 100000 && failed_ < 100) {
            vault_ready_pct_ = 100;
            long before = progress_;
            step();
            quiet = progress_ == before ? quiet + 1 : 0;
        }
        check(!busy(), "every request is taken, delivered and answered (no deadlock)");
        for (int i = 0; i < kN; i++) {
            const Client &cl = clients_[static_cast<std::size_t>(i)];
            check(cl.answered == cl.read_taken,
                  "client " + std::to_string(i) + " got one response per read (" +
                      std::to_string(cl.answered) + " of " + std::to_string(cl.read_taken) + ")");
        }
    }

    void report() const
    {
        long reqs = 0, reads = 0;
        for (const Client &cl : clients_) {
            reqs += cl.taken;
            reads += cl.read_taken;
        }
        std::printf("N %d, ID_DEPTH %d: %" PRIu64 " cycles, %ld requests (%ld reads), vault busy"
                    " (ready low) in %ld cycles, id FIFO full in %ld cycles (%ld with a read"
                    " waiting), longest wait %d grants to others\n",
                    kN, kIds, cycle_, reqs, reads, vault_stalls_, full_cycles_, full_read_waits_,
                    max_wait_);
        std::printf("%ld passed, %ld failed\n", passed_, failed_);
    }

    long failed() const { return failed_; }

  private:
    void check(bool ok, const std::string &what)
    {
        if (ok) {
            passed_++;
            return;
        }
        if (failed_++ < 10)
            std::printf("FAIL: cycle %" PRIu64 ": %s\n", cycle_, what.c_str());
    }

    void edge()
    {
        top_->clk = 0;
        top_->eval();
        top_->clk = 1;
        top_->eval();
        cycle_++;
    }

    void reset()
    {
        top_->rst_n = 0;
        top_->c_req_valid = 0;
        top_->req_ready = 0;
        top_->rsp_valid = 0;
        for (int i = 0; i < 2; i++)
            edge();
        top_->rst_n = 1;
        top_->clk = 0;
        top_->eval();
        check(!top_->req_valid && !top_->c_req_ready && !top_->c_rsp_valid,
              "after reset: no request toward the vault, no grant, no response");
    }

    // New traffic: client loads and read shares, vault readiness and latency.
    void new_phase()
    {
        static const int loads[] = {100, 100, 60, 20, 3, 0};
        for (Client &cl : clients_) {
            cl.load = loads[test_rnd(&s_, 0, 5)];
            cl.reads = test_rnd(&s_, 0, 4) * 25;
        }
        static const int ready[] = {100, 90, 50, 10};
        vault_ready_pct_ = ready[test_rnd(&s_, 0, 3)];
        switch (test_rnd(&s_, 0, 2)) { // response latency: short, medium, longer than the FIFO
        case 0: lat_lo_ = 1, lat_hi_ = 3; break;
        case 1: lat_lo_ = 3, lat_hi_ = 20; break;
        default: lat_lo_ = 2 * kIds, lat_hi_ = 4 * kIds + 10; break;
        }
    }

    Bytes random_bytes(std::size_t n)
    {
        Bytes b(n);
        for (auto &x : b)
            x = static_cast<uint8_t>(test_next(&s_));
        return b;
    }

    // A new request on client cl's port; it stays there until taken.
    void present(Client &cl)
    {
        Request &r = cl.cur;
        int p = test_rnd(&s_, 1, 100);
        r.op = p <= cl.reads ? TETRIS_VAULT_RD
                             : test_rnd(&s_, 0, 2) ? TETRIS_VAULT_WR : TETRIS_VAULT_ACC;
        r.addr = static_cast<uint32_t>(test_next(&s_)) / static_cast<uint32_t>(burst_) *
                 static_cast<uint32_t>(burst_);
        r.wdata = random_bytes(burst_);
        r.wmask = random_bytes((burst_ / 2 + 7) / 8);
        if (burst_ / 2 % 8)
            r.wmask.back() = static_cast<uint8_t>(r.wmask.back() & ((1u << (burst_ / 2 % 8)) - 1));
        cl.has = true;
        cl.others = 0;
        std::size_t i = static_cast<std::size_t>(&cl - clients_.data());
        put_field(top_->c_req_op, 2 * i, 2, field_of(static_cast<uint64_t>(r.op), 2));
        put_field(top_->c_req_addr, 32 * i, 32, field_of(r.addr, 32));
        put_field(top_->c_req_wdata, 8 * burst_ * i, 8 * burst_, r.wdata);
        put_field(top_->c_req_wmask, burst_ / 2 * i, burst_ / 2, r.wmask);
    }

    bool busy() const
    {
        for (const Client &cl : clients_)
            if (cl.has || !cl.sent.empty())
                return true;
        return !vault_.empty() || top_->req_valid;
    }

    // One cycle: drive the inputs, check the outputs, clock.
    void step()
    {
        for (int i = 0; i < kN; i++)
            set_bit(top_->c_req_valid, static_cast<std::size_t>(i),
                    clients_[static_cast<std::size_t>(i)].has);
        bool ready = test_rnd(&s_, 1, 100) <= vault_ready_pct_;
        top_->req_ready = ready;
        bool rsp = !vault_.empty() && vault_.front().due <= cycle_;
        top_->rsp_valid = rsp;
        if (rsp)
            put_field(top_->rsp_data, 0, 8 * burst_, vault_.front().data);
        top_->clk = 0;
        top_->eval();

        // grants: at most one, never a read with the id FIFO full
        int granted = -1, grants = 0;
        bool full = outstanding_ == kIds;
        full_cycles_ += full;
        for (int i = 0; i < kN; i++) {
            Client &cl = clients_[static_cast<std::size_t>(i)];
            if (cl.has && full && cl.cur.op == TETRIS_VAULT_RD)
                full_read_waits_++;
            if (cl.has && get_bit(top_->c_req_ready, static_cast<std::size_t>(i))) {
                granted = i;
                grants++;
            }
        }
        check(grants <= 1, "at most one request taken per cycle (" + std::to_string(grants) + ")");
        if (granted >= 0) {
            Client &g = clients_[static_cast<std::size_t>(granted)];
            bool read = g.cur.op == TETRIS_VAULT_RD;
            check(!(read && full), "client " + std::to_string(granted) +
                                       ": no read taken while ID_DEPTH reads are unanswered");
            g.sent.push_back(g.cur);
            g.has = false;
            g.taken++;
            g.read_taken += read;
            outstanding_ += read;
            if (g.others > max_wait_)
                max_wait_ = g.others;
            progress_++;
            for (int i = 0; i < kN; i++) {
                Client &cl = clients_[static_cast<std::size_t>(i)];
                if (i != granted && cl.has && ++cl.others == kN)
                    check(false, "client " + std::to_string(i) + " waits for more than N - 1 = " +
                                     std::to_string(kN - 1) + " grants to others");
            }
        }

        vault_port(ready);
        responses(rsp);
        check(outstanding_ <= kIds, "at most ID_DEPTH reads unanswered");
        edge();
    }

    // The vault side of the cycle: protocol, arrival, matching, scheduling.
    void vault_port(bool ready)
    {
        Request r;
        if (top_->req_valid) {
            r.op = static_cast<int>(top_->req_op);
            r.addr = top_->req_addr;
            r.wdata = get_field(top_->req_wdata, 0, 8 * burst_);
            r.wmask = get_field(top_->req_wmask, 0, burst_ / 2);
        }
        if (held_)
            check(top_->req_valid && r == held_req_,
                  "the vault request stays valid and unchanged until taken");
        held_ = top_->req_valid && !ready;
        held_req_ = r;
        vault_stalls_ += top_->req_valid && !ready;
        if (!top_->req_valid || !ready)
            return;
        // arrival: it must be the oldest request some client handed over and
        // that has not arrived yet
        int from = -1;
        for (int i = 0; i < kN && from < 0; i++) {
            auto &sent = clients_[static_cast<std::size_t>(i)].sent;
            if (!sent.empty() && sent.front() == r)
                from = i;
        }
        check(from >= 0, "the request at the vault (op " + std::to_string(r.op) + ", address " +
                             std::to_string(r.addr) +
                             ") is the next one of a client, unchanged, and arrives once");
        if (from < 0)
            return;
        clients_[static_cast<std::size_t>(from)].sent.pop_front();
        progress_++;
        if (r.op == TETRIS_VAULT_RD) {
            uint64_t due = cycle_ + static_cast<uint64_t>(test_rnd(&s_, lat_lo_, lat_hi_));
            if (!vault_.empty() && due <= vault_.back().due)
                due = vault_.back().due + 1; // in order
            vault_.push_back({due, from, random_bytes(burst_)});
        }
    }

    void responses(bool rsp)
    {
        if (!rsp) {
            check(value_of(get_field(top_->c_rsp_valid, 0, static_cast<std::size_t>(kN))) == 0,
                  "no client response without a vault response");
            return;
        }
        const Response &v = vault_.front();
        Bytes want = field_of(uint64_t{1} << v.client, static_cast<std::size_t>(kN));
        check(get_field(top_->c_rsp_valid, 0, static_cast<std::size_t>(kN)) == want,
              "the response goes to client " + std::to_string(v.client) + " alone");
        check(get_field(top_->c_rsp_data, 8 * burst_ * static_cast<std::size_t>(v.client),
                        8 * burst_) == v.data,
              "client " + std::to_string(v.client) + " gets the vault's data");
        clients_[static_cast<std::size_t>(v.client)].answered++;
        outstanding_--;
        progress_++;
        vault_.pop_front();
    }

    VerilatedContext ctx_;
    std::unique_ptr<Vtetris_vault_arb> top_;
    std::size_t burst_;
    uint64_t s_;
    std::vector<Client> clients_;
    std::deque<Response> vault_; // reads at the vault, answered in order
    int vault_ready_pct_ = 100, lat_lo_ = 1, lat_hi_ = 3;
    int outstanding_ = 0;        // reads taken from clients and not answered
    bool held_ = false;          // last cycle the vault saw a request and was not ready
    Request held_req_;
    uint64_t cycle_ = 0;
    long progress_ = 0;          // grants, arrivals, responses
    long passed_ = 0, failed_ = 0;
    long vault_stalls_ = 0, full_cycles_ = 0, full_read_waits_ = 0;
    int max_wait_ = 0;
};

} // namespace

int main(int argc, char **argv)
{
    tetris_config cfg;
    uint64_t seed;
    long cycles = 200000;
    if (int rc = tb_main_args(argc, argv, "tb_vault_arb --config FILE [--seed N] [--cycles K]",
                              {{"--cycles", &cycles, 1, LONG_MAX}}, {}, cfg, seed))
        return rc;
    Bench b(cfg.dram_burst_bytes, seed);
    if (!b.ports_match()) {
        std::fprintf(stderr, "tb_vault_arb: the RTL was generated for another burst size\n");
        return 2;
    }
    b.run(cycles);
    b.report();
    return b.failed() ? 1 : 0;
}
