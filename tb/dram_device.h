// The behavioural DRAM of one vault: the device behind tetris_vault_ctrl's
// DRAM-side port. Shared by the unit testbench tb_vault_ctrl and the SystemC
// co-simulation (tb/cosim/), so that both check the controller against the
// same device; it knows nothing of Verilator or SystemC.
//
// command() executes ACT/RD/WR/PRE/ACC (enum tetris_dram_cmd) on the
// device's own memory after passing it to libtetris's DRAM checker: a timing
// or protocol violation comes back as the checker's message and the command
// is not executed. Column commands work on the bank's open row (the checker
// verifies that the command's row names it). RD data are due T_CL cycles
// later (read_data()); WR writes the lanes its mask selects; ACC adds with
// the C model of tetris_dram_accum.
//
// Units: cycles are engine (controller clock) cycles, numbered by the caller
// and never going backwards; T_CL and the checker's timings are
// tetris_dram_timing_of()'s, in engine cycles. bank, row and col (the burst
// within the row) are the command's fields. Data are one burst
// (dram.burst_bytes bytes, little endian); a write mask has burst_bytes / 2
// bits, bit i (bit i % 8 of byte i / 8) for the 16-bit lane of bytes 2i and
// 2i + 1, as on the controller's ports. Memory never written reads as zero.
//
// load() and dump() are the host's backdoor into the memory: whole bytes at
// vault byte addresses, through the controller's address mapping
// (tetris_vault_addr_decode), without commands, checker or timing.
#ifndef TETRIS_TB_DRAM_DEVICE_H
#define TETRIS_TB_DRAM_DEVICE_H

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "bytes.h"
#include "tetris.h"

class Device {
  public:
    explicit Device(const tetris_config &cfg) : cfg_(cfg)
    {
        tetris_arith_from_config(&cfg_, &arith_);
        tetris_dram_timing_of(&cfg_, &t_);
        reset();
    }
    ~Device() { tetris_dram_checker_destroy(chk_); }
    Device(const Device &) = delete;
    Device &operator=(const Device &) = delete;

    // Power-up: banks closed, no read data under way, a fresh checker. The
    // memory keeps its contents.
    void reset()
    {
        tetris_dram_checker_destroy(chk_);
        chk_ = nullptr;
        if (tetris_dram_checker_create(&cfg_, &chk_)) {
            std::fprintf(stderr, "dram_device: cannot create the DRAM checker\n");
            std::exit(2);
        }
        open_row_.assign(static_cast<std::size_t>(cfg_.dram_banks), -1);
        returns_.clear();
    }

    // Execute one command issued in `cycle`; "" or the checker's message.
    std::string command(uint64_t cycle, int cmd, int bank, int row, int col, const Bytes &wdata,
                        const Bytes &wmask)
    {
        if (tetris_dram_checker_cmd(chk_, cycle, cmd, bank, row, col))
            return tetris_dram_checker_msg(chk_);
        count_[cmd]++;
        int &open = open_row_[static_cast<std::size_t>(bank)];
        switch (cmd) {
        case TETRIS_DRAM_ACT: open = row; break;
        case TETRIS_DRAM_PRE: open = -1; break;
        case TETRIS_DRAM_RD:
            returns_.push_back({cycle + static_cast<uint64_t>(t_.tcl), burst(bank, open, col)});
            break;
        case TETRIS_DRAM_WR: { // mask bit i: the 16-bit lane of bytes 2i, 2i + 1
            Bytes &m = burst(bank, open, col);
            for (std::size_t i = 0; i < m.size(); i++)
                if ((wmask[i / 16] >> ((i / 2) % 8)) & 1)
                    m[i] = wdata[i];
            break;
        }
        default: // ACC: the near-bank adder, as in tetris_dram_accum
            tetris_dram_accum(&arith_, cfg_.dram_burst_bytes, burst(bank, open, col).data(),
                              wdata.data(), wmask.data());
            break;
        }
        return "";
    }

    // Read data due in `cycle`, if any.
    bool read_data(uint64_t cycle, Bytes &out)
    {
        if (returns_.empty() || returns_.front().first != cycle)
            return false;
        out = returns_.front().second;
        returns_.pop_front();
        return true;
    }

    // The stored burst (created, zero, on first use).
    Bytes &burst(int bank, int row, int col)
    {
        auto it = mem_.find(key(bank, row, col));
        if (it == mem_.end())
            it = mem_.emplace(key(bank, row, col),
                              Bytes(static_cast<std::size_t>(cfg_.dram_burst_bytes), 0))
                     .first;
        return it->second;
    }

    // Backdoor: the n bytes at p into the memory from vault byte address addr
    // on (any alignment). False, and nothing written, when a byte of the range
    // lies outside what tetris_vault_addr_decode maps.
    bool load(uint64_t addr, const uint8_t *p, std::size_t n)
    {
        return for_bursts(addr, n, [&](int bank, int row, int col, std::size_t off, std::size_t k) {
            std::memcpy(burst(bank, row, col).data() + off, p, k);
            p += k;
        });
    }

    // Backdoor: the n bytes from vault byte address addr on into p. False,
    // and p untouched, when a byte of the range is not mapped.
    bool dump(uint64_t addr, uint8_t *p, std::size_t n) const
    {
        return for_bursts(addr, n, [&](int bank, int row, int col, std::size_t off, std::size_t k) {
            auto it = mem_.find(key(bank, row, col));
            if (it == mem_.end())
                std::memset(p, 0, k);
            else
                std::memcpy(p, it->second.data() + off, k);
            p += k;
        });
    }

    // Commands executed, by enum tetris_dram_cmd.
    uint64_t count(int cmd) const { return count_[cmd]; }

    int open_banks() const
    {
        int n = 0;
        for (int r : open_row_)
            n += r >= 0;
        return n;
    }

  private:
    uint64_t key(int bank, int row, int col) const
    {
        uint64_t cols = static_cast<uint64_t>(cfg_.dram_row_bytes / cfg_.dram_burst_bytes);
        return (static_cast<uint64_t>(bank) * static_cast<uint64_t>(cfg_.dram_rows) +
                static_cast<uint64_t>(row)) * cols + static_cast<uint64_t>(col);
    }

    // f(bank, row, col, offset in the burst, bytes) for each burst piece of
    // [addr, addr + n), in address order, once the whole range is known to
    // be mapped (the mapping is contiguous: both ends suffice).
    template <typename F> bool for_bursts(uint64_t addr, std::size_t n, F f) const
    {
        const uint64_t bb = static_cast<uint64_t>(cfg_.dram_burst_bytes);
        int bank = 0, row = 0, col = 0;
        if (n == 0)
            return true;
        uint64_t last = addr + (n - 1);
        if (last < addr || tetris_vault_addr_decode(&cfg_, addr / bb * bb, &bank, &row, &col) ||
            tetris_vault_addr_decode(&cfg_, last / bb * bb, &bank, &row, &col))
            return false;
        while (n > 0) {
            uint64_t base = addr / bb * bb;
            std::size_t off = static_cast<std::size_t>(addr - base);
            std::size_t k = static_cast<std::size_t>(std::min<uint64_t>(n, bb - off));
            tetris_vault_addr_decode(&cfg_, base, &bank, &row, &col);
            f(bank, row, col, off, k);
            addr += k;
            n -= k;
        }
        return true;
    }

    const tetris_config cfg_;
    tetris_arith arith_;
    tetris_dram_timing t_;
    tetris_dram_checker *chk_ = nullptr;
    std::vector<int> open_row_;
    std::unordered_map<uint64_t, Bytes> mem_;
    std::deque<std::pair<uint64_t, Bytes>> returns_; // (cycle due, RD data)
    uint64_t count_[6] = {0, 0, 0, 0, 0, 0};
};

#endif
