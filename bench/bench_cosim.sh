#!/bin/sh
# bench_cosim (make bench): the cost of `tetris cosim` on the t16 engine, with
# the small configuration as the baseline measured in the same run, and on
# t16 the C++ harness (the default) against the SystemC one and a --pgo build
# against a plain one. For each,
# one AlexNet-shaped layer (conv2 of examples/nets/alexnet_small.yaml) runs
# once with an empty simulator cache in a temporary folder (Verilator and the
# C++ build, with --pgo also the training run and the second compile, then
# the run) and RUNS times more on the cached simulator. The
# build time is the cold run's wall time minus the fastest warm run's;
# cycles/s is the simulator's own figure (RTL cycles over its wall time), the
# best of the warm runs. Prints a table and the ratios to small; asserts
# nothing about time (exit 1 only when a run fails; without Verilator or
# SystemC it says so and exits 0). Environment: TETRIS (the built tetris),
# srcdir.
set -u
RUNS=3
net=alexnet_small
layer=conv2
srcdir=${srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
if [ -z "${TETRIS:-}" ] || [ ! -x "$TETRIS" ]; then
    echo "bench_cosim: TETRIS does not name the built tetris program" >&2
    exit 1
fi
for tool in verilator pkg-config; do
    command -v "$tool" >/dev/null 2>&1 || { echo "bench_cosim: skipped: $tool not found"; exit 0; }
done
pkg-config --exists systemc || { echo "bench_cosim: skipped: SystemC not found (libsystemc-dev)"; exit 0; }

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM

now() { date +%s.%N; }

# run CONFIG "OPTIONS": one cosim run of the layer on the cache in $tmp;
# prints "WALL_SECONDS CYCLES CYCLES_PER_SECOND" from the RTL table, or fails.
run() {
    t0=$(now)
    # shellcheck disable=SC2086 # one word per option
    "$TETRIS" cosim --config "$srcdir/examples/configs/$1.yaml" --net "$srcdir/examples/nets/$net.yaml" \
        --layers "$layer" $2 --cache "$tmp/cache" --quiet >"$tmp/out" 2>"$tmp/err"
    st=$?
    t1=$(now)
    if [ "$st" -ne 0 ]; then
        echo "bench_cosim: $1 ($2) $net $layer: tetris cosim exited with $st:" >&2
        sed 's/^/    /' "$tmp/err" >&2
        return 1
    fi
    awk -v t0="$t0" -v t1="$t1" -v l="$layer" '
        /^RTL against/ { t = 1; getline; next }
        t && $1 == l { printf "%.3f %s %s\n", t1 - t0, $4, $8; found = 1; exit }
        END { exit !found }' "$tmp/out"
}

# measure CONFIG ["OPTIONS"]: "BUILD_SECONDS CYCLES BEST_CYCLES_PER_SECOND"
measure() {
    h=${2:-}
    rm -rf "$tmp/cache"
    cold=$(run "$1" "$h") || return 1
    best_wall=
    best_cps=0
    i=0
    while [ "$i" -lt "$RUNS" ]; do
        warm=$(run "$1" "$h") || return 1
        read -r wall cycles cps <<EOF
$warm
EOF
        if [ -z "$best_wall" ] || awk -v a="$wall" -v b="$best_wall" 'BEGIN { exit !(a < b) }'; then
            best_wall=$wall
        fi
        [ "$cps" -gt "$best_cps" ] && best_cps=$cps
        i=$((i + 1))
    done
    echo "$cold" | awk -v w="$best_wall" -v c="$cycles" -v s="$best_cps" '{ printf "%.1f %s %s\n", $1 - w, c, s }'
}

echo "tetris cosim: cold simulator build (Verilator + C++, $(verilator --version | cut -d' ' -f1-2)) and"
echo "simulation speed on $layer of $net, best of $RUNS warm runs; small is the baseline;"
echo "t16/sc: --harness systemc, t16/pgo: --pgo"
echo
small=$(measure small) || exit 1
t16=$(measure t16) || exit 1
t16sc=$(measure t16 "--harness systemc") || exit 1
t16pgo=$(measure t16 --pgo) || exit 1
# row CONFIG "MEASURE": one line of the table, ratios to small
row() {
    echo "$1 $2 $small" |
        awk '{ printf "%-8s %10.1f %12d %10d %12.2fx %13.2fx\n", $1, $2, $3, $4, $2 / $5, $4 / $7 }'
}
printf '%-8s %10s %12s %10s %13s %14s\n' config build_s rtl_cycles cycles/s "build/small" "cycles/s/small"
row small "$small"
row t16 "$t16"
row t16/sc "$t16sc"
row t16/pgo "$t16pgo"
echo
echo "$t16 $t16sc" | awk '{ printf "t16, C++ harness over SystemC: %.2fx cycles/s, %.2fx build time\n", $3 / $6, $1 / $4 }'
echo "$t16pgo $t16" | awk '{ printf "t16, --pgo over a plain build: %.2fx cycles/s, %.2fx build time\n", $3 / $6, $1 / $4 }'
