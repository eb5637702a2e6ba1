#!/usr/bin/env bash
# ci-cuda.sh: CI for the cuda build on a machine without a GPU.
#   1. fetch the CUDA headers into a cache outside the repo (scripts/cuda-env.sh);
#   2. go vet -tags seqcast_cuda ./..., and a program of another module
#      (scripts/gpu-consumer) that imports seqcast with the tag builds;
#   3. go test -tags seqcast_cuda -exec /bin/true ./...: every test binary compiles
#      and links (none runs);
#   4. RUN the test suite of the cuda build (-short) with no NVIDIA driver
#      (the binary loads libcuda.so.1 at run time and finds none): every
#      model trains on the CPU path of a cuda build, and --device cuda gives
#      the clear error; then the persistent kernels' CUDA C run on the CPU
#      against the emulation (scripts/host-kernels.sh, when g++ is there);
#      then the cuda tests again with stub libraries that answer "no device"
#      (a driver without a GPU).
set -euo pipefail
cd "$(dirname "$0")/.."
t0=$(date +%s)
lap() { echo "   ($(($(date +%s) - t0)) s so far)"; }
echo "== cuda: headers (cached in $(scripts/cuda-env.sh --print-dir))"
eval "$(scripts/cuda-env.sh)"
lap
echo "== cuda: go vet -tags seqcast_cuda ./..."
go vet -tags seqcast_cuda ./...
lap
echo "== cuda: another module imports seqcast with the GPU tag (as after go get)"
consumer=$(mktemp -d)/gpu-consumer
(cd scripts/gpu-consumer && go build -mod=mod -tags seqcast_cuda -o "$consumer" . && go vet -mod=mod -tags seqcast_cuda .)
(cd / && env -u SEQCAST_KERNELS "$consumer") | tee /dev/stderr | grep -q '^kernels: [0-9]* kernels (embedded) <nil>$' \
	|| { echo "ci-cuda: the consumer did not find the embedded kernels"; exit 1; }
rm -rf "$(dirname "$consumer")"
lap
echo "== cuda: go test -tags seqcast_cuda -exec /bin/true ./... (compile and link only)"
go test -tags seqcast_cuda -exec /bin/true ./...
lap
echo "== cuda: go test -tags seqcast_cuda -short, no NVIDIA driver"
env -u LD_LIBRARY_PATH go test -tags seqcast_cuda -short -count=1 ./...
echo "== cuda: the persistent kernels' CUDA source on the CPU against the emulation (scripts/host-kernels.sh)"
if command -v g++ >/dev/null; then
	scripts/host-kernels.sh
else
	echo "   skipped: no g++"
fi
echo "== cuda: a driver that finds no device (stub libraries)"
LD_LIBRARY_PATH="$SEQCAST_CUDA_STUBS" go test -tags seqcast_cuda -count=1 ./cuda/ ./graph/
LD_LIBRARY_PATH="$SEQCAST_CUDA_STUBS" go test -tags seqcast_cuda -count=1 -run 'CUDAWithoutGPU' ./cmd/seqcast/
lap
