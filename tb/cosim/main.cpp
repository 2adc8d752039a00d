// Plain C++ co-simulation of one vault: the same run as the SystemC harness
// (tb/cosim/sc_main.cpp), with the same host sequence, DRAM device, options
// and result files (tb/cosim/harness.h), but the clock is a loop here
// instead of a SystemC kernel. Each cycle evaluates the model twice (the
// falling edge, which also settles the new inputs, and the rising edge)
// where the SystemC harness evaluates it at both edges and again whenever a
// process changes an input, and port values move without SystemC signals,
// so long runs are faster (docs/cosim.md, "Simulation speed"); cycles,
// counters and results are the same.
#include <chrono>
#include <cstdint>
#include <memory>

#include "Vtetris_cosim_top.h"
#include "harness.h"
#include "vlport.h"

namespace {

// The clock loop: the Io of cosim::Host, which also runs the DRAM side.
class Clock {
  public:
    Clock(Vtetris_cosim_top &top, cosim::Dram &dram) : top_(top), dram_(dram) {}

    // One cycle: drive in, settle (the falling edge), read what the host and
    // the DRAM see before the rising edge, take the edge, then drive the
    // DRAM's outputs for the next cycle, as the SystemC processes do.
    void tick(const cosim::HostIn &in, cosim::HostOut &out)
    {
        top_.rst_n = in.rst_n;
        top_.start = in.start;
        top_.perf_clear = in.perf_clear;
        top_.prog_base = in.prog_base;
        top_.csr_addr = in.csr_addr;
        top_.clk = 0;
        top_.eval();
        time_++;
        out.done = top_.done;
        out.err = top_.err;
        out.vault_err = top_.vault_err;
        out.vault_idle = top_.vault_idle;
        out.activity = top_.activity;
        out.dma_busy = top_.dbg_dma_busy;
        out.pass_busy = top_.dbg_pass_busy;
        out.dispatch = top_.dbg_dispatch;
        out.err_pc = top_.err_pc;
        out.pc = top_.dbg_pc;
        out.seq_state = top_.dbg_seq_state;
        out.exe_op = top_.dbg_exe_op;
        out.vault_queue = top_.dbg_vault_queue;
        out.csr_rdata = top_.csr_rdata;
        // before the first edge the outputs are the model's initial values
        // (random under --x-initial unique): no command yet, as the SystemC
        // signals start at 0
        cmd_.valid = edged_ && top_.dram_cmd_valid;
        if (cmd_.valid) {
            cmd_.cmd = static_cast<int>(top_.dram_cmd);
            cmd_.bank = static_cast<int>(top_.dram_bank);
            cmd_.row = static_cast<int>(top_.dram_row);
            cmd_.col = static_cast<int>(top_.dram_col);
            cmd_.wdata = from_port(top_.dram_wdata, dram_.burst);
            cmd_.wmask = from_port(top_.dram_wmask, dram_.mask_bytes());
        }
        top_.clk = 1;
        top_.eval();
        time_++;
        edged_ = true;
        bool rvalid, stall;
        dram_.edge(cmd_, rvalid, rdata_, stall);
        top_.dram_rvalid = rvalid;
        if (rvalid)
            to_port(top_.dram_rdata, rdata_);
        top_.stall = stall;
    }

    void trace_attach(VerilatedFstC *tfp) { top_.trace(tfp, 99); }
    void trace_dump(VerilatedFstC *tfp) { tfp->dump(time_); }

  private:
    Vtetris_cosim_top &top_;
    cosim::Dram &dram_;
    cosim::DramCmd cmd_;
    Bytes rdata_;
    uint64_t time_ = 0;  // half cycles
    bool edged_ = false; // a rising edge has passed
};

} // namespace

int main(int argc, char **argv)
{
    cosim::Bench b;
    if (cosim::setup(argc, argv, b))
        return 2;
    // the default context, which cosim::setup gave the command line (plusargs)
    std::unique_ptr<Vtetris_cosim_top> top(new Vtetris_cosim_top("top"));
    Clock clock(*top, *b.dram);
    cosim::Host<Clock> host(clock, b.opt, &b.run);
    auto wall0 = std::chrono::steady_clock::now();
    host.run();
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
    top->final();
    return cosim::finish(argv[0], b, host, seconds);
}
