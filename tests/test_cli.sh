#!/bin/sh
# Tests of the tetris command line: help and version, one-line errors with
# exit status 2 for every bad input file and bad option, and a real run.
# `make check` sets TETRIS (the built tool), srcdir (absolute) and
# TETRIS_NET_DIR. Exit 0 pass, 1 fail, 77 skip.

if [ -z "${TETRIS:-}" ] || [ ! -x "$TETRIS" ]; then
    echo "SKIP: TETRIS does not name the built tetris program"
    exit 77
fi
srcdir=${srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
small=$srcdir/examples/configs/small.yaml

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM

passed=0
failed=0

pass() {
    passed=$((passed + 1))
    echo "PASS: $1"
}

# fail DESC WHY: also shows what the tool printed on stderr
fail() {
    failed=$((failed + 1))
    echo "FAIL: $1: $2"
    sed -n '1,5s/^/    stderr: /p' "$tmp/err"
}

# run ARG...: run the tool, stdout to $tmp/out, stderr to $tmp/err, status in $status
run() {
    "$TETRIS" "$@" >"$tmp/out" 2>"$tmp/err"
    status=$?
}

# exactly one newline-terminated line on stderr
one_line() {
    [ "$(wc -l <"$tmp/err" | tr -d ' ')" = 1 ] && [ "$(awk 'END { print NR }' "$tmp/err")" = 1 ]
}

# expect_bad DESC [SUBSTRING]...: after `run`, status 2 and one stderr line with each substring
expect_bad() {
    desc=$1
    shift
    if [ "$status" -ne 2 ]; then
        fail "$desc" "exit status $status, expected 2"
        return
    fi
    if ! one_line; then
        fail "$desc" "expected exactly one line on stderr"
        return
    fi
    for want in "$@"; do
        if ! grep -qF -e "$want" "$tmp/err"; then
            fail "$desc" "stderr lacks '$want'"
            return
        fi
    done
    pass "$desc"
}

# expect_ok DESC: after `run`, status 0, something on stdout, nothing on stderr
expect_ok() {
    if [ "$status" -ne 0 ]; then
        fail "$1" "exit status $status, expected 0"
    elif [ ! -s "$tmp/out" ] || [ -s "$tmp/err" ]; then
        fail "$1" "expected output on stdout only"
    else
        pass "$1"
    fi
}

# the `# expect:` text on the first line of a bad input file
expected_text() {
    sed -n '1s/^# expect: *//p' "$1"
}

# ---- help and version (help2man builds the man page from these)
run --help
expect_ok "--help"
grep -q '^Usage: tetris' "$tmp/out" || fail "--help" "no Usage line"
run --version
expect_ok "--version"
head -n 1 "$tmp/out" | grep -Eq '^tetris [0-9]+\.[0-9]+\.[0-9]+$' ||
    fail "--version" "first line is not 'tetris X.Y.Z'"
run run --help
expect_ok "run --help"
run config --help
expect_ok "config --help"
[ "$(wc -l <"$tmp/out")" -gt 20 ] || fail "config --help" "no parameter list"

# ---- every bad configuration and network file
for f in "$srcdir"/tests/bad/config_*.yaml; do
    [ -e "$f" ] || continue
    want=$(expected_text "$f")
    [ -n "$want" ] || { fail "$f" "no '# expect:' first line"; continue; }
    run run --config "$f" --net alexnet --layers conv1
    expect_bad "bad config $(basename "$f")" "$want" "$f"
done
for f in "$srcdir"/tests/bad/net_*.yaml; do
    [ -e "$f" ] || continue
    want=$(expected_text "$f")
    [ -n "$want" ] || { fail "$f" "no '# expect:' first line"; continue; }
    run run --config "$small" --net "$f"
    expect_bad "bad net $(basename "$f")" "$want" "$f"
done

# ---- bad commands and options
run
expect_bad "no command" "--help"
run frobnicate
expect_bad "unknown command" "frobnicate"
run --bogus
expect_bad "unknown global option" "--bogus"
run run --bogus --net alexnet
expect_bad "unknown run option" "--bogus"
run run -x --net alexnet
expect_bad "unknown short option" "-x"
run run --config "$small" --net alexnet --batch 0
expect_bad "--batch 0" "--batch"
run run --config "$small" --net alexnet --batch abc
expect_bad "--batch abc" "abc"
run run --config "$small" --net alexnet --batch
expect_bad "--batch without a value" "--batch"
run run --config "$small" --net alexnet --seed -1
expect_bad "--seed -1" "--seed"
run run --config "$small" --net alexnet --layers conv9
expect_bad "unknown layer name" "conv9"
run run --config "$small" --net alexnet --layers conv1,,conv2
expect_bad "empty layer name" "--layers"
run run --config "$small"
expect_bad "no --net" "--net"
run run --config "$small" --net alexnet stray
expect_bad "stray operand" "stray"
run run --config "$tmp/missing.yaml" --net alexnet
expect_bad "missing config file" "$tmp/missing.yaml"
run run --config "$small" --net "$tmp/missing.yaml"
expect_bad "missing net file" "$tmp/missing.yaml"
run run --config "$small" --net nosuchnet
expect_bad "unknown net name" "nosuchnet"
run run --config nosuchconfig --net alexnet
expect_bad "unknown config name" "nosuchconfig"
run run --config "$small" --net alexnet --layers pool2 --json "$tmp/no/such/dir.json"
expect_bad "unwritable --json" "$tmp/no/such/dir.json"
run config --bogus
expect_bad "unknown config option" "--bogus"
for f in "$srcdir"/tests/bad/config_*.yaml; do
    [ -e "$f" ] || continue
    run config --config "$f"
    expect_bad "config --config $(basename "$f")" "$(expected_text "$f")" "$f"
    break
done

# ---- configuration output
run config --config "$small"
expect_ok "config --config small.yaml"
cp "$tmp/out" "$tmp/small.yaml"
run config --config "$tmp/small.yaml"
if [ "$status" -eq 0 ] && cmp -s "$tmp/out" "$tmp/small.yaml"; then
    pass "config YAML reloads to the same YAML"
else
    fail "config YAML round trip" "exit $status or different output"
fi
run config --config "$small" --header
expect_ok "config --header"
grep -q '^#define' "$tmp/out" || fail "config --header" "no #define"
run config --config "$srcdir/examples/configs/t16.yaml"
cp "$tmp/out" "$tmp/t16.out"
TETRIS_CONFIG_DIR=$srcdir/examples/configs "$TETRIS" config >"$tmp/out" 2>"$tmp/err"
status=$?
if [ "$status" -eq 0 ] && cmp -s "$tmp/out" "$tmp/t16.out"; then
    pass "default configuration is t16"
else
    fail "default configuration is t16" "exit $status or different output"
fi

# ---- a real run
run run --config "$small" --net alexnet --layers conv2,pool2 --json "$tmp/out.json"
if [ "$status" -ne 0 ]; then
    fail "run conv2,pool2" "exit status $status, expected 0"
elif [ -s "$tmp/err" ]; then
    fail "run conv2,pool2" "unexpected output on stderr"
elif [ "$(tail -n 1 "$tmp/out")" != "2 passed, 0 failed" ]; then
    fail "run conv2,pool2" "last line is not '2 passed, 0 failed'"
elif ! grep -q '^conv2 .* PASS$' "$tmp/out" || ! grep -q '^pool2 .* PASS$' "$tmp/out"; then
    fail "run conv2,pool2" "no PASS row for each layer"
else
    pass "run conv2,pool2"
fi
if command -v python3 >/dev/null 2>&1; then
    if python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
assert [l["name"] for l in r["layers"]] == ["conv2", "pool2"]
assert all(l["pass"] and l["crc_golden"] == l["crc_engine"] for l in r["layers"])
assert r["totals"]["passed"] == 2 and r["error"] is None
assert r["totals"]["counters"]["macs"] == sum(l["counters"]["macs"] for l in r["layers"])
' "$tmp/out.json"; then
        pass "--json is valid and complete"
    else
        fail "--json" "invalid JSON or wrong content"
    fi
elif grep -q '"crc_engine"' "$tmp/out.json" && [ "$(grep -c '"pass": true' "$tmp/out.json")" = 2 ]; then
    pass "--json has both layers (python3 absent: not parsed)"
else
    fail "--json" "missing layers"
fi

# the same seed gives the same data, so the same table; the lookup beside
# the configuration finds the network without TETRIS_NET_DIR
(unset TETRIS_NET_DIR && cd "$tmp" &&
    "$TETRIS" run --config "$small" --net alexnet --layers pool2 --seed 7 >"$tmp/a" 2>"$tmp/err")
first=$?
run run --config "$small" --net alexnet --layers pool2 --seed 7
if [ "$first" -eq 0 ] && [ "$status" -eq 0 ] && cmp -s "$tmp/a" "$tmp/out"; then
    pass "network beside the configuration; runs repeat exactly"
else
    fail "network lookup / repeatability" "exit $first and $status or different tables"
fi

# --save-npy writes a layer's tensors; --load-npy runs them again with the
# same result, and rejects tensors of the wrong shape or batch
mkdir -p "$tmp/npy"
run run --config "$small" --net alexnet --layers conv2,pool2 --seed 3 --save-npy "$tmp/npy"
saved=$status
cp "$tmp/out" "$tmp/saved"
run run --config "$small" --net alexnet --layers conv2,pool2 --load-npy "$tmp/npy"
if [ "$saved" -eq 0 ] && [ "$status" -eq 0 ] && [ -s "$tmp/npy/conv2.filter.npy" ] &&
    [ -s "$tmp/npy/conv2.bias.npy" ] && [ -s "$tmp/npy/pool2.ofmap.npy" ] &&
    [ "$(awk '/PASS/ { print $(NF-1) }' "$tmp/saved")" = "$(awk '/PASS/ { print $(NF-1) }' "$tmp/out")" ]; then
    pass "--save-npy then --load-npy gives the same CRCs"
else
    fail "--save-npy/--load-npy" "exit $saved and $status or different CRCs"
fi
run run --config "$small" --net alexnet --layers conv2 --load-npy "$tmp/npy" --batch 2
expect_bad "--load-npy with a different --batch" "conv2.ifmap.npy" "--batch is 2"
cp "$tmp/npy/pool2.ifmap.npy" "$tmp/npy/conv2.filter.npy"
run run --config "$small" --net alexnet --layers conv2 --load-npy "$tmp/npy"
expect_bad "--load-npy with a filter of the wrong shape" "conv2.filter.npy" "expected int16 4D"
run run --config "$small" --net alexnet --layers conv3 --load-npy "$tmp/npy"
expect_bad "--load-npy without the layer's files" "conv3.ifmap.npy"

# tetris gen: bad parameters and options are one line and exit 2, and
# --help lists every parameter of the parameter table
run gen --config "$small" --set array.h=0 -o "$tmp/g"
expect_bad "gen --set array.h=0" "array.h"
run gen --config "$small" --set no.such=1 -o "$tmp/g"
expect_bad "gen --set of an unknown key" "no.such"
run gen --config "$small" --set array.w=wide -o "$tmp/g"
expect_bad "gen --set of a bad value" "array.w"
run gen --config "$small" --set array.h -o "$tmp/g"
expect_bad "gen --set without =" "KEY=VALUE"
run gen --config "$small" --set dram.banks=3 -o "$tmp/g"
expect_bad "gen --set of a bank count the controller cannot map" "dram.banks"
run gen --config "$small"
expect_bad "gen without --output" "--output"
run gen --config "$small" --fault pe:4,0 -o "$tmp/g"
expect_bad "gen --fault outside the array" "PE (4, 0)"
run gen --config "$small" --fault pe -o "$tmp/g"
expect_bad "gen --fault of a bad form" "pe:ROW,COL"
run gen --help
missing=""
for key in $("$TETRIS" config --doc | sed -n 's/^| `\([a-z_.0-9]*\)` |.*/\1/p'); do
    grep -q "^$key " "$tmp/out" || missing="$missing $key"
done
if [ "$status" -eq 0 ] && [ -z "$missing" ]; then
    pass "gen --help lists every parameter"
else
    fail "gen --help" "exit $status, missing:$missing"
fi
run gen --config "$small" --fault pe:1,2 -o "$tmp/g"
if [ "$status" -eq 0 ] && grep -q "INJECTED FAULT" "$tmp/g/manifest.txt" &&
    grep -q "i == 1 && j == 2" "$tmp/g/tetris_pe_array.v"; then
    pass "gen --fault breaks the named PE and says so in the manifest"
else
    fail "gen --fault" "exit $status or no fault in the output"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
