#!/usr/bin/env sh
# Kills a process saving a large project 1,000 times (by default) at random moments and checks
# after each kill that the project file loads and is exactly one of the two versions saved.
# The saving process is the release build of examples/devtool.rs; the checking harness is
# tests/crash_safety.rs.
# Usage: scripts/crash-test.sh [KILLS] [DOCUMENTS]
# Set MARGINALIA_CRASH_SEED to replay a run; CARGO_TARGET_DIR is honoured.
set -eu
cd "$(dirname "$0")/.."
target="${CARGO_TARGET_DIR:-target}"
cargo build --release --no-default-features --example devtool
export MARGINALIA_DEVTOOL="$target/release/examples/devtool"
export MARGINALIA_CRASH_KILLS="${1:-1000}"
export MARGINALIA_CRASH_DOCS="${2:-300}"
exec cargo test --no-default-features --test crash_safety -- --nocapture
