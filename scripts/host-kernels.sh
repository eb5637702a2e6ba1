#!/usr/bin/env bash
# host-kernels.sh: run the persistent GPU kernels' CUDA C source on the CPU
# (no GPU, no CUDA toolkit: g++ and threads) on the launches of rnn's GPU
# emulation, and check that it writes what the emulation writes. The
# emulation itself is checked against the CPU path (TestGPUStepsEmulated),
# so this closes the loop from the CUDA source to the CPU. scripts/ci-cuda.sh
# runs it when g++ is there.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v g++ >/dev/null || { echo "host-kernels: g++ not found" >&2; exit 1; }
eval "$(scripts/cuda-env.sh)"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
sed 's/extern __shared__ double smem_d\[\];/double *smem_d = g_smem;/' cuda/kernels/seqcast.cu >"$tmp/seqcast_host.inc"
grep -q 'smem_d = g_smem' "$tmp/seqcast_host.inc" \
	|| { echo "host-kernels: seqcast.cu no longer declares extern __shared__ double smem_d[]; update this script" >&2; exit 1; }
g++ -std=c++20 -O1 -ffp-contract=off -pthread -w -I cuda/kernels -I "$tmp" -o "$tmp/harness" scripts/host-kernels/harness.cpp
mkdir "$tmp/dump"
SEQCAST_EMU_DUMP="$tmp/dump" go test -tags seqcast_cuda ./rnn -run 'TestGPUStepsEmulated/persistent' -count=1 >/dev/null
"$tmp/harness" "$tmp/dump"/*.bin
