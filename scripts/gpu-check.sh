#!/usr/bin/env bash
# gpu-check.sh: the GPU check. scripts/gpu-bundle.sh copies it into the
# bundle as check.sh; it runs THERE, on a machine with an NVIDIA GPU and its
# driver, and needs no Go toolchain and no network:
#
#   cd build/gpu && ./check.sh        # results under $OUT (default ./out)
#
# Steps (each bounded by `timeout`, about 5 minutes in all):
#   1. find libcublas.so.13 (CUDA 13) and check the binaries' libraries load;
#   2. note the embedded kernels and, where nvcc is there, check that the sources compile with it;
#   3. the cuda tests (cuda.test with SEQCAST_REQUIRE_GPU=1: no skipping);
#   4. every model family trained for a few steps on the GPU and on the CPU
#      from the same seed: float32 train losses within 1e-3 (relative),
#      float64 train losses and validation MSEs within 1e-6;
#   5. one epoch of seq2seq_lstm on each device, timed (batch 32 and 512),
#      and BenchmarkLSTMTrainStep (the chapter's size and 256 units).
# Logs, JSON and a Markdown summary for GPU.md go to $OUT. The last line
# printed is PASS or FAIL.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${OUT:-$here/out}
mkdir -p "$out"
bin=$here/bin
if [ ! -w "$bin" ]; then # a read-only copy: work on a writable one
	tmp=$(mktemp -d)
	cp -r "$bin" "$tmp/bin"
	bin=$tmp/bin
fi
sum=$out/summary.md
fails=()
fail() { echo "FAIL: $*"; fails+=("$*"); }
step() { echo; echo "== $* ($(date -u +%T))"; }
: >"$sum"
note() { echo "$*" | tee -a "$sum"; }
# The whole check stays within SEQCAST_CHECK_SECONDS (default 280), so that a
# rerun fits in one device lease: lim N gives N seconds or what is left.
deadline=$((SECONDS + ${SEQCAST_CHECK_SECONDS:-280}))
lim() { local l=$((deadline - SECONDS)); [ "$l" -lt 5 ] && l=5; [ "$1" -lt "$l" ] && l=$1; echo "$l"; }

main() {
step "machine"
note "- date: $(date -u +%FT%TZ)"
note "- GPU: $(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>&1 | head -1)"
note "- CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //') ($(nproc) threads)"
note "- bundle: $(cat "$here/VERSION" 2>/dev/null)"

step "libraries"
dir=""
if ! ldconfig -p 2>/dev/null | grep -qE 'libcublas.so.1[23] '; then
	for d in /usr/local/cuda/lib64 /usr/local/cuda-13*/lib64 /usr/local/cuda/targets/x86_64-linux/lib /usr/lib/x86_64-linux-gnu; do
		[ -e "$d/libcublas.so.13" ] && { dir=$d; break; }
	done
	if [ -z "$dir" ] && command -v python3 >/dev/null; then
		dir=$(python3 - <<'PY' 2>/dev/null
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

step "kernels"
# The binaries embed cuda/kernels/seqcast.ptx (built by scripts/build-kernels.sh
# and committed). When this machine has nvcc, the sources are compiled here too,
# as a check that they build with its toolkit; the embedded PTX is what runs.
note "- kernels: embedded, $(sed -n 2p "$here/kernels-src/seqcast.ptx" | sed 's|^// built by ||')"
nvcc=$(command -v nvcc || ls /usr/local/cuda/bin/nvcc /usr/local/cuda-*/bin/nvcc 2>/dev/null | head -1)
if [ -n "$nvcc" ]; then
	mkdir -p "$out/kernels-device"
	if NVCC=$nvcc timeout "$(lim 120)" "$here/build-kernels.sh" "$here/kernels-src" "$out/kernels-device" >/dev/null 2>&1; then
		note "- kernels: the sources also compile with this machine's $("$nvcc" --version | tail -1)"
	else
		note "- kernels: this machine's nvcc could not compile the sources (the embedded PTX still runs)"
	fi
fi

step "device"
timeout "$(lim 30)" "$bin/seqcast" bench --device auto --experiments naive1 --series 100 --quiet 2>&1 | head -3 | tee "$out/device.txt"

step "cuda tests"
export SEQCAST_REQUIRE_GPU=1
(cd "$bin" && timeout "$(lim 120)" ./cuda.test -test.v -test.count=1) >"$out/cuda.test.log" 2>&1 \
	&& note "- cuda.test: PASS" || { note "- cuda.test: FAIL"; fail "cuda.test"; }
grep -E '^(=== RUN|--- |\s+cuda_test)' "$out/cuda.test.log" | head -40

step "benchmark: one training step of two LSTM layers, CPU and GPU"
(cd "$bin" && timeout "$(lim 90)" ./cuda.test -test.run '^$' -test.bench LSTMTrainStep -test.benchtime 3s) >"$out/bench.txt" 2>&1 \
	|| fail "BenchmarkLSTMTrainStep (see bench.txt)"
{ echo; echo '```'; grep -E '^Benchmark' "$out/bench.txt"; echo '```'; } | tee -a "$sum"

step "training parity (every family, a few steps, seed 42, float32 and float64)"
exps=${SEQCAST_CHECK_EXPERIMENTS:-linear1,simple_rnn1,deep_rnn_dense,seq2seq_lnrnn,seq2seq_lstm,seq2seq_gru,conv_gru,wavenet,mc_dropout_gru}
for dt in float32 float64; do
	common=(bench --experiments "$exps" --epochs 1 --series 200 --batch 32 --seed 42 --mc-passes 2 --quiet --dtype $dt)
	timeout "$(lim 60)" "$bin/seqcast" "${common[@]}" --device cpu --json "$out/parity-$dt-cpu.json" \
		>"$out/parity-$dt-cpu.txt" 2>&1 || fail "bench --device cpu --dtype $dt (see parity-$dt-cpu.txt: $(tail -1 "$out/parity-$dt-cpu.txt"))"
	# One process per experiment on the GPU, so that one failing family
	# does not hide the others' results.
	for e in ${exps//,/ }; do
		common[2]=$e
		timeout "$(lim 60)" "$bin/seqcast" "${common[@]}" --device cuda --json "$out/parity-$dt-cuda-$e.json" \
			>"$out/parity-$dt-cuda-$e.txt" 2>&1 || fail "bench --device cuda --dtype $dt $e (see parity-$dt-cuda-$e.txt: $(grep -m1 -E 'panic|error|seqcast:' "$out/parity-$dt-cuda-$e.txt" | cut -c1-200))"
	done
done

step "one epoch of seq2seq_lstm (quick profile data)"
devs="cpu"
[ -s "$out/parity-float32-cuda-seq2seq_lstm.json" ] && devs="cpu cuda"
for dev in $devs; do
	for b in 32 512; do
		timeout "$(lim 90)" "$bin/seqcast" bench --experiments seq2seq_lstm --epochs 1 --seed 42 --batch $b --quiet --device "$dev" \
			--json "$out/time-b$b-$dev.json" >"$out/time-b$b-$dev.txt" 2>&1 || fail "timing --device $dev --batch $b (see time-b$b-$dev.txt: $(tail -1 "$out/time-b$b-$dev.txt"))"
	done
done

step "compare"
if command -v python3 >/dev/null; then
	python3 - "$out" >>"$sum" <<'PY' || fail "losses differ (see summary.md)"
import json, os, sys
out = sys.argv[1]
def load(name):
    p = os.path.join(out, name)
    if not os.path.exists(p):
        return None
    return {r["experiment"]: r for r in json.load(open(p))["results"]}
import glob
bad = False
# float32: the train loss (the epoch's mean loss) must agree to 1e-3; the
# validation MSE after the epoch is shown, not judged: Adam divides by the
# root of the squared gradients, so components that are rounding noise (the
# layer norm's) take full steps in different directions on the two devices.
# float64: both must agree to 1e-6.
for dt, tol_train, tol_valid in (("float32", 1e-3, None), ("float64", 1e-6, 1e-6)):
    cpu = load(f"parity-{dt}-cpu.json")
    gpu = {}
    for p in sorted(glob.glob(os.path.join(out, f"parity-{dt}-cuda-*.json"))):
        gpu.update(load(os.path.basename(p)) or {})
    print(f"\n{dt}: train loss within {tol_train:g}" + (f", valid MSE within {tol_valid:g}" if tol_valid else ", valid MSE reported") + " (relative)\n")
    print("| experiment | CPU train loss | GPU train loss | rel. diff | CPU valid MSE | GPU valid MSE | rel. diff |")
    print("|---|---|---|---|---|---|---|")
    if not cpu or not gpu:
        print("| (missing results: see parity-*.txt) |"); bad = True
        continue
    for name, c in cpu.items():
        g = gpu.get(name)
        if g is None:
            print(f"| {name} | missing | | | | | |"); bad = True; continue
        cells = []
        for key, tol in (("train_loss", tol_train), ("valid_mse", tol_valid)):
            a = c.get(key) or [0.0]; b = g.get(key) or [0.0]
            a = a[-1] if isinstance(a, list) else a
            b = b[-1] if isinstance(b, list) else b
            rel = abs(a - b) / max(abs(a), abs(b), 1e-12)
            mark = ""
            if tol is not None and not rel < tol:
                bad = True; mark = " **FAIL**"
            cells += [f"{a:.8g}", f"{b:.8g}", f"{rel:.2e}{mark}"]
        print(f"| {name} | " + " | ".join(cells) + " |")
    devs = {g.get("device", "?") for g in gpu.values()}
    print(f"\nGPU runs' device: {', '.join(sorted(devs))}")
def spe(t):
    try: return f"{t['seq2seq_lstm']['sec_per_epoch']:.2f} s"
    except Exception: return "n/a"
print()
for b in (32, 512):
    tc, tg = load(f"time-b{b}-cpu.json"), load(f"time-b{b}-cuda.json")
    print(f"One epoch of seq2seq_lstm (quick profile, float32, batch {b}): CPU {spe(tc)}, GPU {spe(tg)}.")
sys.exit(1 if bad else 0)
PY
	tail -n +1 "$sum"
else
	fail "python3 not found: cannot compare the JSON results"
fi

echo
if [ ${#fails[@]} -eq 0 ]; then
	note "- result: PASS"
	echo PASS
else
	note "- result: FAIL: $(printf '%s; ' "${fails[@]}")"
	echo FAIL
	return 1
fi
}

main 2>&1 | tee "$out/check.log"
exit "${PIPESTATUS[0]}"
