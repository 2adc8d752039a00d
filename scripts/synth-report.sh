#!/bin/sh
# make synth-report: Yosys cell counts of every generated block for the small
# and t16 configurations. Logic is mapped to gates; scratchpads and SRAMs stay
# memories ($mem_v2 cells), as a technology macro would replace them (mapping
# behavioural memories to flip-flops would dominate the counts and take
# minutes). Writes a Markdown table to stdout and to synth-report.md.
# Environment: TETRIS (the CLI), srcdir, builddir.
set -eu
work="$builddir/synth"
rm -rf "$work"
mkdir -p "$work"
out="$builddir/synth-report.md"
{
    echo "| configuration | block | cells | memories |"
    echo "|---|---|---:|---:|"
    for cfg in small t16; do
        "$TETRIS" gen --config "$srcdir/examples/configs/$cfg.yaml" -o "$work/$cfg" >/dev/null
        for v in "$work/$cfg"/tetris_*.v; do
            mod=$(basename "$v" .v)
            yosys -q -p "read_verilog -sv $work/$cfg/*.v; synth -top $mod -run :fine; \
                opt -fast -full; techmap; opt -fast; abc -fast; opt -fast; \
                tee -q -o $work/$cfg/$mod.stat stat" >/dev/null
            # the last counts are those of the whole hierarchy below the block
            cells=$(awk '/Number of cells:/ { n = $4 } END { print n }' "$work/$cfg/$mod.stat")
            mems=$(awk '/\$mem_v2/ { m = $2 } END { print m + 0 }' "$work/$cfg/$mod.stat")
            echo "| $cfg | $mod | $cells | $mems |"
        done
    done
} | tee "$out"
