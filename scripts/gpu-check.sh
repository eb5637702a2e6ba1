#!/usr/bin/env bash
# gpu-check.sh: the GPU check. scripts/gpu-bundle.sh copies it into the
# bundle as check.sh; it runs THERE, on a machine with an NVIDIA GPU and its
# driver, and needs no Go toolchain and no network:
#
#   cd build/gpu && ./check.sh            # results under $OUT (default ./out)
#   cd build/gpu && ./check.sh --dry-run  # no GPU needed: tests the check itself
#
# Steps, in this order, each bounded by `timeout` and all of them by
# SEQCAST_CHECK_SECONDS (default 450; the report gets the last 25):
#   1. machine; cuBLAS (libcublas.so.13); the embedded kernels, and where the
#      machine has nvcc, a check that their sources compile with it;
#   2. device: `seqcast bench --device cuda` must find the GPU, else FAIL at
#      once (every later step needs it);
#   3. the cuda tests (cuda.test with SEQCAST_REQUIRE_GPU=1: no skipping);
#   4. parity: every model family trained for one epoch of 200 series on the
#      GPU and on the CPU from seed 42: float32 train losses within 1e-4
#      (relative), float64 train losses and validation MSEs within 1e-9;
#   5. speed: BenchmarkLSTMTrainStep (a 2-layer LSTM's training step, the
#      chapter's size and batch 256 with 256 units, on both devices); seconds
#      per epoch of seq2seq_lstm, seq2seq_gru, conv_gru and wavenet on the
#      book's set-up (10,000 series; SEQCAST_CHECK_EPOCHS epochs, default 3,
#      the first left out as warm-up) at batch 32 and 256, on the GPU and on
#      the CPU path; the same with PyTorch and cuDNN (cudnn_bench.py, run by
#      SEQCAST_PYTHON or the first of python3, /usr/bin/python3 that has
#      torch). seq2seq_lstm goes first: the ratio line needs it;
#   6. report (report.py): the ratio line, the speed and parity tables.
# $OUT gets three files: summary.md (the section for GPU.md, newest first),
# check.log (everything printed) and results.tar.gz (every log and JSON). The
# last line printed is PASS or FAIL.
#
# --dry-run runs the same steps on a machine without a GPU, to test the check:
# every GPU run is a CPU run, the sizes are tiny, the cuda tests run without
# SEQCAST_REQUIRE_GPU (their GPU tests skip), and the summary says DRY RUN.
# Its numbers mean nothing.
set -uo pipefail
dry=0
for a in "$@"; do
	case $a in
	--dry-run) dry=1 ;;
	-h | --help)
		sed -n '2,/^set -uo/p' "$0" | sed '$d; s/^# \{0,1\}//'
		exit 0
		;;
	*)
		echo "check.sh: unknown argument $a (want --dry-run or --help)" >&2
		exit 2
		;;
	esac
done
here=$(cd "$(dirname "$0")" && pwd)
out=${OUT:-$here/out}
mkdir -p "$out" || exit 2
raw=$(mktemp -d "${TMPDIR:-/tmp}/seqcast-check.XXXXXX") || exit 2
bin=$here/bin
if [ ! -w "$bin" ]; then # a read-only copy: work on a writable one
	cp -r "$bin" "$raw/bin"
	bin=$raw/bin
fi
fails=()
fail() { echo "FAIL: $*"; fails+=("$*"); }
step() { echo; echo "== $* ($(date -u +%T), ${SECONDS} s)"; }
notes=$raw/notes.md
: >"$notes"
note() { echo "$*" | tee -a "$notes"; }
took=()
unrun=() # timings left out when the budget ran out
timed() { # timed NAME START: record a step's seconds
	took+=("$1 $((SECONDS - $2))")
}
total=${SEQCAST_CHECK_SECONDS:-450}
deadline=$((SECONDS + total - 25))
left() { echo $((deadline - SECONDS)); }
# lim N: N seconds, or what is left of the budget if less (at least 1).
lim() { local l; l=$(left); [ "$l" -lt 1 ] && l=1; [ "$1" -lt "$l" ] && l=$1; echo "$l"; }
# why RC SECS FILE: a failed run's reason, for the FAIL line.
why() {
	if [ "$1" -eq 124 ] || [ "$1" -eq 137 ]; then
		echo "timed out after $2 s"
	else
		echo "exit $1: $(grep -m1 -E 'panic|error|seqcast:|Error|FAIL' "$3" 2>/dev/null | cut -c1-300)"
	fi
}
epochs=${SEQCAST_CHECK_EPOCHS:-3}
if [ $dry = 1 ]; then
	gpudev=cpu tseries=300 epochs=2
	ptargs=(--device cpu --series 300 --epochs 2 --step-batch 8 --step-units 16 --step-rounds 3)
else
	gpudev=cuda tseries=10000
	ptargs=(--device cuda --series 10000 --epochs "$epochs")
fi
exps=${SEQCAST_CHECK_EXPERIMENTS:-linear1,simple_rnn1,deep_rnn_dense,seq2seq_lnrnn,seq2seq_lstm,seq2seq_gru,conv_gru,wavenet,wavenet_gated,mc_dropout_gru}
timedexps=(seq2seq_lstm seq2seq_gru conv_gru wavenet)

# epoch_run LABEL DEVICE EXP BATCH CAP: one seqcast timing run.
epoch_run() {
	local label=$1 dev=$2 e=$3 b=$4 cap=$5 f=$raw/epoch-$1-$3-b$4 t0=$SECONDS rc
	if [ "$(left)" -lt 10 ]; then
		unrun+=("seqcast $label $e batch $b")
		return
	fi
	local l
	l=$(lim "$cap")
	timeout "$l" "$bin/seqcast" bench --profile book --series "$tseries" --experiments "$e" --epochs "$epochs" \
		--batch "$b" --seed 42 --quiet --device "$dev" --json "$f.json" >"$f.txt" 2>&1
	rc=$?
	[ $rc -eq 0 ] || fail "seconds per epoch, $label $e batch $b ($(why $rc "$l" "$f.txt"); see epoch-$label-$e-b$b.txt)"
	echo "$label $e batch $b: $((SECONDS - t0)) s, rc $rc"
}

main() {
step "machine"
if [ $dry = 1 ]; then
	note "- DRY RUN (--dry-run): no GPU; every GPU run ran on the CPU, on tiny sizes; the numbers mean nothing"
fi
gpu=$(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>&1 | head -1)
command -v nvidia-smi >/dev/null || gpu="(no nvidia-smi)"
gpuok=0
note "- date: $(date -u +%FT%TZ)"
note "- GPU: $gpu"
note "- CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //') ($(nproc) threads)"
note "- bundle: $(head -1 "$here/VERSION" 2>/dev/null); $(sed -n 2p "$here/VERSION" 2>/dev/null)"

step "libraries"
t0=$SECONDS
# PyTorch runs with the library path it was given: it brings its own CUDA libraries.
pyenv=(env -u LD_LIBRARY_PATH)
[ -n "${LD_LIBRARY_PATH+x}" ] && pyenv=(env "LD_LIBRARY_PATH=$LD_LIBRARY_PATH")
dir=""
if ! ldconfig -p 2>/dev/null | grep -qE 'libcublas.so.1[23] '; then
	for d in /usr/local/cuda/lib64 /usr/local/cuda-13*/lib64 /usr/local/cuda/targets/x86_64-linux/lib /usr/lib/x86_64-linux-gnu; do
		[ -e "$d/libcublas.so.13" ] && { dir=$d; break; }
	done
	if [ -z "$dir" ] && command -v python3 >/dev/null; then
		dir=$(timeout 30 python3 - <<'PY' 2>/dev/null
import glob, os, site, sys
roots = site.getsitepackages() + [site.getusersitepackages()]
for r in roots:
    for p in glob.glob(os.path.join(r, "nvidia", "**", "libcublas.so.13*"), recursive=True):
        print(os.path.dirname(p)); sys.exit()
PY
)
	fi
	[ -z "$dir" ] && dir=$(timeout 30 find / -xdev -name 'libcublas.so.13*' -printf '%h\n' 2>/dev/null | head -1)
	if [ -n "$dir" ]; then
		export LD_LIBRARY_PATH="$dir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
		echo "libcublas.so.13 in $dir"
	fi
fi
note "- driver library: $(ldconfig -p 2>/dev/null | awk '/libcuda.so.1 / {print $NF; exit}')"
note "- cuBLAS: $(ldconfig -p 2>/dev/null | awk '/libcublas.so.1[123] / {print $NF; exit}')${dir:+ $dir}"
timed libraries "$t0"

step "device"
timeout "$(lim 60)" "$bin/seqcast" bench --profile book --device "$gpudev" --experiments naive1 --series 100 --quiet >"$raw/device.txt" 2>&1
rc=$?
head -3 "$raw/device.txt"
if [ $rc -ne 0 ]; then
	note "- device: no usable GPU: $(grep -m1 . "$raw/device.txt" | cut -c1-400)"
	fail "no usable GPU (exit $rc; see the device line above): nothing else was run"
	return
fi
gpuok=1
note "- device: $(grep -m1 'device' "$raw/device.txt" | sed 's/.*device //' | cut -c1-200)"

step "kernels"
t0=$SECONDS
# The binaries embed cuda/kernels/seqcast.ptx (built by scripts/build-kernels.sh
# and committed). When this machine has nvcc, the sources are compiled here too,
# as a check that they build with its toolkit; the embedded PTX is what runs.
note "- kernels: embedded, $(sed -n 2p "$here/kernels-src/seqcast.ptx" | sed 's|^// built by ||')"
nvcc=$(command -v nvcc || ls /usr/local/cuda/bin/nvcc /usr/local/cuda-*/bin/nvcc 2>/dev/null | head -1)
if [ -n "$nvcc" ] && [ $dry = 0 ]; then
	mkdir -p "$raw/kernels-device"
	if NVCC=$nvcc timeout "$(lim 60)" "$here/build-kernels.sh" "$here/kernels-src" "$raw/kernels-device" >"$raw/kernels-device.log" 2>&1; then
		note "- kernels: the sources also compile with this machine's $("$nvcc" --version | tail -1)"
	else
		note "- kernels: this machine's nvcc could not compile the sources (the embedded PTX still runs; see kernels-device.log)"
	fi
fi
timed kernels "$t0"

step "cuda tests"
t0=$SECONDS
# Run where kernels/ holds the sources and the PTX: ptx_test.go reads them.
mkdir -p "$raw/cudatest"
ln -s "$here/kernels-src" "$raw/cudatest/kernels"
req=1
[ $dry = 1 ] && req=
(cd "$raw/cudatest" && SEQCAST_REQUIRE_GPU=$req timeout "$(lim 120)" "$bin/cuda.test" -test.v -test.count=1) >"$raw/cuda.test.log" 2>&1
rc=$?
what=cuda.test
[ $dry = 1 ] && what="cuda.test (dry run: its GPU tests skip)"
if [ $rc -eq 0 ]; then note "- $what: PASS"; else note "- $what: FAIL"; fail "cuda.test ($(why $rc 120 "$raw/cuda.test.log"); see cuda.test.log)"; fi
grep -E '^(=== RUN|--- |\s+cuda_test)' "$raw/cuda.test.log" | head -40
timed "cuda tests" "$t0"

step "training parity (every family, one epoch of 200 series, seed 42, float32 and float64)"
t0=$SECONDS
for dt in float32 float64; do
	common=(bench --experiments "$exps" --epochs 1 --series 200 --batch 32 --seed 42 --mc-passes 2 --quiet --dtype $dt)
	f=$raw/parity-$dt-cpu
	timeout "$(lim 60)" "$bin/seqcast" "${common[@]}" --device cpu --json "$f.json" >"$f.txt" 2>&1 \
		|| fail "parity: bench --device cpu --dtype $dt ($(why $? 60 "$f.txt"); see parity-$dt-cpu.txt)"
	# One process per experiment on the GPU, so that one failing family
	# does not hide the others' results.
	for e in ${exps//,/ }; do
		common[2]=$e
		f=$raw/parity-$dt-cuda-$e
		timeout "$(lim 60)" "$bin/seqcast" "${common[@]}" --device "$gpudev" --json "$f.json" >"$f.txt" 2>&1 \
			|| fail "parity: bench --device cuda --dtype $dt $e ($(why $? 60 "$f.txt"); see parity-$dt-cuda-$e.txt)"
	done
done
timed parity "$t0"

step "speed: one training step of two LSTM layers (BenchmarkLSTMTrainStep), CPU and GPU"
t0=$SECONDS
bt=3s
[ $dry = 1 ] && bt=1x
(cd "$raw/cudatest" && timeout "$(lim 90)" "$bin/cuda.test" -test.run '^$' -test.bench LSTMTrainStep -test.benchtime $bt) >"$raw/bench.txt" 2>&1
rc=$?
[ $rc -eq 0 ] || fail "BenchmarkLSTMTrainStep ($(why $rc 90 "$raw/bench.txt"); see bench.txt)"
grep -E '^(Benchmark|--- )' "$raw/bench.txt"
timed "LSTM step" "$t0"

step "speed: seconds per epoch of seq2seq_lstm, seqcast GPU and CPU (book set-up, $epochs epochs)"
t0=$SECONDS
for dev in "cuda $gpudev" "cpu cpu"; do
	for b in 32 256; do
		epoch_run ${dev% *} ${dev#* } seq2seq_lstm $b 75
	done
done
timed "seqcast seq2seq_lstm" "$t0"

step "speed: PyTorch with cuDNN (cudnn_bench.py)"
t0=$SECONDS
py=${SEQCAST_PYTHON:-}
if [ -z "$py" ] && [ "$(left)" -ge 20 ]; then
	for c in python3 /usr/bin/python3; do
		if command -v "$c" >/dev/null && timeout 60 "${pyenv[@]}" "$c" -c 'import torch' 2>/dev/null; then
			py=$c
			break
		fi
	done
	[ -n "$py" ] || fail "PyTorch: no python3 with torch (set SEQCAST_PYTHON)"
fi
if [ "$(left)" -lt 20 ]; then
	unrun+=("PyTorch")
elif [ -n "$py" ]; then
	l=$(lim 150)
	PYTHONUNBUFFERED=1 timeout "$l" "${pyenv[@]}" "$py" "$here/cudnn_bench.py" "${ptargs[@]}" --json "$raw/pytorch.json" \
		>"$raw/pytorch.out" 2>"$raw/pytorch.log"
	rc=$?
	cat "$raw/pytorch.log"
	[ $rc -eq 0 ] || fail "PyTorch: cudnn_bench.py ($(why $rc "$l" "$raw/pytorch.log"); see pytorch.log)"
fi
timed PyTorch "$t0"

step "speed: seconds per epoch of seq2seq_gru, conv_gru and wavenet, seqcast GPU and CPU"
t0=$SECONDS
for e in "${timedexps[@]:1}"; do
	for dev in "cuda $gpudev" "cpu cpu"; do
		for b in 32 256; do
			epoch_run ${dev% *} ${dev#* } "$e" $b 60
		done
	done
done
timed "seqcast others" "$t0"
if [ ${#unrun[@]} -gt 0 ]; then
	fail "not run, the check's $total s (SEQCAST_CHECK_SECONDS) were spent: $(printf '%s, ' "${unrun[@]}" | sed 's/, $//')"
fi
}

# report RESULT: summary.md, from the notes and report.py's tables.
report() {
	step "report"
	local rep=$raw/report.md rc=0 py=python3
	command -v python3 >/dev/null || py=/usr/bin/python3
	if [ -s "$raw/parity-float32-cpu.json" ] || [ -s "$raw/pytorch.json" ] || ls "$raw"/epoch-*.json >/dev/null 2>&1; then
		timeout 20 "$py" "$here/report.py" "$raw" >"$rep" 2>"$raw/report.log"
		rc=$?
		[ $rc -eq 0 ] || fail "parity or report (report.py exit $rc: $(head -c 300 "$raw/report.log"))"
	fi
	local result=PASS
	[ ${#fails[@]} -eq 0 ] || result=FAIL
	local gpuname drv commit
	gpuname=$(echo "$gpu" | cut -d, -f1)
	drv=$(echo "$gpu" | cut -d, -f2 | sed 's/^ //')
	commit=$(sed -n 's/^commit //p' "$here/VERSION" 2>/dev/null)
	{
		if [ $dry = 1 ]; then
			echo "## DRY RUN, $(date -u +%F), no GPU, commit ${commit:-?}: $result"
		elif [ $gpuok = 0 ]; then
			echo "## $(date -u +%F), no usable GPU, commit ${commit:-?}: $result"
		else
			echo "## $(date -u +%F), $gpuname, driver $drv, commit ${commit:-?}: $result"
		fi
		echo
		if [ -s "$rep" ]; then
			head -1 "$rep"
			echo
		fi
		cat "$notes"
		echo "- seconds: ${SECONDS} of ${total} ($(printf '%s s, ' "${took[@]}" | sed 's/, $//'))"
		[ -s "$rep" ] && tail -n +2 "$rep"
		echo
		if [ "$result" = PASS ]; then
			echo "- result: PASS"
		else
			echo "- result: FAIL: $(printf '%s; ' "${fails[@]}" | sed 's/; $//')"
		fi
	} >"$out/summary.md"
	echo
	cat "$out/summary.md"
	tar -C "$raw" -czf "$out/results.tar.gz" --exclude=./bin --exclude=./cudatest . 2>/dev/null || true
	echo
	echo "$result"
	[ "$result" = PASS ]
}

{ main; report; } 2>&1 | tee "$out/check.log"
rc=${PIPESTATUS[0]}
rm -rf "$raw"
exit "$rc"
