#!/bin/sh
# Install the Debian 12 packages tetris needs to build, test and document
# itself, and the RTL tools of the generator and co-simulation. Runs apt-get
# through sudo unless already root.
set -eu

packages="build-essential autoconf automake libtool pkg-config
libyaml-dev libjansson-dev libcriterion-dev help2man
verilator libsystemc-dev yosys iverilog graphviz python3"

if [ "$(id -u)" -eq 0 ]; then
    sudo=
else
    sudo=sudo
fi

# env passes the variable through sudo, which resets the environment
$sudo env DEBIAN_FRONTEND=noninteractive apt-get update
# shellcheck disable=SC2086 # one word per package
$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $packages
