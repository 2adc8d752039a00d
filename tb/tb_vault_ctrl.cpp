// modules: tetris_dram_accum tetris_vault_ctrl
//
// Unit testbench of tetris_vault_ctrl. A behavioural DRAM device
// (dram_device.h) executes the controller's ACT/RD/WR/PRE/ACC commands on its
// own memory, returns read data T_CL cycles after each RD, adds ACC data with
// the C model of tetris_dram_accum, and passes every command to libtetris's
// DRAM checker: any timing or protocol violation fails the run. Seeded random
// request streams (row hits and misses, bank conflicts, read-after-write and
// accumulate chains on one address, random 16-bit lane masks on writes, whole
// 32-bit lanes on most accumulates and now and then a lane with one half's
// bit only, bursts and pauses that fill the queue) go to the controller; the
// expected memory is libtetris's functional vault model, updated in
// acceptance order, and every read response must equal what it returned. At
// the end the device's memory must equal the model's, burst by burst, through
// the documented address mapping, and the err output must rise for exactly
// the requests the model rejects. The device's backdoor is checked against
// the same mapping: bytes put in with load() come back through the
// controller's reads, and what the controller writes comes out of dump().
//
// The page policy is checked command by command against a copy of the
// controller's request queue: column commands are the oldest request's, in
// order; an ACT opens the row of the oldest queued request of its bank; a PRE
// never closes the row that request needs, and under open page only makes
// room for it (a row miss). Closed page keeps a row open while queued
// requests hit it (row-hit look-ahead), so a request needs at most one ACT
// and every change of row within a bank's requests needs one; after the
// stream every bank must be precharged. A sequential stream (whole rows,
// back to back) must use exactly one ACT per row; its throughput is printed.
//
// Usage: tb_vault_ctrl --config FILE [--seed N] [--requests K] [+verilator+...]
// Prints "N passed, M failed"; exit 0 only if nothing failed.
#include <cinttypes>
#include <climits>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "Vtetris_vault_ctrl.h"
#include "dram_device.h"
#include "verilated.h"
#include "tbmain.h"
#include "testutil.h"
#include "vlport.h"

#include "tetris.h"

namespace {

const char *const kCmdName[] = {"NOP", "ACT", "RD", "WR", "PRE", "ACC"};

struct Request {
    int op;
    uint32_t addr;
    Bytes data, mask;
};

// A request in the controller's queue, as the testbench tracks it.
struct Queued {
    int bank, row, col, op;
    uint64_t accepted; // the cycle at whose end it entered the queue
    int columns;       // column commands still due (RD + WR: accumulate in the controller)
};

class Bench {
  public:
    // argv: the +verilator+... options reach the model (e.g. +verilator+rand+reset+2)
    Bench(const tetris_config &cfg, uint64_t seed, int argc, char **argv)
        : cfg_(cfg), burst_(static_cast<std::size_t>(cfg.dram_burst_bytes)),
          lanes_(burst_ / 2), mask_bytes_((lanes_ + 7) / 8), dev_(cfg), seed_(seed)
    {
        ctx_.reset(new VerilatedContext);
        ctx_->commandArgs(argc, argv);
        top_.reset(new Vtetris_vault_ctrl(ctx_.get()));
        if (tetris_vault_mem_create(&cfg, &model_)) {
            std::fprintf(stderr, "tb_vault_ctrl: cannot create the vault model\n");
            std::exit(2);
        }
        tetris_derived d;
        tetris_config_derive(&cfg, &d);
        span_ = d.vault_capacity < (1ull << 32) ? d.vault_capacity : (1ull << 32);
    }
    ~Bench()
    {
        top_->final();
        tetris_vault_mem_destroy(model_);
        tetris_vault_sched_destroy(sched_);
    }
    Bench(const Bench &) = delete;
    Bench &operator=(const Bench &) = delete;

    // The port widths must be the configuration's (the RTL was generated from it).
    bool ports_match() const
    {
        return sizeof top_->req_wdata == burst_ && sizeof top_->dram_rdata == burst_;
    }

    void check(bool ok, const std::string &what)
    {
        if (ok) {
            passed_++;
            return;
        }
        if (failed_++ < 10)
            std::printf("FAIL: %s\n", what.c_str());
    }

    void reset()
    {
        top_->rst_n = 0;
        top_->req_valid = 0;
        top_->dram_rvalid = 0;
        for (int i = 0; i < 2; i++)
            edge();
        top_->rst_n = 1;
        dev_.reset();
        pending_.clear();
        queued_.clear();
        open_row_.assign(static_cast<std::size_t>(cfg_.dram_banks), -1);
        violation_.clear();
        tetris_vault_sched_destroy(sched_);
        sched_ = nullptr;
        if (tetris_vault_sched_create(&cfg_, &sched_)) {
            std::fprintf(stderr, "tb_vault_ctrl: cannot create the scheduler model\n");
            std::exit(2);
        }
        sched_cmd_ = TETRIS_DRAM_NOP;
        sched_bank_ = 0;
    }

    // The random stream: k requests, every response and the final memory checked.
    void stream(int k)
    {
        reset();
        bool allow_acc = cfg_.accum != TETRIS_ACCUM_NONE;
        uint32_t last = 0;
        std::vector<uint32_t> recent(8, 0);
        std::set<uint32_t> touched;
        int issued = 0, phase_left = 0, rate = 100;
        bool have = false, err_seen = false;
        uint64_t quiet = 0; // cycles without progress
        uint64_t start = cycle_;
        uint64_t act0 = dev_.count(TETRIS_DRAM_ACT);
        std::vector<int> last_row(static_cast<std::size_t>(cfg_.dram_banks), -1);
        uint64_t row_changes = 0; // within each bank's requests, in order: ACTs needed
        Request r;
        while ((issued < k || have || !pending_.empty() || !top_->idle) && quiet < 20000) {
            if (phase_left-- <= 0) { // traffic phases: saturating, busy, sparse
                static const int rates[] = {100, 100, 70, 30, 5};
                rate = rates[test_rnd(&seed_, 0, 4)];
                phase_left = test_rnd(&seed_, 5, 150);
            }
            if (!have && issued < k && test_rnd(&seed_, 1, 100) <= rate) {
                r = random_request(allow_acc, last, recent);
                last = r.addr;
                recent[static_cast<std::size_t>(test_rnd(&seed_, 0, 7))] = r.addr;
                have = true;
                issued++;
            }
            top_->req_valid = have;
            if (have)
                drive(r);
            bool progress = false;
            if (!cycle_inputs_and_outputs(progress))
                break;
            if (top_->err)
                err_seen = true;
            if (have && !top_->req_ready)
                stalled_++;
            if (have && top_->req_ready) { // accepted at this edge
                accept(r);
                if (r.op != TETRIS_VAULT_RD)
                    touched.insert(r.addr);
                int bank, row, col;
                if (tetris_vault_addr_decode(&cfg_, r.addr, &bank, &row, &col) == 0 &&
                    last_row[static_cast<std::size_t>(bank)] != row) {
                    last_row[static_cast<std::size_t>(bank)] = row;
                    row_changes++;
                }
                have = false;
                progress = true;
            }
            edge();
            quiet = progress ? 0 : quiet + 1;
        }
        cycles_ = cycle_ - start;
        check(violation_.empty(), "DRAM checker: " + violation_);
        if (!violation_.empty())
            return; // the device no longer mirrors the controller: stop here
        check(issued == k && !have && pending_.empty(),
              "every request completed (" + std::to_string(pending_.size()) +
                  " responses missing)");
        check(!err_seen, "err stays low on legal requests");
        drain();
        check(sched_ != nullptr, "the scheduler's cycle model issues the RTL's commands in every "
                                 "cycle of the stream");
        check(violation_.empty(), "DRAM checker after the last request: " + violation_);
        uint64_t acts = dev_.count(TETRIS_DRAM_ACT) - act0;
        check(acts >= row_changes && acts <= static_cast<uint64_t>(k),
              "ACTs (" + std::to_string(acts) + ") between the row changes within banks (" +
                  std::to_string(row_changes) + ") and one per request (" + std::to_string(k) +
                  ")");
        if (cfg_.dram_page_policy == TETRIS_PAGE_CLOSED)
            check(dev_.open_banks() == 0, "closed page: every bank is precharged at the end");
        for (uint32_t a : touched) {
            Bytes want(burst_);
            int bank, row, col;
            if (tetris_vault_mem_read(model_, a, want.data()) ||
                tetris_vault_addr_decode(&cfg_, a, &bank, &row, &col)) {
                check(false, "model rejects touched address " + std::to_string(a));
                continue;
            }
            check(dev_.burst(bank, row, col) == want,
                  "DRAM burst at address " + std::to_string(a) + " equals the model");
        }
        touched_ = touched.size();
    }

    // One rejected request: err must rise when the model rejects it (op 3, an
    // undefined op, is rejected by the interface definition).
    void err_test(const char *what, int op, uint32_t addr)
    {
        reset();
        int failed_before = failed_;
        Request r{op, addr, Bytes(burst_, 0x5A), full_mask()};
        Bytes scratch(burst_);
        bool want_err = true;
        if (op == TETRIS_VAULT_ACC)
            want_err = tetris_vault_mem_accum(model_, addr, r.data.data(), r.mask.data()) != 0;
        else if (op == TETRIS_VAULT_RD)
            want_err = tetris_vault_mem_read(model_, addr, scratch.data()) != 0;
        top_->req_valid = 1;
        drive(r);
        bool progress = false, accepted = false;
        for (int i = 0; i < 100 && !accepted; i++) {
            cycle_inputs_and_outputs(progress);
            accepted = top_->req_ready;
            edge();
        }
        top_->req_valid = 0;
        for (int i = 0; i < 100; i++) {
            cycle_inputs_and_outputs(progress);
            edge();
        }
        check(accepted && want_err && top_->err && top_->idle && violation_.empty(),
              std::string("err rises for ") + what + ", and the request is dropped");
        std::printf("err test: %s: %s\n", what, failed_ == failed_before ? "pass" : "FAIL");
    }

    // The host's backdoor: a region that starts and ends inside a burst,
    // written with load(), must read back through dump() and, burst by burst,
    // through the controller; bursts the controller then writes must come out
    // of dump() as the model has them. A range beyond the vault is refused.
    void backdoor_test()
    {
        reset();
        int failed_before = failed_;
        const std::size_t nb = 4; // bursts' worth of bytes, over nb + 1 bursts
        uint64_t addr = test_next(&seed_) % (span_ - (nb + 1) * burst_) / burst_ * burst_ +
                        static_cast<uint64_t>(test_rnd(&seed_, 1, static_cast<int>(burst_) - 1));
        uint64_t first = addr / burst_ * burst_;
        Bytes data(nb * burst_), back(nb * burst_);
        for (auto &b : data)
            b = static_cast<uint8_t>(test_next(&seed_));
        check(dev_.load(addr, data.data(), data.size()) &&
                  dev_.dump(addr, back.data(), back.size()) && back == data,
              "dump() returns what load() put at address " + std::to_string(addr));
        // the model takes the device's bursts, so that reads are compared with them
        std::vector<Request> reads, writes;
        for (uint64_t a = first; a < addr + data.size(); a += burst_) {
            Bytes b(burst_);
            dev_.dump(a, b.data(), b.size());
            check(tetris_vault_mem_write(model_, a, b.data(), nullptr) == 0,
                  "the model takes the burst at address " + std::to_string(a));
            reads.push_back(
                {TETRIS_VAULT_RD, static_cast<uint32_t>(a), Bytes(burst_, 0), full_mask()});
            Request w{TETRIS_VAULT_WR, static_cast<uint32_t>(a), Bytes(burst_), full_mask()};
            for (auto &x : w.data)
                x = static_cast<uint8_t>(test_next(&seed_));
            writes.push_back(w);
        }
        check(run_requests(reads), "the controller reads the loaded bursts");
        check(run_requests(writes), "the controller writes the bursts");
        for (const Request &w : writes) {
            Bytes got(burst_), want(burst_);
            check(dev_.dump(w.addr, got.data(), got.size()) &&
                      tetris_vault_mem_read(model_, w.addr, want.data()) == 0 && got == want,
                  "dump() of address " + std::to_string(w.addr) + " returns the written burst");
        }
        uint8_t x[2] = {0, 0};
        check(!dev_.load(span_ - 1, x, 2) && !dev_.dump(span_ - 1, x, 2),
              "load() and dump() refuse bytes beyond the vault");
        check(violation_.empty(), "DRAM checker in the backdoor test: " + violation_);
        std::printf("backdoor test: %zu bytes at address %" PRIu64 ": %s\n", data.size(), addr,
                    failed_ == failed_before ? "pass" : "FAIL");
    }

    // Whole rows of sequential bursts (reads, then writes), each request as
    // soon as the controller takes it, from a row-aligned address: every
    // row's bursts reach the queue while the row is open, so each row takes
    // exactly one ACT under either policy; closed page precharges each row
    // once, open page only the rows it must close for another row of the
    // same bank (sequential rows go round the banks). Prints the throughput.
    void sequential_test()
    {
        const int cols = cfg_.dram_row_bytes / cfg_.dram_burst_bytes;
        const uint64_t row_bytes = static_cast<uint64_t>(cfg_.dram_row_bytes);
        int rows = 2 * cfg_.dram_banks;
        if (rows > 32)
            rows = 32;
        if (static_cast<uint64_t>(rows) * row_bytes > span_)
            rows = static_cast<int>(span_ / row_bytes);
        uint64_t base = test_next(&seed_) % (span_ / row_bytes - static_cast<uint64_t>(rows) + 1) *
                        row_bytes;
        for (int op : {TETRIS_VAULT_RD, TETRIS_VAULT_WR}) {
            reset();
            int failed_before = failed_;
            std::vector<Request> reqs;
            for (int i = 0; i < rows * cols; i++) {
                Request q{op, static_cast<uint32_t>(base + static_cast<uint64_t>(i) * burst_),
                          Bytes(burst_), full_mask()};
                for (auto &x : q.data)
                    x = static_cast<uint8_t>(test_next(&seed_));
                reqs.push_back(q);
            }
            uint64_t act0 = dev_.count(TETRIS_DRAM_ACT), pre0 = dev_.count(TETRIS_DRAM_PRE);
            uint64_t cycles = 0;
            check(run_requests(reqs, &cycles), "the sequential stream completes");
            uint64_t acts = dev_.count(TETRIS_DRAM_ACT) - act0;
            uint64_t pres = dev_.count(TETRIS_DRAM_PRE) - pre0;
            uint64_t want_pre = cfg_.dram_page_policy == TETRIS_PAGE_CLOSED ? rows
                                : rows > cfg_.dram_banks ? rows - cfg_.dram_banks
                                                         : 0;
            check(acts == static_cast<uint64_t>(rows),
                  "sequential stream: one ACT per row (" + std::to_string(acts) + " for " +
                      std::to_string(rows) + " rows)");
            check(pres == want_pre, "sequential stream: " + std::to_string(want_pre) +
                                        " PREs (" + std::to_string(pres) + ")");
            std::printf("sequential %s: %d bursts (%d rows) in %" PRIu64
                        " cycles, %.2f B/cycle, ACT %" PRIu64 " PRE %" PRIu64 ": %s\n",
                        op == TETRIS_VAULT_RD ? "reads" : "writes", rows * cols, rows, cycles,
                        cycles ? static_cast<double>(rows * cols) * static_cast<double>(burst_) /
                                     static_cast<double>(cycles)
                               : 0.0,
                        acts, pres, failed_ == failed_before ? "pass" : "FAIL");
        }
    }

    void report(int k) const
    {
        static const char *const page[] = {"closed", "open"};
        size_t n;
        const tetris_param *p = tetris_params(&n);
        const char *accum = "?";
        for (size_t i = 0; i < n; i++)
            if (std::strcmp(p[i].key, "accum.location") == 0)
                accum = p[i].enum_names[cfg_.accum];
        std::printf("config %s (accum %s, %s page), %d requests, %" PRIu64
                    " cycles (%" PRIu64 " with a request held back), %zu bursts written;"
                    " DRAM commands:",
                    cfg_.name, accum, page[cfg_.dram_page_policy], k, cycles_, stalled_,
                    touched_);
        for (int c = TETRIS_DRAM_ACT; c <= TETRIS_DRAM_ACC; c++)
            std::printf(" %s %" PRIu64, kCmdName[c], dev_.count(c));
        std::printf("\nscheduler cycle model: agreed with the RTL in %" PRIu64 " cycles\n",
                    sched_cycles_);
        std::printf("%d passed, %d failed\n", passed_, failed_);
    }

    int failed() const { return failed_; }
    uint64_t span() const { return span_; }

  private:
    void edge()
    {
        top_->clk = 0;
        top_->eval();
        top_->clk = 1;
        top_->eval();
        cycle_++;
    }

    // Drive this cycle's read data, settle, and act on the cycle's outputs:
    // the DRAM command (checked, executed) and a read response (compared).
    // Returns false after a timing violation (kept in violation_).
    bool cycle_inputs_and_outputs(bool &progress)
    {
        Bytes rd;
        top_->dram_rvalid = dev_.read_data(cycle_, rd);
        if (top_->dram_rvalid)
            to_port(top_->dram_rdata, rd);
        top_->clk = 0;
        top_->eval();
        cycle_model();
        if (top_->dram_cmd_valid) {
            std::string msg = dev_.command(cycle_, top_->dram_cmd, top_->dram_bank, top_->dram_row,
                                           top_->dram_col, from_port(top_->dram_wdata, burst_),
                                           from_port(top_->dram_wmask, mask_bytes_));
            if (!msg.empty()) {
                violation_ = msg;
                return false;
            }
            policy(top_->dram_cmd, top_->dram_bank, top_->dram_row, top_->dram_col);
        }
        if (top_->rsp_valid) {
            progress = true;
            if (pending_.empty()) {
                check(false, "cycle " + std::to_string(cycle_) + ": a response without a read");
            } else {
                Bytes got = from_port(top_->rsp_data, burst_);
                check(got == pending_.front().second,
                      "read of address " + std::to_string(pending_.front().first) +
                          " returns the model's data");
                pending_.pop_front();
            }
        }
        return true;
    }

    // The scheduler's cycle model (tetris_vault_sched) runs beside the RTL on
    // the same port inputs: the command it chose last cycle must be on the
    // bus now, and req_ready and rsp_valid must agree in every cycle. The
    // first disagreement fails the test and ends the comparison (after it
    // the two no longer share a state); an illegal request ends it too (the
    // model does not take one).
    void cycle_model()
    {
        if (!sched_)
            return;
        int cmd = top_->dram_cmd_valid ? top_->dram_cmd : TETRIS_DRAM_NOP;
        bool same = cmd == sched_cmd_ && (cmd == TETRIS_DRAM_NOP || top_->dram_bank == sched_bank_);
        same = same && static_cast<int>(top_->req_ready) == tetris_vault_sched_ready(sched_);
        tetris_vault_step st;
        if (tetris_vault_sched_step(sched_, top_->req_valid, top_->req_op, top_->req_addr, &st)) {
            tetris_vault_sched_destroy(sched_);
            sched_ = nullptr;
            return;
        }
        same = same && static_cast<int>(top_->rsp_valid) == st.rsp;
        if (!same) {
            check(false, "cycle " + std::to_string(cycle_) + ": RTL " + kCmdName[cmd] + " bank " +
                             std::to_string(top_->dram_bank) + " ready " +
                             std::to_string(top_->req_ready) + " rsp " +
                             std::to_string(top_->rsp_valid) + ", cycle model " +
                             kCmdName[sched_cmd_] + " bank " + std::to_string(sched_bank_) +
                             " ready " + std::to_string(tetris_vault_sched_ready(sched_)) +
                             " rsp " + std::to_string(st.rsp));
            tetris_vault_sched_destroy(sched_);
            sched_ = nullptr;
            return;
        }
        sched_cycles_++;
        sched_cmd_ = st.cmd;
        sched_bank_ = st.bank;
    }

    // The command on the bus in this cycle (already accepted by the checker)
    // against the queue the controller chose it from: the requests it held
    // in the previous cycle. A request accepted in cycle c is in the queue
    // from cycle c + 1; a request leaves it at its last column command.
    void policy(int cmd, int bank, int row, int col)
    {
        const std::string at = "cycle " + std::to_string(cycle_) + ": " + kCmdName[cmd] +
                               " bank " + std::to_string(bank) + ": ";
        std::size_t seen = 0; // the queue of the previous cycle: queued_[0, seen)
        while (seen < queued_.size() && queued_[seen].accepted + 2 <= cycle_)
            seen++;
        const Queued *oldest = nullptr; // of the bank
        for (std::size_t i = 0; i < seen && !oldest; i++)
            if (queued_[i].bank == bank)
                oldest = &queued_[i];
        int &open = open_row_[static_cast<std::size_t>(bank)];
        if (cmd == TETRIS_DRAM_ACT) {
            check(oldest && oldest->row == row,
                  at + "opens the row of the bank's oldest queued request");
            open = row;
        } else if (cmd == TETRIS_DRAM_PRE) {
            // closed page: no queued request hits the row, or the bank's
            // oldest needs another row; open page: only the latter
            bool miss = oldest && oldest->row != open;
            bool hit = false;
            for (std::size_t i = 0; i < seen; i++)
                hit = hit || (queued_[i].bank == bank && queued_[i].row == open);
            check(cfg_.dram_page_policy == TETRIS_PAGE_CLOSED ? !hit || miss : miss,
                  at + (cfg_.dram_page_policy == TETRIS_PAGE_CLOSED
                            ? "closes a row only when no queued request hits it or the bank's "
                              "oldest request needs another row"
                            : "open page closes a row only for another row of the bank"));
            open = -1;
        } else {
            Queued *h = seen ? &queued_.front() : nullptr;
            bool ok = h && h->bank == bank && h->row == row && h->col == col;
            if (ok && h->op == TETRIS_VAULT_RD)
                ok = cmd == TETRIS_DRAM_RD;
            else if (ok && h->op == TETRIS_VAULT_WR)
                ok = cmd == TETRIS_DRAM_WR;
            else if (ok && h->columns == 2) // accumulate in the controller: RD, then WR
                ok = cmd == TETRIS_DRAM_RD;
            else if (ok && cfg_.accum == TETRIS_ACCUM_CONTROLLER)
                ok = cmd == TETRIS_DRAM_WR;
            else if (ok)
                ok = cmd == TETRIS_DRAM_ACC;
            check(ok, at + "column command of the oldest request, in order");
            if (h && --h->columns == 0)
                queued_.pop_front();
        }
    }

    // Put a request on the port (req_valid is the caller's).
    void drive(const Request &r)
    {
        top_->req_op = static_cast<uint8_t>(r.op);
        top_->req_addr = r.addr;
        to_port(top_->req_wdata, r.data);
        to_port(top_->req_wmask, r.mask);
    }

    // Let the last commands go out (and be checked): DRAM commands leave one
    // cycle after their request leaves the queue, closed-page precharges
    // follow the access.
    void drain()
    {
        tetris_dram_timing t;
        tetris_dram_timing_of(&cfg_, &t);
        top_->req_valid = 0;
        for (int i = 0; i < t.tras + t.tacc + t.trp + 4; i++) {
            bool progress = false;
            if (!cycle_inputs_and_outputs(progress))
                break;
            edge();
        }
    }

    // Issue requests back to back, each as soon as the controller takes it,
    // wait for every response (compared in cycle_inputs_and_outputs), and
    // drain. False on a checker violation or when nothing happens for 1000
    // cycles.
    bool run_requests(const std::vector<Request> &reqs, uint64_t *cycles = nullptr)
    {
        std::size_t next = 0;
        uint64_t start = cycle_;
        for (int quiet = 0; quiet < 1000;) {
            bool progress = false;
            top_->req_valid = next < reqs.size();
            if (top_->req_valid)
                drive(reqs[next]);
            if (!cycle_inputs_and_outputs(progress))
                break;
            if (top_->req_valid && top_->req_ready) { // accepted at this edge
                accept(reqs[next++]);
                progress = true;
            }
            edge();
            if (next == reqs.size() && pending_.empty() && top_->idle)
                break;
            quiet = progress ? 0 : quiet + 1;
        }
        if (cycles)
            *cycles = cycle_ - start;
        drain();
        return next == reqs.size() && pending_.empty() && violation_.empty();
    }

    // Apply an accepted request to the model (reads: remember the data due).
    void accept(const Request &r)
    {
        int rc;
        if (r.op == TETRIS_VAULT_RD) {
            Bytes want(burst_);
            rc = tetris_vault_mem_read(model_, r.addr, want.data());
            pending_.push_back({r.addr, want});
        } else if (r.op == TETRIS_VAULT_WR) {
            rc = tetris_vault_mem_write(model_, r.addr, r.data.data(), r.mask.data());
        } else {
            rc = tetris_vault_mem_accum(model_, r.addr, r.data.data(), r.mask.data());
        }
        check(rc == 0, "the model takes the request to address " + std::to_string(r.addr));
        int bank, row, col;
        if (rc == 0 && tetris_vault_addr_decode(&cfg_, r.addr, &bank, &row, &col) == 0)
            queued_.push_back({bank, row, col, r.op, cycle_,
                               r.op == TETRIS_VAULT_ACC && cfg_.accum == TETRIS_ACCUM_CONTROLLER
                                   ? 2
                                   : 1});
    }

    // A request near earlier ones: the same burst (read-after-write and
    // accumulate chains), the same row, another row of the same bank, the next
    // burst or row, or anywhere.
    Request random_request(bool allow_acc, uint32_t last, const std::vector<uint32_t> &recent)
    {
        uint64_t row_bytes = static_cast<uint64_t>(cfg_.dram_row_bytes);
        // + bank_stride: the next row of the same bank
        uint64_t bank_stride = row_bytes * static_cast<uint64_t>(cfg_.dram_banks);
        int cols = cfg_.dram_row_bytes / cfg_.dram_burst_bytes;
        uint64_t base = recent[static_cast<std::size_t>(test_rnd(&seed_, 0, 7))];
        uint64_t a;
        switch (test_rnd(&seed_, 0, 6)) {
        case 0:
        case 1: a = base; break;
        case 2:
            a = base / row_bytes * row_bytes +
                static_cast<uint64_t>(test_rnd(&seed_, 0, cols - 1)) * burst_;
            break;
        case 3: a = base + static_cast<uint64_t>(test_rnd(&seed_, 1, 3)) * bank_stride; break;
        case 4: a = last + burst_; break;
        case 5: a = last + row_bytes; break;
        default: a = test_next(&seed_) % span_ / burst_ * burst_; break;
        }
        Request r;
        r.addr = static_cast<uint32_t>(a % span_);
        int p = test_rnd(&seed_, 1, 100);
        if (allow_acc)
            r.op = p <= 35 ? TETRIS_VAULT_RD : p <= 65 ? TETRIS_VAULT_WR : TETRIS_VAULT_ACC;
        else
            r.op = p <= 55 ? TETRIS_VAULT_RD : TETRIS_VAULT_WR;
        r.data.resize(burst_);
        for (auto &b : r.data)
            b = static_cast<uint8_t>(test_next(&seed_));
        r.mask = full_mask();
        if (test_rnd(&seed_, 1, 10) <= 3) {
            // Writes: any 16-bit lanes. Accumulates: whole 32-bit lanes (both
            // bits), and one time in four a lane with one half's bit only,
            // whose documented effect (bit 2i decides) model and RTL must share.
            bool pairs = r.op == TETRIS_VAULT_ACC && test_rnd(&seed_, 1, 4) > 1;
            for (std::size_t i = 0; i < lanes_; i += pairs ? 2 : 1)
                if (test_rnd(&seed_, 0, 1))
                    for (std::size_t b = i; b < i + (pairs ? 2 : 1); b++)
                        r.mask[b / 8] &= static_cast<uint8_t>(~(1u << (b % 8)));
        }
        return r;
    }

    // Every lane on; no bits above the last lane (the port has none).
    Bytes full_mask() const
    {
        Bytes m(mask_bytes_, 0);
        for (std::size_t i = 0; i < lanes_; i++)
            m[i / 8] |= static_cast<uint8_t>(1u << (i % 8));
        return m;
    }

    const tetris_config &cfg_;
    std::size_t burst_;
    std::size_t lanes_;      // 16-bit lanes per burst: bits of req_wmask
    std::size_t mask_bytes_; // lane i: bit i % 8 of byte i / 8
    std::unique_ptr<VerilatedContext> ctx_;
    std::unique_ptr<Vtetris_vault_ctrl> top_;
    Device dev_;
    tetris_vault_mem *model_ = nullptr;
    tetris_vault_sched *sched_ = nullptr; // null: not comparing (see cycle_model)
    int sched_cmd_ = TETRIS_DRAM_NOP;     // the model's command of the last cycle
    int sched_bank_ = 0;
    uint64_t sched_cycles_ = 0;           // cycles the RTL and the model agreed on
    uint64_t seed_;
    uint64_t span_ = 0;     // legal addresses: below the capacity and 2^32
    uint64_t cycle_ = 0;
    uint64_t cycles_ = 0;   // of the random stream
    uint64_t stalled_ = 0;  // cycles of the stream with req_valid and not req_ready
    std::size_t touched_ = 0;
    std::deque<std::pair<uint32_t, Bytes>> pending_; // reads accepted, data due
    std::deque<Queued> queued_;  // requests accepted, column commands due
    std::vector<int> open_row_;  // by bank, from the commands: -1 closed
    std::string violation_; // the checker's first complaint
    int passed_ = 0, failed_ = 0;
};

} // namespace

int main(int argc, char **argv)
{
    tetris_config cfg;
    uint64_t seed;
    int requests = 3000;
    if (int rc = tb_main_args(
            argc, argv, "tb_vault_ctrl --config FILE [--seed N] [--requests K] [+verilator+...]",
            {{"--requests", &requests, 1, INT_MAX}}, {}, cfg, seed))
        return rc;
    Bench b(cfg, seed, argc, argv);
    if (!b.ports_match()) {
        std::fprintf(stderr, "tb_vault_ctrl: the RTL was generated for another burst size\n");
        return 2;
    }
    b.stream(requests);
    b.backdoor_test();
    b.sequential_test();
    b.err_test("a misaligned address", TETRIS_VAULT_RD,
               static_cast<uint32_t>(cfg.dram_burst_bytes / 2));
    if (b.span() < (1ull << 32))
        b.err_test("an address beyond the vault", TETRIS_VAULT_RD, static_cast<uint32_t>(b.span()));
    b.err_test("an undefined op", 3, 0);
    if (cfg.accum == TETRIS_ACCUM_NONE)
        b.err_test("an accumulate without in-memory accumulation", TETRIS_VAULT_ACC, 0);
    b.report(requests);
    return b.failed() ? 1 : 0;
}
