// Bytes: a little-endian byte vector (a burst, a mask, a port's value), the
// one type the testbenches move data in. Without Verilator, so that models
// shared with the SystemC co-simulation (dram_device.h) can use it.
#ifndef TETRIS_TB_BYTES_H
#define TETRIS_TB_BYTES_H

#include <cstdint>
#include <vector>

using Bytes = std::vector<uint8_t>;

#endif
