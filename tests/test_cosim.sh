#!/bin/sh
# Co-simulation regression (make check): real AlexNet layer shapes with fewer
# channels (examples/nets/alexnet_small.yaml) on the generated RTL of the
# small configuration, through `tetris cosim`. Every layer must end at END,
# with ofmaps bit-exact, every counter equal to the engine model's and the
# RTL cycles within 5 % of the model's (docs/cosim.md). Also: the
# same with back-pressure on the vault port and another seed, on both
# harnesses (the same cycles and counters), and bad input
# that must fail with one line and exit status 2 before anything is built.
# Environment: TETRIS, srcdir, builddir. Exit 77 (skip) without Verilator or
# SystemC.
set -u
for tool in verilator pkg-config; do
    command -v "$tool" >/dev/null 2>&1 || { echo "SKIP: $tool not found"; exit 77; }
done
pkg-config --exists systemc || { echo "SKIP: SystemC not found (libsystemc-dev)"; exit 77; }

small="$srcdir/examples/configs/small.yaml"
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
# a relative --cache (from the build folder) on purpose: the simulator build
# must not depend on an absolute cache path
cd "$builddir" || exit 1
cache=cosim-cache
passed=0
failed=0
pass() { passed=$((passed + 1)); echo "PASS: $1"; }
fail() {
    failed=$((failed + 1))
    echo "FAIL: $1"
    sed -n '1,12s/^/    /p' "$tmp/err"
}

# rtl_ok FILE [bound]: every line of the RTL table says done, all counters,
# exact ofmap; with "bound", also the cycle deviation within the bound (PASS)
rtl_ok() {
    awk -v bound="${2:-}" '/^RTL against/ { t = 1; getline; next }
         t && /^total/ { t = 0 }
         t { n++; if ($2 != "done" || $6 != "27/27" || $7 != "exact") bad++
             if (bound != "" && $9 != "PASS") bad++ }
         END { exit !(n > 0 && bad == 0) }' "$1"
}

# make check-long (--long): a run with unknowns randomised, AlexNet's conv
# layers at full size on t16 and eyeriss and VGG-16's on t16, bit-exact,
# counters equal, cycles within the bound. At about 50 k simulated cycles per second
# per simulator (--pgo), two at once, the AlexNet runs take about 4 minutes per
# configuration with the build, VGG-16 about 3 hours.
if [ "${1:-}" = "--long" ]; then
    # unknowns randomised (--x-assign/--x-initial unique) with two seeds
    for seed in 3 11; do
        "$TETRIS" cosim --config "$small" --net alexnet_small --layers conv3,pool5,fc1 \
            --x-unique --seed "$seed" --cache "$cache" >"$tmp/out" 2>"$tmp/err"
        cat "$tmp/out"
        if rtl_ok "$tmp/out" bound; then
            pass "cosim --x-unique --seed $seed: bit-exact, counters equal, cycles within 5 %"
        else
            fail "cosim --x-unique --seed $seed"
        fi
    done
    # the long runs build profile-guided simulators (--pgo): faster after the build
    for cfg in t16 eyeriss; do
        "$TETRIS" cosim --config "$srcdir/examples/configs/$cfg.yaml" --net alexnet \
            --layers conv1,conv2,conv3,conv4,conv5 --pgo --cache "$cache" >"$tmp/out" 2>"$tmp/err"
        cat "$tmp/out"
        if rtl_ok "$tmp/out" bound; then
            pass "cosim $cfg alexnet conv1-conv5: bit-exact, counters equal, cycles within 5 %"
        else
            fail "cosim $cfg alexnet conv1-conv5"
        fi
    done
    # VGG-16's thirteen conv layers on t16: about 900 M cycles, about 4 hours
    vgg=conv1_1,conv1_2,conv2_1,conv2_2,conv3_1,conv3_2,conv3_3,conv4_1,conv4_2,conv4_3
    vgg=$vgg,conv5_1,conv5_2,conv5_3
    "$TETRIS" cosim --config "$srcdir/examples/configs/t16.yaml" --net vgg16 --layers "$vgg" \
        --pgo --cache "$cache" >"$tmp/out" 2>"$tmp/err"
    cat "$tmp/out"
    if rtl_ok "$tmp/out" bound; then
        pass "cosim t16 vgg16 conv layers: bit-exact, counters equal, cycles within 5 %"
    else
        fail "cosim t16 vgg16 conv layers"
    fi
    echo "$passed passed, $failed failed"
    [ "$failed" -eq 0 ]
    exit
fi

# 1. bad input (a bad layer name, option or value, a missing network, a layer
# that does not fit the vault, a fault outside the array, no simulator to
# run): one line, exit 2, nothing built
for args in "--net alexnet_small --layers nope" "--net alexnet_small --stall 95" \
    "--net no_such_net" "--net alexnet --layers fc1" "--net alexnet_small --bogus" \
    "--net alexnet_small --fault pe:4,0" "--net alexnet_small --jobs 0" \
    "--net alexnet_small --harness verilog"; do
    # shellcheck disable=SC2086 # one word per option
    "$TETRIS" cosim --config "$small" $args --cache "$tmp/none" >"$tmp/out" 2>"$tmp/err"
    st=$?
    if [ "$st" -eq 2 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] && [ ! -d "$tmp/none" ]; then
        pass "cosim $args: exit 2, one line"
    else
        fail "cosim $args: exit $st, $(wc -l <"$tmp/err") lines (want 2, 1)"
    fi
done

# 2. AlexNet shapes on small: bit-exact and counters equal; three simulators
# at once, conv2 (the longest) ending last, and the tables still in network order
layers=conv2,pool2,conv3,conv4,fc1
"$TETRIS" cosim --config "$small" --net alexnet_small --layers "$layers" --cache "$cache" \
    --jobs 3 --json "$tmp/cosim.json" >"$tmp/out" 2>"$tmp/err"
cat "$tmp/out"
if rtl_ok "$tmp/out" bound; then
    pass "cosim small alexnet_small $layers: bit-exact, counters equal, cycles within 5 %"
else
    fail "cosim small alexnet_small $layers"
fi
order=$(awk '/^RTL against/ { t = 1; getline; next } t && /^total/ { t = 0 } t { printf "%s,", $1 }' "$tmp/out")
if [ "$order" = "$layers," ]; then
    pass "cosim --jobs 3: the RTL table in network order"
else
    fail "cosim --jobs 3: the RTL table's order is $order"
fi
if grep -q '"rtl"' "$tmp/cosim.json" && grep -q '"deviation_percent"' "$tmp/cosim.json"; then
    pass "cosim --json has the RTL results"
else
    fail "cosim --json lacks the RTL results"
fi

# 3. back-pressure and another seed: only cycles may change (one simulator
# at a time); the SystemC harness and a profile-guided build must see the
# same cycles, counters and results as the default C++ one, back-pressure
# included
rtl_table() {
    awk '/^RTL against/ { t = 1; getline; next } t && /^total/ { t = 0 }
         t { print $1, $2, $3, $4, $6, $7 }' "$1"
}
for build in "--harness cpp" "--harness systemc" "--harness cpp --pgo"; do
    name=$(echo "$build" | tr -dc 'a-z')
    # shellcheck disable=SC2086 # one word per option
    "$TETRIS" cosim --config "$small" --net alexnet_small --layers conv3,pool5 --cache "$cache" \
        --stall 30 --seed 7 --jobs 1 $build >"$tmp/out" 2>"$tmp/err"
    cat "$tmp/out"
    if rtl_ok "$tmp/out"; then
        pass "cosim --stall 30 --seed 7 $build: bit-exact, counters equal"
    else
        fail "cosim --stall 30 --seed 7 $build"
    fi
    rtl_table "$tmp/out" >"$tmp/table.$name"
    if [ "$name" != harnesscpp ]; then
        if [ -s "$tmp/table.$name" ] && cmp -s "$tmp/table.harnesscpp" "$tmp/table.$name"; then
            pass "cosim $build: the same RTL cycles and counters as --harness cpp"
        else
            echo "    --harness cpp: $(tr '\n' ';' <"$tmp/table.harnesscpp")"
            echo "    $build: $(tr '\n' ';' <"$tmp/table.$name")"
            fail "cosim $build differs from --harness cpp"
        fi
    fi
done

# 4. a deliberately broken PE is caught, with the first differing element named
"$TETRIS" cosim --config "$small" --net alexnet_small --layers conv3 --cache "$cache" \
    --fault pe:0,0 >"$tmp/out" 2>"$tmp/err"
st=$?
if [ "$st" -eq 1 ] && grep -q "first differing ofmap element n=[0-9]* m=[0-9]* y=[0-9]* x=[0-9]*: expected" "$tmp/err"; then
    pass "cosim --fault pe:0,0: caught, first differing element named"
    grep "first differing" "$tmp/err"
else
    fail "cosim --fault pe:0,0: exit $st (want 1 and the first differing element)"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
