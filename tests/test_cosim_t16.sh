#!/bin/sh
# Co-simulation regression (make check) at full size: AlexNet's conv3 (256 ->
# 384 channels, 13 x 13, 3 x 3 filters) and pool2 (256 channels, 27 x 27 to
# 13 x 13) on the generated RTL of the T-16 engine, through `tetris cosim`,
# two simulators at once: each must end at END with the ofmaps bit-exact,
# every counter equal to the engine model's and the RTL cycles within 5 % of
# the model's. conv3 is AlexNet's shortest conv layer on t16 (about 2.5 M
# cycles; the other four are in `make check-long`); pool2 keeps its ofmaps in
# the GBUF, whose 16-bit rows take each psum of its final STOREs in two
# halves.
# Environment: TETRIS, srcdir, builddir. Exit 77 (skip) without Verilator or
# SystemC.
set -u
for tool in verilator pkg-config; do
    command -v "$tool" >/dev/null 2>&1 || { echo "SKIP: $tool not found"; exit 77; }
done
pkg-config --exists systemc || { echo "SKIP: SystemC not found (libsystemc-dev)"; exit 77; }

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
"$TETRIS" cosim --config "$srcdir/examples/configs/t16.yaml" --net alexnet --layers conv3,pool2 \
    --jobs 2 --cache "$builddir/cosim-cache" >"$tmp/out" 2>"$tmp/err"
st=$?
cat "$tmp/out"
# the RTL table's lines: done, all counters, exact ofmap, within the bound
if [ "$st" -eq 0 ] && awk '/^RTL against/ { t = 1; getline; next }
        t && ($1 == "conv3" || $1 == "pool2") {
            ok += $2 == "done" && $6 == "27/27" && $7 == "exact" && $9 == "PASS" }
        END { exit ok != 2 }' "$tmp/out"; then
    echo "PASS: cosim t16 alexnet conv3, pool2: bit-exact, counters equal, cycles within 5 %"
    exit 0
fi
echo "FAIL: cosim t16 alexnet conv3, pool2 (exit $st)"
sed -n '1,12s/^/    /p' "$tmp/err"
exit 1
