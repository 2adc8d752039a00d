#!/bin/sh
# RTL quality gates of the generator, per configuration:
#   - the checked-in rtl/<config>/ equals a fresh generation (reference configs)
#   - verilator --lint-only -Wall is clean for every module
#   - iverilog compiles every module
#   - yosys synthesises every module (up to technology mapping) with
#     `check -assert` (no multiple or missing drivers) and no latch cells
#   - every block's unit testbench (tb/tb_<block>.cpp) builds with Verilator
#     and agrees with libtetris on seeded random stimulus
# `test_rtl.sh` runs the fast subset (make check: every gate on two
# configurations, lint on every examples/configs/ entry); `test_rtl.sh --long`
# every gate on the whole sweep (make check-long). Environment: TETRIS (the CLI), srcdir,
# builddir. Exit 77 (skip) without the RTL tools.
set -u
long=0
[ "${1:-}" = "--long" ] && long=1

for tool in verilator iverilog yosys; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "$tool not found: install the Debian package $tool"
        exit 77
    fi
done

work="$builddir/rtl-check"
rm -rf "$work"
mkdir -p "$work"
passed=0
failed=0
pass() { passed=$((passed + 1)); }
fail() {
    failed=$((failed + 1))
    echo "FAIL: $1"
    [ -s "$work/log" ] && sed -n '1,20s/^/    /p' "$work/log"
}

# The sweep: name, base configuration, --set changes. Arrays from 2x2 to
# 16x16, non-square ones, register-file, GBUF and bank variations and every
# accumulation location and page policy.
sweep() {
    for f in "$srcdir"/examples/configs/*.yaml; do
        c=$(basename "$f" .yaml)
        echo "$c $c"
    done
    echo "a2x2 small array.h=2 array.w=2 array.max_kernel=3 rf.filter_words=9 rf.ifmap_words=6 rf.psum_words=2 accum.location=none"
    echo "a3x5 small array.h=3 array.w=5 gbuf.banks=1 gbuf.bank_bits=64 accum.location=bank dram.page_policy=open"
    echo "a8x8 small array.h=8 array.w=8 rf.filter_words=128 gbuf.banks=8 gbuf.bank_bits=16 accum.location=dram_die"
    echo "a16x16 small array.h=16 array.w=16 arith.acc_bits=24 accum.location=controller dram.page_policy=open"
    echo "a6x3 small array.h=6 array.w=3 array.max_kernel=5 rf.filter_words=40 rf.ifmap_words=10 rf.psum_words=4 gbuf.bytes=4096"
}
# make check: two configurations through every gate; the other examples
# through lint only
fast="small a3x5"

tb_run() { # block config-file gen-dir
    block=$1 cfgfile=$2 gen=$3
    src="$srcdir/tb/tb_$block.cpp"
    # the modules a testbench needs are named on its "// modules:" line
    mods=$(sed -n 's|^// modules: *||p' "$src" | head -n 1)
    files=""
    for m in $mods; do files="$files $gen/$m.v"; done
    out="$work/obj_$(basename "$gen")_$block"
    # shellcheck disable=SC2086 # one word per file
    if ! verilator --cc --exe --build -j 2 -O2 --top-module "tetris_$block" -I"$gen" $files "$src" \
        -CFLAGS "-std=c++17 -I$srcdir/refmodel -I$srcdir/tests -I$srcdir/tb -I$gen" \
        -LDFLAGS "$builddir/.libs/libtetris.so -Wl,-rpath,$builddir/.libs" \
        --Mdir "$out" -o "tb_$block" >"$work/log" 2>&1; then
        fail "$(basename "$gen"): tb_$block does not build"
        return
    fi
    if "$out/tb_$block" --config "$cfgfile" --seed 1 >"$work/log" 2>&1; then
        pass
    else
        fail "$(basename "$gen"): tb_$block"
    fi
}

sweep >"$work/list"
while read -r name base sets; do
    lintonly=0
    case " $fast " in
    *" $name "*) ;;
    *)
        if [ "$long" = 0 ]; then
            [ "$name" = "$base" ] || continue
            lintonly=1
        fi
        ;;
    esac
    gen="$work/$name"
    args=""
    for s in $sets; do args="$args --set=$s"; done
    # shellcheck disable=SC2086 # one word per --set
    if ! "$TETRIS" gen --config "$srcdir/examples/configs/$base.yaml" $args --set="name=$name" \
        -o "$gen" >"$work/log" 2>&1; then
        fail "$name: tetris gen"
        continue
    fi
    for v in "$gen"/*.v; do
        mod=$(basename "$v" .v)
        if verilator --lint-only -Wall -I"$gen" --top-module "$mod" "$gen"/*.v >"$work/log" 2>&1; then
            pass
        else
            fail "$name: verilator lint of $mod"
        fi
        [ "$lintonly" = 1 ] && continue
        # synth up to technology mapping: memories stay memories (flattening a
        # behavioural SRAM into flip-flops takes minutes and proves nothing
        # more). check -assert does not flag latches, so they are selected.
        if yosys -q -p "read_verilog -sv -I$gen $gen/*.v; synth -top $mod -run :fine; \
            check -assert; select -assert-none t:\$dlatch t:\$adlatch t:\$dlatchsr \
            t:\$_DLATCH* t:\$_SR_*" >"$work/log" 2>&1; then
            pass
        else
            fail "$name: yosys check of $mod"
        fi
    done
    [ "$lintonly" = 1 ] && continue
    if iverilog -g2012 -I"$gen" -o "$work/iv.out" "$gen"/*.v >"$work/log" 2>&1; then
        pass
    else
        fail "$name: iverilog"
    fi
    # each block with a testbench, against libtetris on the configuration generated
    for src in "$srcdir"/tb/tb_*.cpp; do
        [ -e "$src" ] || continue
        block=$(basename "$src" .cpp)
        block=${block#tb_}
        [ -e "$gen/tetris_$block.v" ] && tb_run "$block" "$gen/config.yaml" "$gen"
    done
done <"$work/list"

# The checked-in RTL of the reference configurations is what the generator writes.
for name in t16 eyeriss small; do
    "$TETRIS" gen --config "$srcdir/examples/configs/$name.yaml" -o "$work/ref_$name" >"$work/log" 2>&1
    if diff -r "$srcdir/rtl/$name" "$work/ref_$name" >"$work/log" 2>&1; then
        pass
    else
        fail "rtl/$name differs from a fresh generation (regenerate with: tetris gen --config examples/configs/$name.yaml -o rtl/$name)"
    fi
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
