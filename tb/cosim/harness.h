// What the two co-simulation harnesses share: the SystemC one
// (tb/cosim/sc_main.cpp) and the plain C++ one (tb/cosim/main.cpp) run the
// Verilated tetris_cosim_top against the same DRAM device and the same host
// sequence, take the same options and write the same result files, so that
// `tetris cosim` judges either the same way (docs/cosim.md).
//
// A harness supplies the clock: an Io type with
//   void tick(const HostIn &in, HostOut &out)  drive in from now on, let one
//       rising edge pass, and return in out the top's outputs as they were
//       just before that edge (what a process woken by the edge reads);
//   void trace_attach(VerilatedFstC *tfp)  trace the top into tfp;
//   void trace_dump(VerilatedFstC *tfp)  dump the current values.
// The host sequence (Host::run) and the DRAM side (Dram::edge) are written
// once here, so both harnesses count the same cycles.
//
// Usage: SIM --config FILE --image FILE --prog-base ADDR
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
#ifndef TETRIS_TB_COSIM_HARNESS_H
#define TETRIS_TB_COSIM_HARNESS_H

#include <getopt.h>

#include <cerrno>
#include <chrono>
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "verilated.h"
#include "verilated_fst_c.h"

#include "dram_device.h"
#include "tetris.h"
#include "tetris_params.h"

namespace cosim {

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
inline const char *end_name(End e)
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

// State the host and the DRAM side share: the cycle count and how the run ends.
struct Run {
    uint64_t cycle = 0;
    End end = End::kRunning;
    std::vector<std::string> messages;
};

// The host's inputs of tetris_cosim_top.
struct HostIn {
    bool rst_n = false, start = false, perf_clear = false;
    uint32_t prog_base = 0, csr_addr = 0;
};

// The top's outputs the host watches.
struct HostOut {
    bool done = false, err = false, vault_err = false, vault_idle = false, activity = false;
    bool dma_busy = false, pass_busy = false, dispatch = false;
    uint32_t err_pc = 0, pc = 0, seq_state = 0, exe_op = 0, vault_queue = 0;
    uint64_t csr_rdata = 0;
};

// The controller's DRAM command of one cycle, as bytes.
struct DramCmd {
    bool valid = false;
    int cmd = 0, bank = 0, row = 0, col = 0;
    Bytes wdata, wmask;
};

// The vault's DRAM dies: storage and timing behind the controller.
class Dram {
  public:
    Dram(const tetris_config &cfg, uint64_t seed, int stall_pct, Run *run)
        : dev(cfg), burst(static_cast<std::size_t>(cfg.dram_burst_bytes)), rng_(seed), stall_pct_(stall_pct),
          run_(run)
    {
    }

    // Bytes of a write mask: one bit per 16-bit lane of a burst.
    std::size_t mask_bytes() const { return burst / 16 > 0 ? burst / 16 : 1; }

    // At the edge that ends cycle c-1 (c = run->cycle): execute that cycle's
    // command, then give the read data (rvalid, rdata; rdata is left alone
    // without valid data) and the back-pressure of cycle c.
    void edge(const DramCmd &in, bool &rvalid, Bytes &rdata, bool &stall)
    {
        uint64_t c = run_->cycle;
        if (in.valid) {
            std::string msg = dev.command(c - 1, in.cmd, in.bank, in.row, in.col, in.wdata, in.wmask);
            if (!msg.empty() && run_->end == End::kRunning) {
                run_->end = End::kDram;
                run_->messages.push_back("DRAM timing violation: " + msg);
            }
        }
        rvalid = dev.read_data(c, rdata);
        stall = stall_pct_ > 0 && static_cast<int>(rng_() % 100) < stall_pct_;
    }

    Device dev;
    const std::size_t burst;

  private:
    std::mt19937_64 rng_;
    int stall_pct_;
    Run *run_;
};

// The host: resets, starts the engine, watches it, reads the counters.
template <typename Io> class Host {
  public:
    Host(Io &io, const Options &o, Run *run)
        : io_(io), opt_(o), run_(run), from_(o.trace_pc >= 0 ? UINT64_MAX : o.trace_from),
          to_(o.trace_pc >= 0 ? 0 : o.trace_to)
    {
    }

    uint64_t cycles = 0; // start to done
    uint64_t counters[TETRIS_CNT_COUNT] = {};

    // The whole run, from reset to the last counter read.
    void run()
    {
        for (int i = 0; i < 4; i++)
            tick();
        in_.rst_n = true;
        in_.perf_clear = true;
        tick();
        in_.perf_clear = false;
        in_.prog_base = static_cast<uint32_t>(opt_.prog_base);
        in_.start = true;
        tick();
        in_.start = false;
        uint64_t t0 = run_->cycle, quiet = 0, next_report = kReportEvery;
        FILE *prof = opt_.profile.empty() ? nullptr : std::fopen(opt_.profile.c_str(), "w");
        bool unit_was = false;
        uint32_t unit_pc = 0;
        uint64_t unit_t0 = 0;
        auto wall0 = std::chrono::steady_clock::now();
        while (run_->end == End::kRunning) {
            tick();
            cycles = run_->cycle - t0;
            quiet = out_.activity ? 0 : quiet + 1;
            // one unit at a time: from its dispatch to the end of its busy time
            bool unit = out_.dma_busy || out_.pass_busy;
            if (prof && !unit && unit_was)
                std::fprintf(prof, "%u %" PRIu64 " %" PRIu64 "\n", unit_pc, unit_t0, cycles);
            if (prof && out_.dispatch) {
                unit_pc = (out_.pc - static_cast<uint32_t>(opt_.prog_base)) / 16;
                unit_t0 = cycles;
            }
            unit_was = unit;
            if (out_.done)
                run_->end = End::kDone;
            else if (out_.err)
                run_->end = End::kErr;
            else if (out_.vault_err)
                run_->end = End::kVaultErr;
            else if (quiet >= opt_.watchdog)
                run_->end = End::kWatchdog;
            else if (opt_.limit && cycles >= opt_.limit)
                run_->end = End::kLimit;
            if (cycles >= next_report) {
                next_report += kReportEvery;
                if (opt_.progress)
                    report_progress(wall0);
                if (opt_.progress_fd >= 0)
                    dprintf(opt_.progress_fd, "%" PRIu64 "\n", cycles);
            }
        }
        if (prof)
            std::fprintf(prof, "end %" PRIu64 "\n", cycles), std::fclose(prof);
        if (opt_.progress)
            std::fprintf(stderr, "\n");
        // END means every request is issued; the host reads back once the
        // vault controller has performed them all
        for (uint64_t w = 0; run_->end == End::kDone && !out_.vault_idle; w++) {
            if (w >= opt_.watchdog) {
                run_->end = End::kWatchdog;
                break;
            }
            tick();
        }
        describe_end();
        for (int i = 0; i < 8; i++) // let the counters take the last events
            tick();
        for (int i = 0; i < TETRIS_CNT_COUNT; i++) {
            in_.csr_addr = static_cast<uint32_t>(i);
            tick();
            tick();
            counters[i] = out_.csr_rdata;
        }
        if (tfp_ && tfp_->isOpen())
            tfp_->close();
    }

  private:
    void tick()
    {
        io_.tick(in_, out_);
        run_->cycle++;
        trace();
    }

    // The FST window: open at its first cycle, dump each cycle, close after it.
    void trace()
    {
        if (opt_.trace.empty())
            return;
        uint64_t c = run_->cycle;
        if (opt_.trace_pc >= 0 && !tfp_ && out_.pc == opt_.prog_base + 16 * static_cast<uint64_t>(opt_.trace_pc)) {
            from_ = c;
            to_ = c + opt_.trace_window;
        }
        if (!tfp_ && c >= from_ && c <= to_) {
            tfp_.reset(new VerilatedFstC);
            io_.trace_attach(tfp_.get());
            tfp_->open(opt_.trace.c_str());
        }
        if (tfp_ && tfp_->isOpen()) {
            if (c > to_) {
                tfp_->close();
                return;
            }
            io_.trace_dump(tfp_.get());
        }
    }

    void report_progress(std::chrono::steady_clock::time_point wall0)
    {
        double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
        double rate = s > 0 ? static_cast<double>(cycles) / s : 0;
        std::fprintf(stderr, "\r  %" PRIu64 " cycles, %.0f cycles/s", cycles, rate);
        if (opt_.expect_cycles > cycles && rate > 0)
            std::fprintf(stderr, ", about %.0f s to go (model: %" PRIu64 " cycles)",
                         static_cast<double>(opt_.expect_cycles - cycles) / rate, opt_.expect_cycles);
        std::fflush(stderr);
    }

    void describe_end()
    {
        char buf[256];
        switch (run_->end) {
        case End::kErr:
            std::snprintf(buf, sizeof buf, "the sequencer rejected the instruction at byte %u", out_.err_pc);
            run_->messages.push_back(buf);
            break;
        case End::kVaultErr:
            run_->messages.push_back("the vault controller rejected a request");
            break;
        case End::kWatchdog:
        case End::kLimit:
            std::snprintf(buf, sizeof buf, "%s after %" PRIu64 " cycles (%" PRIu64 " without activity)",
                          run_->end == End::kWatchdog ? "no progress" : "cycle limit reached", cycles, opt_.watchdog);
            run_->messages.push_back(buf);
            std::snprintf(buf, sizeof buf,
                          "state: pc %u (instruction %u), sequencer state %u, waiting opcode 0x%02x, "
                          "LOAD/STORE unit %s, pass unit %s, vault queue slots 0x%x",
                          out_.pc, (out_.pc - static_cast<uint32_t>(opt_.prog_base)) / 16, out_.seq_state,
                          out_.exe_op, out_.dma_busy ? "busy" : "idle", out_.pass_busy ? "busy" : "idle",
                          out_.vault_queue);
            run_->messages.push_back(buf);
            break;
        default:
            break;
        }
    }

    Io &io_;
    const Options &opt_;
    Run *run_;
    HostIn in_;
    HostOut out_;
    std::unique_ptr<VerilatedFstC> tfp_;
    uint64_t from_, to_; // the trace window, in cycles
};

inline int usage(const char *prog)
{
    std::fprintf(stderr, "usage: %s --config FILE --image FILE --prog-base ADDR --dump START:END "
                         "--out PREFIX [--seed S] [--stall PERCENT] [--watchdog CYCLES] [--limit CYCLES] "
                         "[--expect-cycles N] [--progress] [--progress-fd FD] [--profile FILE] "
                         "[--trace FILE [--trace-from C] [--trace-to C] [--trace-pc N] [--trace-window C]]\n",
                 prog);
    return 2;
}

inline bool parse_u64(const char *s, uint64_t *v)
{
    if (!s || !*s || *s == '-')
        return false;
    char *end = nullptr;
    errno = 0;
    *v = std::strtoull(s, &end, 0);
    return errno == 0 && *end == '\0';
}

// The command line into o; 0, or 2 after the usage line.
inline int parse(int argc, char **argv, Options &o)
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
        return usage(argv[0]);
    if (o.trace.empty() && Verilated::commandArgsPlusMatch("trace")[0])
        o.trace = o.out + ".fst";
    return 0;
}

inline bool read_file(const std::string &path, Bytes &b)
{
    std::ifstream f(path, std::ios::binary);
    if (!f)
        return false;
    b.assign(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
    return true;
}

// What a harness has before it builds its model: the options, the
// configuration (the one the simulator was built for), the run's state and
// the DRAM with the vault image loaded.
struct Bench {
    Options opt;
    tetris_config cfg;
    Run run;
    std::unique_ptr<Dram> dram;
};

// Set b up from the command line; 0, or 2 after an error line.
inline int setup(int argc, char **argv, Bench &b)
{
    Verilated::commandArgs(argc, argv);
    Options &opt = b.opt;
    if (parse(argc, argv, opt))
        return 2;
    tetris_error err = {""};
    if (tetris_config_load(opt.config.c_str(), &b.cfg, &err)) {
        std::fprintf(stderr, "%s: %s\n", argv[0], err.msg);
        return 2;
    }
    if (b.cfg.dram_burst_bytes != TETRIS_P_DRAM_BURST_BYTES || tetris_config_hash(&b.cfg) != TETRIS_P_CONFIG_HASH) {
        std::fprintf(stderr, "%s: %s is not the configuration this simulator was built for\n", argv[0],
                     opt.config.c_str());
        return 2;
    }
    Bytes image;
    if (!read_file(opt.image, image)) {
        std::fprintf(stderr, "%s: %s: cannot read\n", argv[0], opt.image.c_str());
        return 2;
    }
    b.dram.reset(new Dram(b.cfg, opt.seed, opt.stall, &b.run));
    if (!b.dram->dev.load(0, image.data(), image.size())) {
        std::fprintf(stderr, "%s: %s: %zu bytes do not fit the vault\n", argv[0], opt.image.c_str(), image.size());
        return 2;
    }
    if (!opt.trace.empty())
        Verilated::traceEverOn(true);
    return 0;
}

// Write PREFIX.bin and PREFIX.txt; the exit status.
template <typename Io> int finish(const char *prog, const Bench &b, const Host<Io> &host, double seconds)
{
    const Options &opt = b.opt;
    const Dram &dram = *b.dram;
    const Run &run = b.run;
    Bytes region(static_cast<std::size_t>(opt.dump_end - opt.dump_start));
    if (!dram.dev.dump(opt.dump_start, region.data(), region.size())) {
        std::fprintf(stderr, "%s: --dump %" PRIu64 ":%" PRIu64 " is outside the vault\n", prog, opt.dump_start,
                     opt.dump_end);
        return 2;
    }
    std::ofstream bin(opt.out + ".bin", std::ios::binary);
    bin.write(reinterpret_cast<const char *>(region.data()), static_cast<std::streamsize>(region.size()));
    FILE *txt = std::fopen((opt.out + ".txt").c_str(), "w");
    if (!bin || !txt) {
        std::fprintf(stderr, "%s: %s: cannot write the results\n", prog, opt.out.c_str());
        if (txt)
            std::fclose(txt);
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

} // namespace cosim

#endif
