// modules: tetris_engine tetris_seq tetris_dma tetris_stream tetris_pe_array tetris_pe tetris_gbuf tetris_sram tetris_rdport tetris_wrport tetris_out_stage tetris_vault_arb tetris_perf
//
// Testbench of the whole engine against the engine model: seeded random
// layers (convolutions with stride, padding, groups and folding, FC, max and
// average pooling, ReLU, batch 1 or 2) under random blockings (every
// GBUF-resident type), compiled by libtetris. The host writes the layer's
// tensors and the program into the vault image, the engine runs the program,
// and afterwards the psum and ofmap regions of the vault must equal the
// engine model's byte for byte and every performance counter (read over the
// CSR port) must equal the model's count; cycles are reported next to the
// model's prediction. The vault port is a behavioural memory (libtetris's
// vault model) with random ready and random in-order read latency, so results
// and counts must not depend on timing.
//
// Usage: tb_engine --config FILE [--seed N] [--layers K] [--verbose]
// Prints "N passed, M failed"; exit 0 only if nothing failed.
#include <cinttypes>
#include <climits>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <string>
#include <vector>

#include "Vtetris_engine.h"
#include "verilated.h"
#include "testlayer.h"
#include "tbmain.h"
#include "testutil.h"
#include "vlport.h"

#include "tetris.h"

namespace {

struct Response {
    uint64_t due;
    Bytes data;
};

class Bench {
  public:
    Bench(const tetris_config &cfg, uint64_t seed) : cfg_(cfg), rng_(seed)
    {
        if (tetris_vault_mem_create(&cfg, &vault_)) {
            std::fprintf(stderr, "tb_engine: cannot create the vault model\n");
            std::exit(2);
        }
        top_ = new Vtetris_engine;
        burst_ = static_cast<size_t>(cfg.dram_burst_bytes);
    }
    ~Bench()
    {
        delete top_;
        tetris_vault_mem_destroy(vault_);
    }
    Bench(const Bench &) = delete;
    Bench &operator=(const Bench &) = delete;

    // Write bytes into the vault model, burst by burst (full masks).
    void put(uint64_t addr, const uint8_t *p, size_t n)
    {
        Bytes mask(burst_ / 16 + 1, 0xFF), buf(burst_);
        for (uint64_t a = addr - addr % burst_; a < addr + n; a += burst_) {
            tetris_vault_mem_read(vault_, a, buf.data());
            for (size_t i = 0; i < burst_; i++)
                if (a + i >= addr && a + i < addr + n)
                    buf[i] = p[a + i - addr];
            tetris_vault_mem_write(vault_, a, buf.data(), mask.data());
        }
    }

    Bytes get(uint64_t addr, size_t n)
    {
        Bytes out(n), buf(burst_);
        for (uint64_t a = addr - addr % burst_; a < addr + n; a += burst_) {
            tetris_vault_mem_read(vault_, a, buf.data());
            for (size_t i = 0; i < burst_; i++)
                if (a + i >= addr && a + i < addr + n)
                    out[a + i - addr] = buf[i];
        }
        return out;
    }

    void tick()
    {
        top_->clk = 0;
        top_->eval();
        // the vault port: take a request, apply writes at once, queue reads
        if (top_->vreq_valid && top_->vreq_ready) {
            uint64_t addr = top_->vreq_addr;
            Bytes data = from_port(top_->vreq_wdata, burst_);
            Bytes mask = from_port(top_->vreq_wmask, burst_ / 16 > 0 ? burst_ / 16 : 1);
            int rc = 0;
            if (top_->vreq_op == 0) {
                Bytes rd(burst_);
                rc = tetris_vault_mem_read(vault_, addr, rd.data());
                uint64_t due = now_ + static_cast<uint64_t>(test_rnd(&rng_, 2, 14));
                if (!rsp_.empty() && due <= rsp_.back().due)
                    due = rsp_.back().due + 1;
                rsp_.push_back({due, rd});
            } else if (top_->vreq_op == 1) {
                rc = tetris_vault_mem_write(vault_, addr, data.data(), mask.data());
            } else {
                rc = tetris_vault_mem_accum(vault_, addr, data.data(), mask.data());
            }
            if (rc && bad_req_.empty())
                bad_req_ = "vault request op " + std::to_string(top_->vreq_op) + " at " +
                           std::to_string(addr) + " rejected";
        }
        top_->clk = 1;
        top_->eval();
        now_++;
        // inputs of the next cycle
        top_->vreq_ready = test_rnd(&rng_, 0, 99) < 85;
        top_->vrsp_valid = 0;
        if (!rsp_.empty() && rsp_.front().due <= now_) {
            top_->vrsp_valid = 1;
            to_port(top_->vrsp_data, rsp_.front().data);
            rsp_.pop_front();
        }
    }

    void reset()
    {
        top_->rst_n = 0;
        top_->start = 0;
        top_->perf_clear = 0;
        top_->vreq_ready = 0;
        top_->vrsp_valid = 0;
        for (int i = 0; i < 4; i++)
            tick();
        top_->rst_n = 1;
        rsp_.clear();
    }

    // Run the program at base; false on a timeout. cycles: start to done.
    bool run(uint32_t base, uint64_t limit, uint64_t *cycles)
    {
        top_->perf_clear = 1;
        tick();
        top_->perf_clear = 0;
        top_->prog_base = base;
        top_->start = 1;
        tick();
        top_->start = 0;
        uint64_t t0 = now_;
        while (!top_->done && !top_->err) {
            tick();
            if (now_ - t0 > limit)
                return false;
        }
        *cycles = now_ - t0;
        for (int i = 0; i < 4; i++)  // let the counters settle
            tick();
        return true;
    }

    uint64_t counter(int i)
    {
        top_->csr_addr = static_cast<uint8_t>(i);
        tick();
        top_->clk = 0;
        top_->eval();
        return top_->csr_rdata;
    }

    Vtetris_engine *top_ = nullptr;
    std::string bad_req_;

  private:
    tetris_config cfg_;
    uint64_t rng_;
    tetris_vault_mem *vault_ = nullptr;
    size_t burst_ = 32;
    uint64_t now_ = 0;
    std::deque<Response> rsp_;
};

const char *kTypeName[] = {"conv", "fc", "maxpool", "avgpool", "relu"};

int passed = 0, failed = 0;

void check(bool ok, const std::string &what)
{
    if (ok) {
        passed++;
    } else {
        failed++;
        std::printf("FAIL: %s\n", what.c_str());
    }
}

// A random layer the engine maps, with a valid blocking; false if none found.
bool draw_layer(uint64_t *s, const tetris_config &cfg, tetris_layer *l, int *batch, tetris_blocking *b)
{
    for (int tries = 0; tries < 100; tries++) {
        test_random_layer(s, &cfg, l);
        // the output stage's reciprocal table covers windows up to max_kernel^2
        if (l->type == TETRIS_LAYER_AVGPOOL && l->r * l->s > cfg.max_kernel * cfg.max_kernel)
            continue;
        tetris_mapping map;
        tetris_error err;
        if (tetris_map_layer(l, &cfg, &map, &err))
            continue;
        *batch = test_rnd(s, 1, 2);
        if (test_random_blocking(s, l, *batch, &cfg, b) &&
            tetris_blocking_default(l, *batch, &cfg, b, &err))
            continue;
        return true;
    }
    return false;
}

void run_layer(Bench &bench, const tetris_config &cfg, uint64_t seed, int index, bool verbose)
{
    uint64_t s = seed * 7919 + static_cast<uint64_t>(index);
    tetris_layer l;
    tetris_blocking b;
    int batch = 1;
    if (!draw_layer(&s, cfg, &l, &batch, &b)) {
        check(false, "no layer fits the configuration");
        return;
    }
    char name[160];
    std::snprintf(name, sizeof name, "layer %d (%s c%d m%d %dx%d k%dx%d s%d p%d g%d n%d res %d)",
                  index, kTypeName[l.type], l.c, l.m, l.hi, l.wi, l.r, l.s, l.stride, l.pad,
                  l.groups, batch, static_cast<int>(b.resident));
    tetris_program prog;
    tetris_vault_layout lay;
    tetris_error err;
    if (tetris_compile(&l, batch, &cfg, l.shift, &b, &prog, &lay, &err)) {
        check(false, std::string(name) + ": compile: " + err.msg);
        return;
    }
    uint64_t base = (lay.end + 63) & ~uint64_t{63};
    uint64_t total = base + 16 * prog.n;

    // the model: inputs, the vault image before the run, then the run
    tetris_arith a;
    tetris_arith_from_config(&cfg, &a);
    tetris_layer_data d;
    tetris_engine *e = nullptr;
    if (tetris_layer_data_alloc(&l, batch, &d) || tetris_engine_create(&cfg, total, &e)) {
        check(false, std::string(name) + ": out of memory");
        return;
    }
    tetris_layer_data_random(&l, &a, seed, static_cast<uint64_t>(index), &d);
    tetris_vault_put_inputs(e, &l, &lay, &d);
    uint64_t vbytes = 0;
    Bytes image(tetris_engine_vault(e, &vbytes), tetris_engine_vault(e, nullptr) + total);
    for (size_t i = 0; i < prog.n; i++)
        for (int k = 0; k < 16; k++)
            image[base + 16 * i + static_cast<size_t>(k)] =
                static_cast<uint8_t>(prog.insn[i].w[k / 4] >> (8 * (k % 4)));
    int rc = tetris_engine_run(e, &prog, &err);
    check(rc == 0, std::string(name) + ": engine model: " + (rc ? err.msg : ""));
    const tetris_counters want = *tetris_engine_counters(e);
    const uint8_t *mv = tetris_engine_vault(e, nullptr);
    Bytes model_out(mv + lay.psum, mv + lay.end);

    // the RTL
    bench.put(0, image.data(), image.size());
    uint64_t cycles = 0;
    uint64_t limit = 200 * want.v[TETRIS_CNT_CYCLES] + 200000;
    bool ok = bench.run(static_cast<uint32_t>(base), limit, &cycles);
    check(ok, std::string(name) + ": finishes within " + std::to_string(limit) + " cycles");
    check(!bench.top_->err, std::string(name) + ": no invalid instruction");
    check(bench.bad_req_.empty(), std::string(name) + ": " + bench.bad_req_);
    if (ok) {
        Bytes rtl_out = bench.get(lay.psum, static_cast<size_t>(lay.end - lay.psum));
        size_t diff = 0;
        while (diff < rtl_out.size() && rtl_out[diff] == model_out[diff])
            diff++;
        char msg[320]; // name is below 160 characters
        std::snprintf(msg, sizeof msg, "%s: psum and ofmap regions equal the model's (first "
                      "difference at vault byte %" PRIu64 ", ofmap at %" PRIu64 ")",
                      name, lay.psum + diff, lay.ofmap);
        check(diff == rtl_out.size(), msg);
        for (int c = 0; c < TETRIS_CNT_COUNT; c++) {
            if (c == TETRIS_CNT_CYCLES)
                continue;
            uint64_t got = bench.counter(c);
            std::snprintf(msg, sizeof msg, "%s: counter %s: RTL %" PRIu64 ", model %" PRIu64, name,
                          tetris_counter_name(static_cast<tetris_counter>(c)), got, want.v[c]);
            check(got == want.v[c], msg);
        }
        uint64_t rtl_cycles = bench.counter(TETRIS_CNT_CYCLES);
        if (verbose || failed)
            std::printf("%s: %zu instructions, RTL %" PRIu64 " cycles (counter %" PRIu64
                        "), model %" PRIu64 "\n",
                        name, prog.n, cycles, rtl_cycles, want.v[TETRIS_CNT_CYCLES]);
    }
    bench.reset();
    tetris_engine_destroy(e);
    tetris_layer_data_free(&d);
    tetris_program_free(&prog);
}

} // namespace

int main(int argc, char **argv)
{
    Verilated::commandArgs(argc, argv);
    tetris_config cfg;
    uint64_t seed;
    int layers = 12;
    bool verbose = false;
    if (int rc = tb_main_args(argc, argv,
                              "tb_engine --config FILE [--seed N] [--layers K] [--verbose]",
                              {{"--layers", &layers, 1, INT_MAX}}, {{"--verbose", &verbose}}, cfg,
                              seed))
        return rc;
    Bench bench(cfg, seed);
    bench.reset();
    for (int i = 0; i < layers; i++)
        run_layer(bench, cfg, seed, i, verbose);
    std::printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
