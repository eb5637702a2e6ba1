#!/usr/bin/env bash
# gpu-bundle.sh: build, on this (GPU-less) machine, everything the GPU check
# needs on a GPU machine that has no Go toolchain and no network, into the
# ignored folder build/gpu (at most 60 MB):
#
#   build/gpu/check.sh          the check (scripts/gpu-check.sh); last line PASS/FAIL
#   build/gpu/build-kernels.sh  compiles the kernels there with nvcc
#   build/gpu/kernels-src/      cuda/kernels/*.cu, layout.h and the committed PTX
#   build/gpu/bin/seqcast       the CLI, built with -tags seqcast_cuda (PTX embedded)
#   build/gpu/bin/cuda.test     the cuda package's tests (GPU vs CPU)
#   build/gpu/report.py         the check's tables (scripts/gpu-report.py)
#   build/gpu/cudnn_bench.py    the PyTorch/cuDNN timings (scripts/pytorch/cudnn_bench.py)
#
# Then copy build/gpu to the GPU machine and run ./check.sh there (docs/gpu.md,
# "The GPU check", gives the device tool's command).
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
eval "$(scripts/cuda-env.sh)"
dest=build/gpu
rm -rf "$dest"
mkdir -p "$dest/bin" "$dest/kernels-src"
# The Go build cache does not notice a changed stub .so: after changing
# scripts/cuda-env.sh's stubs, run `go clean -cache` once.
flags=(-tags seqcast_cuda -trimpath -ldflags=-s\ -w)
go build "${flags[@]}" -o "$dest/bin/seqcast" ./cmd/seqcast
go test -c "${flags[@]}" -o "$dest/bin/cuda.test" ./cuda
cp cuda/kernels/*.cu cuda/kernels/*.h cuda/kernels/*.ptx "$dest/kernels-src/"
cp scripts/build-kernels.sh "$dest/build-kernels.sh"
cp scripts/gpu-check.sh "$dest/check.sh"
cp scripts/gpu-report.py "$dest/report.py"
cp scripts/pytorch/cudnn_bench.py "$dest/cudnn_bench.py"
chmod +x "$dest"/*.sh "$dest"/*.py
{
	echo "built $(date -u +%FT%TZ) by $(go version | cut -d' ' -f3) on $(uname -m)"
	# -dirty: the binaries hold changes that no commit has.
	if c=$(git rev-parse --short HEAD 2>/dev/null); then
		git diff --quiet HEAD -- 2>/dev/null || c=$c-dirty
		echo "commit $c"
	fi
} >"$dest/VERSION"
# What the binaries need from the GPU machine.
{
	for b in "$dest"/bin/seqcast "$dest"/bin/*.test; do
		echo "$(basename "$b"): $(readelf -d "$b" | awk -F'[][]' '/NEEDED/ {printf "%s ", $2}')"
	done
} >"$dest/NEEDED"
size=$(du -sm "$dest" | cut -f1)
echo "gpu-bundle: $dest: ${size} MB in $(($(date +%s) - start)) s" >&2
cat "$dest/NEEDED" >&2
if [ "$size" -ge 60 ]; then
	echo "gpu-bundle: $dest is ${size} MB, over the 60 MB limit" >&2
	exit 1
fi
