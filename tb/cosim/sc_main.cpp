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
// Options, result files and exit status: tb/cosim/harness.h, shared with
// the plain C++ harness (tb/cosim/main.cpp).
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <type_traits>

#include <systemc.h>

#include "Vtetris_cosim_top.h"
#include "harness.h"

namespace {

// Engine clock period in the SystemC time base (the value does not matter:
// every timing is in cycles).
const sc_time kPeriod(2, SC_NS);

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

// The DRAM device as a SystemC process on the clock's rising edge.
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

    cosim::Dram &dram;

    SC_HAS_PROCESS(DramModel);
    DramModel(sc_module_name n, cosim::Dram &d) : sc_module(n), dram(d)
    {
        SC_METHOD(edge);
        sensitive << clk.pos();
        dont_initialize();
    }

    void edge()
    {
        cosim::DramCmd in;
        in.valid = cmd_valid.read();
        if (in.valid) {
            in.cmd = static_cast<int>(cmd.read());
            in.bank = static_cast<int>(bank.read());
            in.row = static_cast<int>(row.read());
            in.col = static_cast<int>(col.read());
            in.wdata = to_bytes(wdata.read(), dram.burst);
            in.wmask = to_bytes(wmask.read(), dram.mask_bytes());
        }
        bool v, s;
        Bytes rd;
        dram.edge(in, v, rd, s);
        rvalid.write(v);
        if (v)
            rdata.write(from_bytes<DataT>(rd));
        stall.write(s);
    }
};

// The host as a SystemC thread on the clock's rising edge: the Io of
// cosim::Host.
SC_MODULE(HostModel)
{
    sc_in<bool> clk;
    sc_out<bool> rst_n, start, perf_clear;
    sc_out<uint32_t> prog_base, csr_addr;
    sc_in<bool> busy, done, err, vault_err, vault_idle, activity;
    sc_in<uint32_t> err_pc;
    sc_in<uint64_t> csr_rdata;
    sc_in<uint32_t> dbg_pc, dbg_seq_state, dbg_exe_op, dbg_vault_queue;
    sc_in<bool> dbg_dma_busy, dbg_pass_busy, dbg_dispatch;

    Vtetris_cosim_top &top;
    cosim::Host<HostModel> host;

    SC_HAS_PROCESS(HostModel);
    HostModel(sc_module_name n, Vtetris_cosim_top &t, const cosim::Options &o, cosim::Run *run)
        : sc_module(n), top(t), host(*this, o, run)
    {
        SC_THREAD(main);
        sensitive << clk.pos();
    }

    void main()
    {
        host.run();
        sc_stop();
    }

    void tick(const cosim::HostIn &in, cosim::HostOut &out)
    {
        rst_n.write(in.rst_n);
        start.write(in.start);
        perf_clear.write(in.perf_clear);
        prog_base.write(in.prog_base);
        csr_addr.write(in.csr_addr);
        wait();
        out.done = done.read();
        out.err = err.read();
        out.vault_err = vault_err.read();
        out.vault_idle = vault_idle.read();
        out.activity = activity.read();
        out.dma_busy = dbg_dma_busy.read();
        out.pass_busy = dbg_pass_busy.read();
        out.dispatch = dbg_dispatch.read();
        out.err_pc = err_pc.read();
        out.pc = dbg_pc.read();
        out.seq_state = dbg_seq_state.read();
        out.exe_op = dbg_exe_op.read();
        out.vault_queue = dbg_vault_queue.read();
        out.csr_rdata = csr_rdata.read();
    }

    void trace_attach(VerilatedFstC * tfp) { top.trace(tfp, 99); }
    void trace_dump(VerilatedFstC * tfp) { tfp->dump(static_cast<uint64_t>(sc_time_stamp().value())); }
};

} // namespace

int sc_main(int argc, char **argv)
{
    cosim::Bench b;
    if (cosim::setup(argc, argv, b))
        return 2;

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

    DramModel dram_model("dram", *b.dram);
    dram_model.clk(clk);
    dram_model.cmd_valid(cmd_valid);
    dram_model.cmd(cmd);
    dram_model.bank(bank);
    dram_model.row(row);
    dram_model.col(col);
    dram_model.wdata(wdata);
    dram_model.wmask(wmask);
    dram_model.rvalid(rvalid);
    dram_model.rdata(rdata);
    dram_model.stall(stall);

    HostModel host("host", top, b.opt, &b.run);
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

    auto wall0 = std::chrono::steady_clock::now();
    sc_start();
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
    top.final();
    return cosim::finish(argv[0], b, host.host, seconds);
}
