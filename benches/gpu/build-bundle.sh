#!/usr/bin/env bash
# Build everything the GPU measurements need, here (the device machine has no Rust toolchain),
# into target/gpu-bundle/ with stable names; then run benches/gpu/on-device.sh on the device with
# `target/gpu-bundle` carried. Plain x86-64 (no target-cpu=native), so the binaries run there.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=target/gpu-bundle
rm -rf "$out" && mkdir -p "$out"
cargo build --release -p zkpot-cli -p gpu --example gpu_bench
cp target/release/zkpot target/release/examples/gpu_bench "$out/"
# Test executables of the gpu crate (differential tests) and the CLI test.
cargo test --release -p gpu -p zkpot-cli --no-run --message-format=json 2>/dev/null \
  | python3 -c '
import json, shutil, sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m.get("executable") and m["profile"]["test"]:
        name = m["target"]["name"]
        shutil.copy(m["executable"], sys.argv[1] + "/test-" + m["target"]["kind"][0] + "-" + name)
' "$out"
ls -la "$out"
du -sh "$out"
