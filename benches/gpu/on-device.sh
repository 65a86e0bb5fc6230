#!/usr/bin/env bash
# Run on the GPU machine from the repository root, with target/gpu-bundle carried (see
# build-bundle.sh). Writes everything under $OUT (default ./gpu-out).
#   1. the differential tests (GPU vs CPU) of every kernel, and the CLI's `--backend gpu` test;
#   2. the timing table (MSM, NTT, sumcheck; GPU and CPU on this machine);
#   3. one vgg11 batch-16 iteration proven on the GPU (and verified on the CPU).
# Steps can be chosen: on-device.sh [tests] [table] [vgg11].
set -uo pipefail
b=target/gpu-bundle
OUT=${OUT:-gpu-out}
mkdir -p "$OUT"
steps=${*:-tests table vgg11}
nvidia-smi > "$OUT/nvidia-smi.txt" 2>&1
for s in $steps; do
  case $s in
    tests)
      for t in "$b"/test-*; do
        echo "== $t" | tee -a "$OUT/tests.txt"
        "$t" --test-threads 1 >> "$OUT/tests.txt" 2>&1
        echo "exit $?" | tee -a "$OUT/tests.txt"
      done ;;
    table)
      "$b/gpu_bench" --out "$OUT/gpu-table.md" > "$OUT/gpu-bench.log" 2>&1
      echo "table exit $?" ;;
    vgg11)
      /usr/bin/time -v "$b/zkpot" bench --model vgg11 --batch 16 --iterations 1 --backend gpu \
        --out-dir "$OUT/vgg11-gpu" > "$OUT/vgg11.log" 2>&1
      echo "vgg11 exit $?" ;;
  esac
done
