#!/usr/bin/env bash
# build-kernels.sh: compile the GPU kernels (cuda/kernels/*.cu) to PTX, the
# form the cuda build loads at run time (one module per file; gorgonia's ops
# look kernels up as "<file name>.<kernel>").
#
#   scripts/build-kernels.sh [SRC_DIR [OUT_DIR]]
#
# Defaults: SRC_DIR=cuda/kernels, OUT_DIR=build/kernels. Needs nvcc (any
# CUDA 11.x-13.x toolkit). ARCH (default compute_75) is the virtual
# architecture: the driver JIT-compiles PTX for any GPU of that compute
# capability or newer (T4, A100, L4, H100, ...); nvcc 13 accepts compute_75
# and up. The flags are gorgonia's (cmd/cudagen): IEEE-exact division and
# square root, no fused multiply-add, no flush-to-zero, so that GPU results
# stay within float32 rounding of the CPU's.
#
# The binary looks for the .ptx files in "kernels" next to itself, then in
# ../share/seqcast/kernels (see docs/gpu.md).
set -euo pipefail
src=${1:-cuda/kernels}
out=${2:-build/kernels}
arch=${ARCH:-compute_75}
nvcc=${NVCC:-nvcc}
command -v "$nvcc" >/dev/null || { echo "build-kernels: $nvcc not found (install a CUDA toolkit or set NVCC)" >&2; exit 1; }
mkdir -p "$out"
for f in "$src"/*.cu; do
	name=$(basename "$f" .cu)
	"$nvcc" -ptx -arch="$arch" \
		-fmad=false -ftz=false -prec-div=true -prec-sqrt=true \
		-o "$out/$name.ptx" "$f"
	echo "build-kernels: $out/$name.ptx ($(grep -c '\.entry' "$out/$name.ptx") kernels)" >&2
done
