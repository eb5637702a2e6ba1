#!/usr/bin/env bash
# build-kernels.sh: compile the GPU kernels (cuda/kernels/*.cu) to PTX, the
# form the cuda build embeds (one module per file; cuda/cuda.go go:embeds
# cuda/kernels/seqcast.ptx).
#
#   scripts/build-kernels.sh [SRC_DIR [OUT_DIR]]
#
# Defaults: SRC_DIR=cuda/kernels, OUT_DIR=SRC_DIR (the committed, embedded
# PTX). Needs nvcc (any CUDA 11.8-13.x toolkit; Debian's nvidia-cuda-toolkit
# from non-free works). ARCH (default compute_75) is the virtual
# architecture: the driver JIT-compiles PTX for any GPU of that compute
# capability or newer (T4, A100, L4, H100, H200, ...). The flags are
# gorgonia's (cmd/cudagen): IEEE-exact division and square root, no fused
# multiply-add, no flush-to-zero, so that GPU results stay within float32
# rounding of the CPU's.
#
# The first line of each .ptx records the SHA-256 of the sources (every .cu
# and .h in SRC_DIR, in name order); cuda's TestEmbeddedPTXMatchesSource
# fails when the sources change and the PTX was not rebuilt. The PTX is
# checked by assembling it for sm_75 and sm_90 with ptxas when ptxas is
# there.
set -euo pipefail
src=${1:-cuda/kernels}
out=${2:-$src}
arch=${ARCH:-compute_75}
nvcc=${NVCC:-nvcc}
command -v "$nvcc" >/dev/null || { echo "build-kernels: $nvcc not found (install a CUDA toolkit or set NVCC)" >&2; exit 1; }
mkdir -p "$out"
sum=$(cd "$src" && LC_ALL=C ls *.cu *.h 2>/dev/null | LC_ALL=C sort | xargs cat | sha256sum | cut -d' ' -f1)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for f in "$src"/*.cu; do
	name=$(basename "$f" .cu)
	"$nvcc" -ptx -arch="$arch" \
		-fmad=false -ftz=false -prec-div=true -prec-sqrt=true \
		-o "$tmp/$name.ptx" "$f"
	if command -v ptxas >/dev/null; then
		for sm in sm_75 sm_90; do
			ptxas -arch=$sm -o /dev/null "$tmp/$name.ptx"
		done
	fi
	{
		echo "// seqcast-source-sha256: $sum"
		echo "// built by scripts/build-kernels.sh: $("$nvcc" --version | tail -1), -arch=$arch -fmad=false -ftz=false -prec-div=true -prec-sqrt=true"
		cat "$tmp/$name.ptx"
	} >"$out/$name.ptx.new"
	mv "$out/$name.ptx.new" "$out/$name.ptx"
	echo "build-kernels: $out/$name.ptx ($(grep -c '\.entry' "$out/$name.ptx") kernels)" >&2
done
