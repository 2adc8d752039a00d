// modules: tetris_seq
//
// Unit testbench of tetris_seq against the model's instruction decoder:
// seeded random programs (every opcode, random fields, now and then an
// illegal instruction) in a vault image, served with random fetch latency,
// and execution units that take instructions with random delays. Every
// dispatched LOAD/STORE/PASS, the layer registers at END, the retired count
// and the error address must equal what isa_decode() makes of the program.
#include <climits>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <deque>
#include <vector>

#include "Vtetris_seq.h"
#include "verilated.h"
#include "tbmain.h"
#include "testutil.h"

extern "C" {
#include "engine_internal.h"
}

namespace {

// A random legal instruction, through the model's encoder.
tetris_insn random_insn(uint64_t &s)
{
    isa_insn d;
    std::memset(&d, 0, sizeof d);
    switch (test_rnd(&s, 0, 4)) {
    case 0:
        d.op = OP_SET;
        d.reg = test_rnd(&s, 0, REG_COUNT - 1);
        d.value = static_cast<uint32_t>(test_next(&s));
        break;
    case 1:
        d.op = OP_LOAD;
        d.kind = test_rnd(&s, 0, 2);
        d.window_only = d.kind == KIND_PSUM ? test_rnd(&s, 0, 1) : 0;
        break;
    case 2:
        d.op = OP_STORE;
        d.mode = test_rnd(&s, 1, 3);
        break;
    case 3:
        d.op = OP_PASS;
        d.src_filter_gbuf = test_rnd(&s, 0, 1);
        d.src_ifmap_gbuf = test_rnd(&s, 0, 1);
        d.psum_in = test_rnd(&s, 0, 3);
        d.psum_out = test_rnd(&s, 0, 3);
        d.fh = test_rnd(&s, 0, 255);
        d.fw = test_rnd(&s, 0, 255);
        break;
    default:
        d.op = OP_SYNC;
        break;
    }
    if (d.op == OP_LOAD || d.op == OP_STORE || d.op == OP_PASS) {
        d.c0 = test_rnd(&s, 0, 65535), d.nc = test_rnd(&s, 0, 65535);
        d.m0 = test_rnd(&s, 0, 65535), d.nm = test_rnd(&s, 0, 65535);
        d.n0 = test_rnd(&s, 0, 65535), d.nn = test_rnd(&s, 0, 65535);
    }
    return isa_encode(&d);
}

// An instruction the decoder must reject: a bad opcode, or a legal one with a
// reserved bit set (a bit whose flip the model's decoder rejects).
tetris_insn illegal_insn(uint64_t &s)
{
    tetris_insn w = random_insn(s);
    std::vector<std::pair<int, int>> reserved; // (word, bit)
    for (int k = 0; k < 4; k++)
        for (int bit = k ? 0 : 8; bit < 32; bit++) {
            tetris_insn t = w;
            t.w[k] ^= 1u << bit;
            isa_insn d;
            if (isa_decode(&t, &d))
                reserved.push_back({k, bit});
        }
    if (reserved.empty() || test_rnd(&s, 0, 2) == 0) {
        w.w[0] = (w.w[0] & ~0xFFu) | static_cast<uint32_t>(test_rnd(&s, OP_END + 1, 255));
    } else {
        auto r = reserved[static_cast<size_t>(test_rnd(&s, 0, static_cast<int>(reserved.size()) - 1))];
        w.w[r.first] ^= 1u << r.second;
    }
    return w;
}

struct Dispatch {
    uint32_t w[4];
};

struct Bench {
    Vtetris_seq *top;
    int burst;
    uint64_t cycle = 0;
    void tick()
    {
        top->clk = 0;
        top->eval();
        top->clk = 1;
        top->eval();
        cycle++;
    }
};

// One program: returns the number of mismatches.
int run_program(Bench &b, uint64_t &s, int n_insn, bool with_illegal)
{
    std::vector<tetris_insn> prog;
    for (int i = 0; i < n_insn; i++)
        prog.push_back(random_insn(s));
    if (with_illegal)
        prog[static_cast<size_t>(test_rnd(&s, 0, n_insn - 1))] = illegal_insn(s);
    isa_insn end;
    std::memset(&end, 0, sizeof end);
    end.op = OP_END;
    prog.push_back(isa_encode(&end));

    // what the model makes of it
    std::vector<Dispatch> want;
    uint32_t regs[REG_COUNT] = {0};
    for (int r = 0; r < REG_COUNT; r++)
        regs[r] = b.top->regs[r]; // registers keep their values across programs
    size_t executed = 0;
    long bad_at = -1;
    for (size_t i = 0; i < prog.size(); i++) {
        isa_insn d;
        if (isa_decode(&prog[i], &d)) {
            bad_at = static_cast<long>(i);
            break;
        }
        executed++;
        if (d.op == OP_SET)
            regs[d.reg] = d.value;
        else if (d.op == OP_LOAD || d.op == OP_STORE || d.op == OP_PASS)
            want.push_back({{prog[i].w[0], prog[i].w[1], prog[i].w[2], prog[i].w[3]}});
        if (d.op == OP_END)
            break;
    }

    // the vault image: the program at a random burst-aligned base
    uint32_t base = static_cast<uint32_t>(test_rnd(&s, 0, 4096)) * static_cast<uint32_t>(b.burst);
    std::vector<uint8_t> vault(base + prog.size() * 16 + static_cast<size_t>(b.burst), 0);
    for (size_t i = 0; i < prog.size(); i++)
        for (int k = 0; k < 4; k++)
            for (int j = 0; j < 4; j++)
                vault[base + i * 16 + static_cast<size_t>(4 * k + j)] =
                    static_cast<uint8_t>(prog[i].w[k] >> (8 * j));

    Vtetris_seq *t = b.top;
    t->prog_base = base;
    t->start = 1;
    b.tick();
    t->start = 0;
    std::deque<std::pair<uint64_t, uint32_t>> fetches; // (ready cycle, address)
    int busy_left = 0;
    size_t got = 0, retired = 0;
    int errors = 0;
    for (uint64_t guard = 0; guard < 200000; guard++) {
        // inputs for the next edge
        t->fetch_ready = test_rnd(&s, 0, 2) != 0;
        t->fetch_rvalid = 0;
        if (!fetches.empty() && fetches.front().first <= b.cycle) {
            uint32_t a = fetches.front().second;
            fetches.pop_front();
            t->fetch_rvalid = 1;
            for (int k = 0; k < b.burst / 4; k++) {
                uint32_t word = 0;
                for (int j = 0; j < 4; j++)
                    word |= static_cast<uint32_t>(vault[a + static_cast<uint32_t>(4 * k + j)]) << (8 * j);
                t->fetch_rdata[k] = word;
            }
        }
        if (busy_left > 0)
            busy_left--;
        t->exe_busy = busy_left > 0;
        t->exe_ready = busy_left == 0 && test_rnd(&s, 0, 3) != 0;
        t->eval();
        // transfers that happen at this edge: valid and ready both high
        if (t->fetch_valid && t->fetch_ready)
            fetches.push_back({b.cycle + static_cast<uint64_t>(test_rnd(&s, 1, 6)), t->fetch_addr});
        if (t->exe_valid && t->exe_ready) {
            Dispatch d = {{t->exe_op | (static_cast<uint32_t>(t->exe_fields) << 8),
                           t->exe_c0 | (static_cast<uint32_t>(t->exe_nc) << 16),
                           t->exe_m0 | (static_cast<uint32_t>(t->exe_nm) << 16),
                           t->exe_n0 | (static_cast<uint32_t>(t->exe_nn) << 16)}};
            if (got >= want.size() || std::memcmp(&d, &want[got], sizeof d)) {
                std::printf("dispatch %zu: got %08x %08x %08x %08x\n", got, d.w[0], d.w[1], d.w[2],
                            d.w[3]);
                errors++;
            }
            got++;
            busy_left = test_rnd(&s, 0, 5) + 1;
        }
        b.tick();
        if (t->insn_retired)
            retired++;
        if (!t->busy && (t->done || t->err))
            break;
    }
    if (got != want.size()) {
        std::printf("dispatched %zu instructions, the model %zu\n", got, want.size());
        errors++;
    }
    if (retired != executed) {
        std::printf("retired %zu instructions, the model %zu\n", retired, executed);
        errors++;
    }
    if (bad_at >= 0) {
        uint32_t want_pc = base + static_cast<uint32_t>(bad_at) * 16;
        if (!t->err || t->err_pc != want_pc) {
            std::printf("illegal instruction %ld: err %d at %08x, expected at %08x\n", bad_at,
                        t->err, t->err_pc, want_pc);
            errors++;
        }
    } else if (!t->done || t->err) {
        std::printf("program did not end cleanly (done %d, err %d)\n", t->done, t->err);
        errors++;
    }
    for (int r = 0; r < REG_COUNT; r++)
        if (t->regs[r] != regs[r]) {
            std::printf("register %s: %08x, expected %08x\n", isa_reg_name(r), t->regs[r], regs[r]);
            errors++;
        }
    return errors;
}

} // namespace

int main(int argc, char **argv)
{
    tetris_config cfg;
    uint64_t seed;
    int programs = 200;
    if (int rc = tb_main_args(argc, argv, "tb_seq --config FILE [--seed N] [--programs K]",
                              {{"--programs", &programs, 1, INT_MAX}}, {}, cfg, seed))
        return rc;
    VerilatedContext ctx;
    Bench b{new Vtetris_seq{&ctx}, cfg.dram_burst_bytes};
    b.top->rst_n = 0;
    for (int i = 0; i < 4; i++)
        b.tick();
    b.top->rst_n = 1;
    uint64_t s = seed;
    int passed = 0, failed = 0;
    for (int p = 0; p < programs; p++) {
        int errors = run_program(b, s, test_rnd(&s, 1, 60), test_rnd(&s, 0, 2) == 0);
        if (errors) {
            std::printf("program %d (seed %llu) failed\n", p, static_cast<unsigned long long>(seed));
            failed++;
        } else {
            passed++;
        }
    }
    b.top->final();
    delete b.top;
    std::printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
