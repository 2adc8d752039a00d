#!/bin/sh
# FPGA bring-up vectors (make check): `tetris vectors` writes two layers of
# AlexNet's shapes (examples/nets/alexnet_small.yaml: pool5, a max pool, and
# fc2, a fully connected layer) for the small configuration, and each
# folder's run.sh must PASS under Icarus Verilog with no C code. The
# testbench must also be able to fail: a corrupted expected ofmap byte, a
# corrupted counter and a broken PE in the RTL (`tetris gen --fault`) each
# end in FAIL naming what differs, while a wrong cycles value (not
# compared) does not. Bad input fails with one line and exit status 2 before
# anything is written. Layers and Icarus run times (this machine, busy):
# pool5 about 8 s, fc2 about 3 s; conv3 takes about 90 s, too long for make
# check. Environment: TETRIS, srcdir. Exit 77 (skip) without Icarus.
set -u
if [ -z "${TETRIS:-}" ] || [ ! -x "$TETRIS" ]; then
    echo "SKIP: TETRIS does not name the built tetris program"
    exit 77
fi
for tool in iverilog vvp; do
    command -v "$tool" >/dev/null 2>&1 || { echo "SKIP: $tool not found"; exit 77; }
done
srcdir=${srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
small="$srcdir/examples/configs/small.yaml"
nets="$srcdir/examples/nets"

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM
passed=0
failed=0
pass() { passed=$((passed + 1)); echo "PASS: $1"; }
# fail DESC FILE: also shows the start of FILE
fail() {
    failed=$((failed + 1))
    echo "FAIL: $1"
    [ -n "${2:-}" ] && sed -n '1,15s/^/    /p' "$2"
}

# 1. bad input: one line on stderr, exit 2, nothing written
for args in "--net $nets/alexnet_small.yaml --layers nope -o $tmp/bad" \
    "--net $nets/alexnet_small.yaml --layers pool5" \
    "--net $nets/alexnet_small.yaml -o $tmp/bad" \
    "--net $nets/alexnet.yaml --layers fc1 -o $tmp/bad" \
    "--net $nets/alexnet_small.yaml --layers pool5 --batch 0 -o $tmp/bad" \
    "--net $nets/alexnet_small.yaml --layers pool5 --bogus -o $tmp/bad" \
    "--net $nets/no_such_net.yaml --layers pool5 -o $tmp/bad"; do
    # shellcheck disable=SC2086 # one word per option
    "$TETRIS" vectors --config "$small" $args >"$tmp/out" 2>"$tmp/err"
    st=$?
    if [ "$st" -eq 2 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] && [ ! -e "$tmp/bad" ]; then
        pass "vectors $args: exit 2, one line"
    else
        fail "vectors $args: exit $st, $(wc -l <"$tmp/err") lines (want 2, 1)" "$tmp/err"
    fi
done

# 2. the vectors
out="$tmp/v"
if "$TETRIS" vectors --config "$small" --net "$nets/alexnet_small.yaml" --layers pool5,fc2 \
    --seed 3 -o "$out" >"$tmp/out" 2>"$tmp/err" && [ ! -s "$tmp/err" ]; then
    pass "vectors small alexnet_small pool5,fc2"
else
    fail "vectors small alexnet_small pool5,fc2" "$tmp/err"
    echo "$passed passed, $failed failed"
    exit 1
fi
cat "$tmp/out"
for layer in pool5 fc2; do
    missing=
    for f in image.hex expect.hex counters.hex params.vh tb_vectors.v run.sh rtl/tetris_engine.v \
        rtl/tetris_vault_ctrl.v rtl/tetris_params.vh "$layer.ifmap.npy" "$layer.ofmap.npy"; do
        [ -s "$out/$layer/$f" ] || missing="$missing $f"
    done
    if [ -z "$missing" ]; then
        pass "$layer: every file written"
    else
        fail "$layer: missing$missing"
    fi
done

# param NAME FOLDER: a number from params.vh
param() {
    sed -n "s/^\`define $1 \(32'd\)\{0,1\}\([0-9]*\)\$/\2/p" "$2/params.vh"
}
# the hex formats: one burst per line, 64-bit counters
d="$out/pool5"
burst=$(sed -n 's/^`define TETRIS_P_DRAM_BURST_BYTES //p' "$d/rtl/tetris_params.vh")
if [ "$(wc -l <"$d/image.hex")" -eq "$(param TETRIS_V_IMAGE_BURSTS "$d")" ] &&
    [ "$(wc -l <"$d/expect.hex")" -eq "$(param TETRIS_V_EXPECT_BURSTS "$d")" ] &&
    [ "$(wc -l <"$d/counters.hex")" -eq "$(param TETRIS_V_N_COUNTERS "$d")" ] &&
    ! grep -qv "^[0-9a-f]\{$((2 * burst))\}\$" "$d/image.hex" "$d/expect.hex" &&
    ! grep -qv '^[0-9a-f]\{16\}$' "$d/counters.hex"; then
    pass "hex files: $burst-byte bursts, one per line; 64-bit counters"
else
    fail "hex files: wrong line counts or formats"
fi

# 3. Icarus: both layers pass
for layer in pool5 fc2; do
    start=$(date +%s)
    if sh "$out/$layer/run.sh" >"$tmp/run" 2>&1 && grep -qx PASS "$tmp/run" &&
        grep -q '^counters: 27 of 27 equal' "$tmp/run"; then
        pass "$layer: run.sh under Icarus: PASS ($(($(date +%s) - start)) s)"
        grep -E '^(run|counters|output area|DRAM|[0-9]+ passed)' "$tmp/run" | sed 's/^/    /'
    else
        fail "$layer: run.sh under Icarus" "$tmp/run"
    fi
done

# run_copy NAME EDIT: copy fc2's folder to NAME, apply the shell command EDIT
# inside it, run it; status in $st, output in $tmp/NAME.log
run_copy() {
    rm -rf "${tmp:?}/$1"
    cp -R "$out/fc2" "$tmp/$1"
    (cd "$tmp/$1" && eval "$2")
    sh "$tmp/$1/run.sh" >"$tmp/$1.log" 2>&1
    st=$?
}
# flip LINE FILE: change the last hex digit (the low nibble of byte 0) of a line
flip() {
    awk -v n="$1" 'NR == n { c = substr($0, length($0)); $0 = substr($0, 1, length($0) - 1) (c == "0" ? "1" : "0") } { print }' \
        "$2" >"$2.new" && mv "$2.new" "$2"
}

# 4. the testbench fails on a wrong expected ofmap byte and names the element
d="$out/fc2"
line=$(($(param TETRIS_V_OFMAP_ADDR "$d") / burst - $(param TETRIS_V_EXPECT_BASE_BURST "$d") + 1))
run_copy bad_ofmap "flip $line expect.hex"
if [ "$st" -ne 0 ] && grep -qx FAIL "$tmp/bad_ofmap.log" &&
    grep -q "^FAIL: first differing burst .*(expect.hex line $line), byte 0:" "$tmp/bad_ofmap.log" &&
    grep -q 'ofmap element n=0 m=0 y=0 x=0' "$tmp/bad_ofmap.log" &&
    grep -q ', 1 failed$' "$tmp/bad_ofmap.log"; then
    pass "a corrupted expected ofmap byte: FAIL, first burst and element named"
else
    fail "a corrupted expected ofmap byte (exit $st)" "$tmp/bad_ofmap.log"
fi

# 5. ... on a wrong counter, but not on a wrong cycles value
n_macs=$(($(grep -n '"macs"' "$d/tb_vectors.v" | sed 's/.* \([0-9]*\): counter_name.*/\1/') + 1))
n_cycles=$(($(param TETRIS_V_CYCLES_COUNTER "$d") + 1))
run_copy bad_counter "flip $n_macs counters.hex; flip $n_cycles counters.hex"
if [ "$st" -ne 0 ] && grep -q '^FAIL: counter macs: RTL ' "$tmp/bad_counter.log" &&
    grep -q '^counters: 26 of 27 equal' "$tmp/bad_counter.log" &&
    ! grep -q 'counter cycles' "$tmp/bad_counter.log" && grep -qx FAIL "$tmp/bad_counter.log"; then
    pass "a corrupted counter: FAIL naming it; cycles not compared"
else
    fail "a corrupted counter (exit $st)" "$tmp/bad_counter.log"
fi

# 6. ... on broken RTL: a PE that inverts a psum bit (tetris gen --fault)
run_copy bad_rtl "rm -rf rtl && '$TETRIS' gen --config '$small' --fault=pe:0,0 -o rtl >/dev/null"
if [ "$st" -ne 0 ] && grep -q '^FAIL: first differing burst' "$tmp/bad_rtl.log" &&
    grep -qx FAIL "$tmp/bad_rtl.log"; then
    pass "RTL with a broken PE: FAIL"
else
    fail "RTL with a broken PE (exit $st)" "$tmp/bad_rtl.log"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
