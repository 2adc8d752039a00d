// The command line every unit testbench shares:
//
//   tb_<block> --config FILE [--seed N] [--<int option> K ...] [--<flag> ...] [+verilator+...]
//
// --config (required) names the configuration the RTL was generated from;
// --seed is the 64-bit seed of the stimulus (default 1, decimal or 0x hex);
// each testbench adds integer options with their accepted range and boolean
// flags. Arguments starting with '+' are Verilator's plusargs and are skipped
// here (a testbench that wants them passes argv to its VerilatedContext).
// A missing, unknown or malformed option, or a value out of range, prints
// "usage: <usage>" on stderr; a configuration that does not load prints
// "<testbench>: <error>". Both return 2, the testbenches' exit status for
// "could not run" (1: ran and something failed, 0: all passed).
#ifndef TETRIS_TB_TBMAIN_H
#define TETRIS_TB_TBMAIN_H

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <initializer_list>

#include "tetris.h"

// An integer option: --name K with min <= K <= max, into an int or a long
// that holds the default.
struct TbInt {
    TbInt(const char *n, long *v, long lo, long hi) : name(n), lvalue(v), min(lo), max(hi) {}
    TbInt(const char *n, int *v, int lo, int hi) : name(n), ivalue(v), min(lo), max(hi) {}
    const char *name; // with the dashes: "--passes"
    long *lvalue = nullptr;
    int *ivalue = nullptr;
    long min, max;
};

// A boolean flag: --name sets *value.
struct TbFlag {
    const char *name; // with the dashes: "--verbose"
    bool *value;
};

// Parse argv, load the configuration into cfg and the seed into seed.
// usage: the usage line without "usage: ", starting with the testbench's
// name. Returns 0, or 2 after a message on stderr.
inline int tb_main_args(int argc, char **argv, const char *usage,
                        std::initializer_list<TbInt> ints, std::initializer_list<TbFlag> flags,
                        tetris_config &cfg, uint64_t &seed)
{
    auto bad = [usage] {
        std::fprintf(stderr, "usage: %s\n", usage);
        return 2;
    };
    // the whole text a number, no sign for the seed
    auto number = [](const char *s, bool is_unsigned, long long &out) {
        if (!s || !*s || (is_unsigned && (*s == '-' || *s == '+')))
            return false;
        char *end = nullptr;
        errno = 0;
        if (is_unsigned)
            out = static_cast<long long>(std::strtoull(s, &end, 0));
        else
            out = std::strtoll(s, &end, 0);
        return errno == 0 && *end == '\0';
    };
    const char *config = nullptr;
    seed = 1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *val = i + 1 < argc ? argv[i + 1] : nullptr;
        long long v = 0;
        if (a[0] == '+')
            continue;
        if (std::strcmp(a, "--config") == 0) {
            if (!val)
                return bad();
            config = val;
            i++;
            continue;
        }
        if (std::strcmp(a, "--seed") == 0) {
            if (!number(val, true, v))
                return bad();
            seed = static_cast<uint64_t>(v);
            i++;
            continue;
        }
        bool known = false;
        for (const TbInt &o : ints) {
            if (std::strcmp(a, o.name) != 0)
                continue;
            if (!number(val, false, v) || v < o.min || v > o.max)
                return bad();
            if (o.lvalue)
                *o.lvalue = static_cast<long>(v);
            else
                *o.ivalue = static_cast<int>(v);
            i++;
            known = true;
            break;
        }
        for (const TbFlag &f : flags) {
            if (!known && std::strcmp(a, f.name) == 0) {
                *f.value = true;
                known = true;
            }
        }
        if (!known)
            return bad();
    }
    if (!config)
        return bad();
    tetris_error err = {""};
    if (tetris_config_load(config, &cfg, &err)) {
        int name_len = static_cast<int>(std::strcspn(usage, " "));
        std::fprintf(stderr, "%.*s: %s\n", name_len, usage, err.msg);
        return 2;
    }
    return 0;
}

#endif
