// Verilator ports <-> little-endian byte vectors, for ports of any width
// (VlWide for more than 64 bits, plain integers otherwise). Shared by the
// testbenches that move vault bursts.
#ifndef TETRIS_TB_VLPORT_H
#define TETRIS_TB_VLPORT_H

#include <cstddef>
#include <cstdint>

#include "bytes.h"
#include "verilated.h"

template <std::size_t N> void to_port(VlWide<N> &p, const Bytes &b)
{
    for (std::size_t w = 0; w < N; w++) {
        uint32_t v = 0;
        for (std::size_t k = 0; k < 4 && 4 * w + k < b.size(); k++)
            v |= static_cast<uint32_t>(b[4 * w + k]) << (8 * k);
        p[w] = v;
    }
}

template <typename T> void to_port(T &p, const Bytes &b)
{
    uint64_t v = 0;
    for (std::size_t i = 0; i < b.size() && i < 8; i++)
        v |= static_cast<uint64_t>(b[i]) << (8 * i);
    p = static_cast<T>(v);
}

template <std::size_t N> Bytes from_port(const VlWide<N> &p, std::size_t nbytes)
{
    Bytes b(nbytes);
    for (std::size_t i = 0; i < nbytes; i++)
        b[i] = static_cast<uint8_t>(p.at(i / 4) >> (8 * (i % 4)));
    return b;
}

template <typename T> Bytes from_port(const T &p, std::size_t nbytes)
{
    Bytes b(nbytes);
    for (std::size_t i = 0; i < nbytes; i++)
        b[i] = static_cast<uint8_t>(static_cast<uint64_t>(p) >> (8 * i));
    return b;
}

#endif
