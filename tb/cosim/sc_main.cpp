// SystemC co-simulation of one vault: the Verilated tetris_cosim_top (the
// generated engine and vault controller) between a SystemC DRAM device and a
// SystemC host. It runs one prepared layer and reports what the RTL did; it
// computes no expected values (`tetris cosim` prepares the layer with
// libtetris and checks the results, docs/cosim.md).
//
//   host:  resets, writes the vault image (inputs and program) through the
//          device's backdoor, clears the counters, starts the engine at the
//          program, waits for done (or an error, the watchdog, the cycle
//          limit), reads every counter over the CSR port and dumps a vault
//          region;
//   dram:  executes the controller's DRAM commands under the configuration's
//          timing (every command goes through libtetris's DRAM checker; a
//          violation stops the run), returns RD data T_CL cycles later, adds
//          ACC data next to the banks, and injects back-pressure (stall) at a
//          seeded random rate.
//
// Usage: tetris_cosim_sim --config FILE --image FILE --prog-base ADDR
//            --dump START:END --out PREFIX [--seed S] [--stall PERCENT]
//            [--watchdog CYCLES] [--limit CYCLES] [--expect-cycles N]
//            [--progress] [--progress-fd FD] [--profile FILE] [--trace FILE.fst [--trace-from C] [--trace-to C]
//            | [--trace-pc N] [--trace-window C]] [+trace]
// The trace window is [--trace-from, --trace-to] in cycles from reset, or
// --trace-window cycles from the first cycle in which instruction N (the
// index in the program) is the sequencer's current instruction. --profile
// writes "N FIRST LAST" for each LOAD, STORE or PASS N: the cycles (from
// start) of its dispatch and of its unit's return to idle; then "end CYCLES".
// --progress rewrites a line with the cycles, the speed and the time to go
// on stderr; --progress-fd writes the simulated cycles, a decimal number per
// line, to descriptor FD (`tetris cosim` reads them from a pipe). Both report
// every 2^16 cycles.
// Writes PREFIX.bin (the vault bytes [START, END) after the run) and
// PREFIX.txt ("key value" lines: status, cycles, one "counter NAME VALUE" per
// counter, sim_seconds, and "message TEXT" lines on a failure). Exit status
// 0 when the run ended at END, 1 when it did not, 2 on bad arguments.
#include <getopt.h>

#include <chrono>
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include <systemc.h>

#include "Vtetris_cosim_top.h"
#include "verilated.h"
#include "verilated_fst_c.h"

#include "dram_device.h"
#include "tetris.h"
#include "tetris_params.h"

namespace {

// Engine clock period in the SystemC time base (the value does not matter:
// every timing is in cycles).
const sc_time kPeriod(2, SC_NS);

// Cycles between progress reports: about 2 s of a t16 simulation.
const uint64_t kReportEvery = 1u << 16;

struct Options {
    std::string config, image, out, trace;
    uint64_t prog_base = 0, dump_start = 0, dump_end = 0;
    uint64_t seed = 1;
    int stall = 0;                  // percent of cycles with back-pressure
    uint64_t watchdog = 1000000;    // cycles without activity
    uint64_t limit = 0;             // 0: no limit
    uint64_t expect_cycles = 0;     // the model's prediction, for the ETA
    uint64_t trace_from = 0, trace_to = UINT64_MAX;
    std::string profile;            // file of "instruction cycle" lines: when each became current
    int64_t trace_pc = -1;          // window opens when this instruction starts
    uint64_t trace_window = 10000;  // cycles of a --trace-pc window
    bool progress = false;
    int progress_fd = -1;
};

// Why a run ended.
enum class End { kRunning, kDone, kErr, kVaultErr, kDram, kWatchdog, kLimit };
const char *end_name(End e)
{
    switch (e) {
    case End::kDone: return "done";
    case End::kErr: return "err";
    case End::kVaultErr: return "vault_err";
    case End::kDram: return "dram";
    case End::kWatchdog: return "watchdog";
    case End::kLimit: return "limit";
    default: return "running";
    }
}

// Bit-vector port values <-> bytes (little-endian).
template <int N> Bytes bv_bytes(const sc_bv<N> &v, std::size_t n)
{
    Bytes b(n);
    for (std::size_t i = 0; i < n; i++)
        b[i] = static_cast<uint8_t>(v.range(static_cast<int>(8 * i + 7), static_cast<int>(8 * i)).to_uint());
    return b;
}

template <int N> sc_bv<N> bytes_bv(const Bytes &b)
{
    sc_bv<N> v;
    for (std::size_t i = 0; i < b.size() && 8 * i < static_cast<std::size_t>(N); i++)
        v.range(static_cast<int>(8 * i + 7), static_cast<int>(8 * i)) = b[i];
    return v;
}

// The widths of the configuration's ports, from the generated header.
constexpr int clog2(uint64_t n) { return n <= 1 ? 0 : 1 + clog2((n + 1) / 2); }
constexpr int field_bits(uint64_t n) { return n > 1 ? clog2(n) : 1; } // as tetris_vault_ctrl's
constexpr int kBurstBits = 8 * TETRIS_P_DRAM_BURST_BYTES;
constexpr int kMaskBits = TETRIS_P_DRAM_BURST_BYTES / 2;
constexpr int kBankBits = field_bits(TETRIS_P_DRAM_BANKS);
constexpr int kRowBits = field_bits(TETRIS_P_DRAM_ROWS);
constexpr int kColBits = field_bits(TETRIS_P_DRAM_ROW_BYTES / TETRIS_P_DRAM_BURST_BYTES);
// Verilator's SystemC port types: bool (1 bit), uint32_t (2-32), uint64_t (33-64), sc_bv (more)
template <int N> using PortT = typename std::conditional<
    (N > 64), sc_bv<N>,
    typename std::conditional<(N > 32), uint64_t,
                              typename std::conditional<(N > 1), uint32_t, bool>::type>::type>::type;
using DataT = PortT<kBurstBits>;
using MaskT = PortT<kMaskBits>;
using BankT = PortT<kBankBits>;
using RowT = PortT<kRowBits>;
using ColT = PortT<kColBits>;

Bytes to_bytes(const sc_bv<kBurstBits> &v, std::size_t n) { return bv_bytes<kBurstBits>(v, n); }
template <typename T> Bytes to_bytes(const T &v, std::size_t n)
{
    Bytes b(n);
    for (std::size_t i = 0; i < n; i++)
        b[i] = static_cast<uint8_t>(static_cast<uint64_t>(v) >> (8 * i));
    return b;
}
template <typename T> T from_bytes(const Bytes &b)
{
    uint64_t v = 0;
    for (std::size_t i = 0; i < b.size() && i < 8; i++)
        v |= static_cast<uint64_t>(b[i]) << (8 * i);
    return static_cast<T>(v);
}
template <> sc_bv<kBurstBits> from_bytes<sc_bv<kBurstBits>>(const Bytes &b) { return bytes_bv<kBurstBits>(b); }

// State both SystemC processes share: the cycle count and how the run ends.
struct Run {
    uint64_t cycle = 0;
    End end = End::kRunning;
    std::vector<std::string> messages;
};

// The vault's DRAM dies: storage and timing behind the controller.
SC_MODULE(DramModel)
{
    sc_in<bool> clk;
    sc_in<bool> cmd_valid;
    sc_in<uint32_t> cmd;
    sc_in<BankT> bank;
    sc_in<RowT> row;
    sc_in<ColT> col;
    sc_in<DataT> wdata;
    sc_in<MaskT> wmask;
    sc_out<bool> rvalid;
    sc_out<DataT> rdata;
    sc_out<bool> stall;

    Device dev;
    Run *run = nullptr;
    std::mt19937_64 rng;
    int stall_pct = 0;
    std::size_t burst;

    SC_HAS_PROCESS(DramModel);
    DramModel(sc_module_name n, const tetris_config &cfg)
        : sc_module(n), dev(cfg), burst(static_cast<std::size_t>(cfg.dram_burst_bytes))
    {
        SC_METHOD(edge);
        sensitive << clk.pos();
        dont_initialize();
    }

    // At the edge that ends cycle c-1: execute its command, then drive the
    // read data and the back-pressure of cycle c.
    void edge()
    {
        uint64_t c = run->cycle;
        if (cmd_valid.read()) {
            std::string msg = dev.command(c - 1, static_cast<int>(cmd.read()), static_cast<int>(bank.read()),
                                          static_cast<int>(row.read()), static_cast<int>(col.read()),
                                          to_bytes(wdata.read(), burst), to_bytes(wmask.read(), burst / 16 > 0 ? burst / 16 : 1));
            if (!msg.empty() && run->end == End::kRunning) {
                run->end = End::kDram;
                run->messages.push_back("DRAM timing violation: " + msg);
            }
        }
        Bytes rd;
        bool v = dev.read_data(c, rd);
        rvalid.write(v);
        if (v)
            rdata.write(from_bytes<DataT>(rd));
        stall.write(stall_pct > 0 && static_cast<int>(rng() % 100) < stall_pct);
    }
};

// The host: loads, starts, watches and reads back.
SC_MODULE(Host)
{
    sc_in<bool> clk;
    sc_out<bool> rst_n, start, perf_clear;
    sc_out<uint32_t> prog_base, csr_addr;
    sc_in<bool> busy, done, err, vault_err, vault_idle, activity;
    sc_in<uint32_t> err_pc;
    sc_in<uint64_t> csr_rdata;
    sc_in<uint32_t> dbg_pc, dbg_seq_state, dbg_exe_op, dbg_vault_queue;
    sc_in<bool> dbg_dma_busy, dbg_pass_busy, dbg_dispatch;

    const Options &opt;
    Run *run = nullptr;
    Vtetris_cosim_top *top = nullptr;
    uint64_t cycles = 0; // start to done
    uint64_t counters[TETRIS_CNT_COUNT] = {};
    std::unique_ptr<VerilatedFstC> tfp;
    uint64_t from, to; // the trace window, in cycles

    SC_HAS_PROCESS(Host);
    Host(sc_module_name n, const Options &o)
        : sc_module(n), opt(o), from(o.trace_pc >= 0 ? UINT64_MAX : o.trace_from),
          to(o.trace_pc >= 0 ? 0 : o.trace_to)
    {
        SC_THREAD(main);
        sensitive << clk.pos();
    }

    void tick()
    {
        wait();
        run->cycle++;
        trace();
    }

    // The FST window: open at its first cycle, dump each cycle, close after it.
    void trace()
    {
        if (opt.trace.empty())
            return;
        uint64_t c = run->cycle;
        if (opt.trace_pc >= 0 && !tfp && dbg_pc.read() == opt.prog_base + 16 * static_cast<uint64_t>(opt.trace_pc)) {
            from = c;
            to = c + opt.trace_window;
        }
        if (!tfp && c >= from && c <= to) {
            tfp.reset(new VerilatedFstC);
            top->trace(tfp.get(), 99);
            tfp->open(opt.trace.c_str());
        }
        if (tfp && tfp->isOpen()) {
            if (c > to) {
                tfp->close();
                return;
            }
            tfp->dump(static_cast<uint64_t>(sc_time_stamp().value()));
        }
    }

    void main()
    {
        rst_n.write(false);
        start.write(false);
        perf_clear.write(false);
        for (int i = 0; i < 4; i++)
            tick();
        rst_n.write(true);
        perf_clear.write(true);
        tick();
        perf_clear.write(false);
        prog_base.write(static_cast<uint32_t>(opt.prog_base));
        start.write(true);
        tick();
        start.write(false);
        uint64_t t0 = run->cycle, quiet = 0, next_report = kReportEvery;
        FILE *prof = opt.profile.empty() ? nullptr : std::fopen(opt.profile.c_str(), "w");
        bool unit_was = false;
        uint32_t unit_pc = 0;
        uint64_t unit_t0 = 0;
        auto wall0 = std::chrono::steady_clock::now();
        while (run->end == End::kRunning) {
            tick();
            cycles = run->cycle - t0;
            quiet = activity.read() ? 0 : quiet + 1;
            // one unit at a time: from its dispatch to the end of its busy time
            bool unit = dbg_dma_busy.read() || dbg_pass_busy.read();
            if (prof && !unit && unit_was)
                std::fprintf(prof, "%u %" PRIu64 " %" PRIu64 "\n", unit_pc, unit_t0, cycles);
            if (prof && dbg_dispatch.read()) {
                unit_pc = (dbg_pc.read() - static_cast<uint32_t>(opt.prog_base)) / 16;
                unit_t0 = cycles;
            }
            unit_was = unit;
            if (done.read())
                run->end = End::kDone;
            else if (err.read())
                run->end = End::kErr;
            else if (vault_err.read())
                run->end = End::kVaultErr;
            else if (quiet >= opt.watchdog)
                run->end = End::kWatchdog;
            else if (opt.limit && cycles >= opt.limit)
                run->end = End::kLimit;
            if (cycles >= next_report) {
                next_report += kReportEvery;
                if (opt.progress)
                    report_progress(wall0);
                if (opt.progress_fd >= 0)
                    dprintf(opt.progress_fd, "%" PRIu64 "\n", cycles);
            }
        }
        if (prof)
            std::fprintf(prof, "end %" PRIu64 "\n", cycles), std::fclose(prof);
        if (opt.progress)
            std::fprintf(stderr, "\n");
        // END means every request is issued; the host reads back once the
        // vault controller has performed them all
        for (uint64_t w = 0; run->end == End::kDone && !vault_idle.read(); w++) {
            if (w >= opt.watchdog) {
                run->end = End::kWatchdog;
                break;
            }
            tick();
        }
        describe_end();
        for (int i = 0; i < 8; i++) // let the counters take the last events
            tick();
        for (int i = 0; i < TETRIS_CNT_COUNT; i++) {
            csr_addr.write(static_cast<uint32_t>(i));
            tick();
            tick();
            counters[i] = csr_rdata.read();
        }
        if (tfp && tfp->isOpen())
            tfp->close();
        sc_stop();
    }

    void report_progress(std::chrono::steady_clock::time_point wall0)
    {
        double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
        double rate = s > 0 ? static_cast<double>(cycles) / s : 0;
        std::fprintf(stderr, "\r  %" PRIu64 " cycles, %.0f cycles/s", cycles, rate);
        if (opt.expect_cycles > cycles && rate > 0)
            std::fprintf(stderr, ", about %.0f s to go (model: %" PRIu64 " cycles)",
                         static_cast<double>(opt.expect_cycles - cycles) / rate, opt.expect_cycles);
        std::fflush(stderr);
    }

    void describe_end()
    {
        char buf[256];
        switch (run->end) {
        case End::kErr:
            std::snprintf(buf, sizeof buf, "the sequencer rejected the instruction at byte %u", err_pc.read());
            run->messages.push_back(buf);
            break;
        case End::kVaultErr:
            run->messages.push_back("the vault controller rejected a request");
            break;
        case End::kWatchdog:
        case End::kLimit:
            std::snprintf(buf, sizeof buf, "%s after %" PRIu64 " cycles (%" PRIu64 " without activity)",
                          run->end == End::kWatchdog ? "no progress" : "cycle limit reached", cycles, opt.watchdog);
            run->messages.push_back(buf);
            std::snprintf(buf, sizeof buf,
                          "state: pc %u (instruction %u), sequencer state %u, waiting opcode 0x%02x, "
                          "LOAD/STORE unit %s, pass unit %s, vault queue slots 0x%x",
                          dbg_pc.read(), (dbg_pc.read() - static_cast<uint32_t>(opt.prog_base)) / 16,
                          dbg_seq_state.read(), dbg_exe_op.read(), dbg_dma_busy.read() ? "busy" : "idle",
                          dbg_pass_busy.read() ? "busy" : "idle", dbg_vault_queue.read());
            run->messages.push_back(buf);
            break;
        default:
            break;
        }
    }
};

int usage()
{
    std::fprintf(stderr, "usage: tetris_cosim_sim --config FILE --image FILE --prog-base ADDR --dump START:END "
                         "--out PREFIX [--seed S] [--stall PERCENT] [--watchdog CYCLES] [--limit CYCLES] "
                         "[--expect-cycles N] [--progress] [--progress-fd FD] [--trace FILE [--trace-from C] [--trace-to C] [--trace-pc N] "
                         "[--trace-window C]]\n");
    return 2;
}

bool parse_u64(const char *s, uint64_t *v)
{
    if (!s || !*s || *s == '-')
        return false;
    char *end = nullptr;
    errno = 0;
    *v = std::strtoull(s, &end, 0);
    return errno == 0 && *end == '\0';
}

int parse(int argc, char **argv, Options &o)
{
    static const struct option longs[] = {
        {"config", required_argument, nullptr, 'c'},      {"image", required_argument, nullptr, 'i'},
        {"prog-base", required_argument, nullptr, 'p'},   {"dump", required_argument, nullptr, 'd'},
        {"out", required_argument, nullptr, 'o'},         {"seed", required_argument, nullptr, 's'},
        {"stall", required_argument, nullptr, 'S'},       {"watchdog", required_argument, nullptr, 'w'},
        {"limit", required_argument, nullptr, 'l'},       {"expect-cycles", required_argument, nullptr, 'e'},
        {"progress", no_argument, nullptr, 'P'},          {"trace", required_argument, nullptr, 't'},
        {"trace-from", required_argument, nullptr, 'f'},  {"trace-to", required_argument, nullptr, 'T'},
        {"trace-pc", required_argument, nullptr, 'C'},    {"trace-window", required_argument, nullptr, 'W'},
        {"profile", required_argument, nullptr, 'R'},     {"progress-fd", required_argument, nullptr, 'F'},
        {nullptr, 0, nullptr, 0}};
    int c;
    uint64_t v;
    bool ok = true;
    opterr = 0;
    while (ok && (c = getopt_long(argc, argv, "", longs, nullptr)) != -1) {
        switch (c) {
        case 'c': o.config = optarg; break;
        case 'i': o.image = optarg; break;
        case 'o': o.out = optarg; break;
        case 't': o.trace = optarg; break;
        case 'R': o.profile = optarg; break;
        case 'P': o.progress = true; break;
        case 'F': ok = parse_u64(optarg, &v) && v <= 1023; o.progress_fd = static_cast<int>(v); break;
        case 'p': ok = parse_u64(optarg, &o.prog_base) && o.prog_base <= UINT32_MAX; break;
        case 's': ok = parse_u64(optarg, &o.seed); break;
        case 'S': ok = parse_u64(optarg, &v) && v <= 90; o.stall = static_cast<int>(v); break;
        case 'w': ok = parse_u64(optarg, &o.watchdog) && o.watchdog > 0; break;
        case 'l': ok = parse_u64(optarg, &o.limit); break;
        case 'e': ok = parse_u64(optarg, &o.expect_cycles); break;
        case 'f': ok = parse_u64(optarg, &o.trace_from); break;
        case 'T': ok = parse_u64(optarg, &o.trace_to); break;
        case 'C': ok = parse_u64(optarg, &v) && v < (1u << 28); o.trace_pc = static_cast<int64_t>(v); break;
        case 'W': ok = parse_u64(optarg, &o.trace_window); break;
        case 'd': {
            const char *colon = std::strchr(optarg, ':');
            ok = colon && parse_u64(std::string(optarg, static_cast<std::size_t>(colon - optarg)).c_str(), &o.dump_start) &&
                 parse_u64(colon + 1, &o.dump_end) && o.dump_end >= o.dump_start;
            break;
        }
        default: ok = false; break;
        }
    }
    // Verilator's plusargs stay in argv; anything else is an error
    for (int i = optind; ok && i < argc; i++)
        ok = argv[i][0] == '+';
    if (!ok || o.config.empty() || o.image.empty() || o.out.empty())
        return usage();
    return 0;
}

bool read_file(const std::string &path, Bytes &b)
{
    std::ifstream f(path, std::ios::binary);
    if (!f)
        return false;
    b.assign(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
    return true;
}

} // namespace

int sc_main(int argc, char **argv)
{
    Verilated::commandArgs(argc, argv);
    Options opt;
    if (parse(argc, argv, opt))
        return 2;
    if (opt.trace.empty() && Verilated::commandArgsPlusMatch("trace")[0])
        opt.trace = opt.out + ".fst";
    tetris_config cfg;
    tetris_error err = {""};
    if (tetris_config_load(opt.config.c_str(), &cfg, &err)) {
        std::fprintf(stderr, "tetris_cosim_sim: %s\n", err.msg);
        return 2;
    }
    if (cfg.dram_burst_bytes != TETRIS_P_DRAM_BURST_BYTES || tetris_config_hash(&cfg) != TETRIS_P_CONFIG_HASH) {
        std::fprintf(stderr, "tetris_cosim_sim: %s is not the configuration this simulator was built for\n",
                     opt.config.c_str());
        return 2;
    }
    Bytes image;
    if (!read_file(opt.image, image)) {
        std::fprintf(stderr, "tetris_cosim_sim: %s: cannot read\n", opt.image.c_str());
        return 2;
    }
    if (!opt.trace.empty())
        Verilated::traceEverOn(true);

    Run run;
    sc_clock clk("clk", kPeriod);
    sc_signal<bool> rst_n, start, perf_clear, busy, done, err_s, vault_err, vault_idle, stall, activity;
    sc_signal<bool> dbg_dma_busy, dbg_pass_busy, dbg_dispatch, cmd_valid, rvalid;
    sc_signal<uint32_t> prog_base, err_pc, csr_addr, dbg_pc, dbg_seq_state, dbg_exe_op, dbg_vault_queue;
    sc_signal<uint32_t> cmd;
    sc_signal<BankT> bank;
    sc_signal<RowT> row;
    sc_signal<ColT> col;
    sc_signal<uint64_t> csr_rdata;
    sc_signal<DataT> wdata, rdata;
    sc_signal<MaskT> wmask;

    Vtetris_cosim_top top("top");
    top.clk(clk);
    top.rst_n(rst_n);
    top.start(start);
    top.prog_base(prog_base);
    top.busy(busy);
    top.done(done);
    top.err(err_s);
    top.err_pc(err_pc);
    top.vault_err(vault_err);
    top.vault_idle(vault_idle);
    top.perf_clear(perf_clear);
    top.csr_addr(csr_addr);
    top.csr_rdata(csr_rdata);
    top.stall(stall);
    top.activity(activity);
    top.dbg_pc(dbg_pc);
    top.dbg_seq_state(dbg_seq_state);
    top.dbg_exe_op(dbg_exe_op);
    top.dbg_dma_busy(dbg_dma_busy);
    top.dbg_pass_busy(dbg_pass_busy);
    top.dbg_dispatch(dbg_dispatch);
    top.dbg_vault_queue(dbg_vault_queue);
    top.dram_cmd_valid(cmd_valid);
    top.dram_cmd(cmd);
    top.dram_bank(bank);
    top.dram_row(row);
    top.dram_col(col);
    top.dram_wdata(wdata);
    top.dram_wmask(wmask);
    top.dram_rvalid(rvalid);
    top.dram_rdata(rdata);

    DramModel dram("dram", cfg);
    dram.clk(clk);
    dram.cmd_valid(cmd_valid);
    dram.cmd(cmd);
    dram.bank(bank);
    dram.row(row);
    dram.col(col);
    dram.wdata(wdata);
    dram.wmask(wmask);
    dram.rvalid(rvalid);
    dram.rdata(rdata);
    dram.stall(stall);
    dram.run = &run;
    dram.rng.seed(opt.seed);
    dram.stall_pct = opt.stall;
    if (!dram.dev.load(0, image.data(), image.size())) {
        std::fprintf(stderr, "tetris_cosim_sim: %s: %zu bytes do not fit the vault\n", opt.image.c_str(),
                     image.size());
        return 2;
    }

    Host host("host", opt);
    host.clk(clk);
    host.rst_n(rst_n);
    host.start(start);
    host.perf_clear(perf_clear);
    host.prog_base(prog_base);
    host.csr_addr(csr_addr);
    host.busy(busy);
    host.done(done);
    host.err(err_s);
    host.vault_err(vault_err);
    host.vault_idle(vault_idle);
    host.activity(activity);
    host.err_pc(err_pc);
    host.csr_rdata(csr_rdata);
    host.dbg_pc(dbg_pc);
    host.dbg_seq_state(dbg_seq_state);
    host.dbg_exe_op(dbg_exe_op);
    host.dbg_vault_queue(dbg_vault_queue);
    host.dbg_dma_busy(dbg_dma_busy);
    host.dbg_pass_busy(dbg_pass_busy);
    host.dbg_dispatch(dbg_dispatch);
    host.run = &run;
    host.top = &top;

    auto wall0 = std::chrono::steady_clock::now();
    sc_start();
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
    top.final();

    Bytes region(static_cast<std::size_t>(opt.dump_end - opt.dump_start));
    if (!dram.dev.dump(opt.dump_start, region.data(), region.size())) {
        std::fprintf(stderr, "tetris_cosim_sim: --dump %" PRIu64 ":%" PRIu64 " is outside the vault\n",
                     opt.dump_start, opt.dump_end);
        return 2;
    }
    std::ofstream bin(opt.out + ".bin", std::ios::binary);
    bin.write(reinterpret_cast<const char *>(region.data()), static_cast<std::streamsize>(region.size()));
    FILE *txt = std::fopen((opt.out + ".txt").c_str(), "w");
    if (!bin || !txt) {
        std::fprintf(stderr, "tetris_cosim_sim: %s: cannot write the results\n", opt.out.c_str());
        return 2;
    }
    std::fprintf(txt, "status %s\ncycles %" PRIu64 "\n", end_name(run.end), host.cycles);
    for (int i = 0; i < TETRIS_CNT_COUNT; i++)
        std::fprintf(txt, "counter %s %" PRIu64 "\n", tetris_counter_name(static_cast<tetris_counter>(i)),
                     host.counters[i]);
    std::fprintf(txt, "sim_seconds %.6f\n", seconds);
    for (const std::string &m : run.messages)
        std::fprintf(txt, "message %s\n", m.c_str());
    std::fclose(txt);
    return run.end == End::kDone ? 0 : 1;
}
