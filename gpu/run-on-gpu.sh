#!/usr/bin/env bash
# The whole GPU run, in order, each stage with its own time budget. Everything it makes lives in a work folder
# ($EASEL_GPU_WORK, default /tmp/easel-gpu: it survives between two calls while the device machine stays warm);
# results (JSON), one log per stage and a marker per finished stage go to WORK/results. At the end, and at the
# first failure, it packs them into the output folder as three files (the device tool brings back at most 8):
#   summary.txt      what ran, how long, and for a failure its last log lines
#   results.json     every stage's JSON merged
#   results.tar.gz   everything: JSON, logs, nvidia-smi samples, the speed stage's image, the loss curve
# It stops at the first failing stage with a line saying which; run it again (on the same warm machine, or after
# fixing what failed) and it skips the stages whose marker is there and resumes at the failed one.
#
#   bash gpu/run-on-gpu.sh [--out DIR] [--deadline SECONDS] [--only STAGE,STAGE] [--cpu-rehearsal]
#
#   --out            output folder (default $OUT, the device tool's; else ./gpu-out)
#   --deadline       stop cleanly before a stage whose budget would end past this many seconds (default 560:
#                    the device tool allows 600 per command)
#   --only           run just these stages (their prerequisites must be done already or be listed too)
#   --cpu-rehearsal  the same stages on this machine's CPU with tiny settings: the CPU libtorch and the JNI that
#                    DJL's jars hold stand in for the GPU machine's torch and gpu/build-jni.sh (see gpu/README.md)
#
# Stages and budgets (seconds): unpack 45, build-jni 240, smoke 45, matmul 45, parity 90, model 120, speed 150,
# dreambooth 180, cpu-load 90.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PAYLOAD=$ROOT/gpu/payload
OUTDIR=${OUT:-$ROOT/gpu-out} DEADLINE=560 ONLY= REHEARSAL=0
while [[ $# -gt 0 ]]; do
  case $1 in
    --out) OUTDIR=$2; shift 2 ;;
    --deadline) DEADLINE=$2; shift 2 ;;
    --only) ONLY=",$2,"; shift 2 ;;
    --cpu-rehearsal) REHEARSAL=1; shift ;;
    *) echo "run-on-gpu: unknown argument '$1'" >&2; exit 2 ;;
  esac
done
if [[ ! -f $PAYLOAD/runtime.tar.xz ]]; then
  echo "run-on-gpu: no gpu/payload: run gpu/prepare-payload.sh on the CPU machine and carry gpu/payload" >&2
  exit 2
fi
WORK=${EASEL_GPU_WORK:-/tmp/easel-gpu}
RES=$WORK/results
mkdir -p "$OUTDIR" "$RES/stages" "$RES/logs"
JAVA=$WORK/runtime/bin/java
JAR=$WORK/easel-thin.jar
CP=$JAR:$PAYLOAD/gpu-probe.jar
SUMMARY=$RES/summary.txt
START=$(date +%s)
say() { echo "$*" | tee -a "$SUMMARY"; }

SCALE=1
if [[ $REHEARSAL == 1 ]]; then
  # 2 shared cores instead of 16 and a GPU: the budgets stretch, the deadline goes
  SCALE=6 DEADLINE=100000
  DEVICE=cpu SIZE=64 STEPS=4 RUNS=1 UNET_ITERS=2 MATMUL_N=512 DB_STEPS=3 DB_SIZE=64 CASES=1
  # float16 training on a CPU runs libtorch's slow half-precision kernels: 7.5 min per step of the full-size model
  # (it trains at the model's 512² whatever the images' size; measured); the tiny model rehearses the same command
  DB_MODEL=$PAYLOAD/reference/tiny-sd
  # one libtorch thread: OpenMP's spin-waiting on shared cores is 10x slower (engine/README.md)
  export JAVA_TOOL_OPTIONS="-Dai.djl.pytorch.num_threads=1"
else
  DEVICE=gpu SIZE=512 STEPS=20 RUNS=3 UNET_ITERS=20 MATMUL_N=8192 DB_STEPS=20 DB_SIZE=512 CASES=all
  DB_MODEL=$WORK/model
fi
export ROOT PAYLOAD WORK RES JAVA JAR CP SUMMARY CASES DEVICE SIZE STEPS RUNS UNET_ITERS MATMUL_N DB_STEPS DB_SIZE DB_MODEL
export REHEARSAL

# The three files that come back.
pack() {
  cp "$SUMMARY" "$OUTDIR/summary.txt"
  python3 "$ROOT/gpu/merge-results.py" "$RES" "$OUTDIR/results.json" || true
  tar -czf "$OUTDIR/results.tar.gz" -C "$WORK" results
}

# stage NAME BUDGET FUNCTION: FUNCTION under a time limit, its output in logs/NAME.log, a marker on success; on
# failure a clear line, the results packed, exit 1 (the stages after it need it).
stage() {
  local name=$1 budget=$(( $2 * SCALE )) fn=$3 t0 rc dt
  if [[ -n $ONLY && $ONLY != *",$name,"* ]]; then return 0; fi
  if [[ -f $RES/stages/$name.done ]]; then say "== $name: done earlier, skipped"; return 0; fi
  if (( $(date +%s) - START + budget > DEADLINE )); then
    say "== $name: its ${budget}s budget would end past the ${DEADLINE}s deadline."
    say "STOPPED before '$name' for time: call the same command again while the machine is warm to resume there."
    pack
    exit 1
  fi
  say "== $name (budget ${budget}s)"
  t0=$(date +%s)
  timeout --kill-after=10 "$budget" bash -c "set -euo pipefail; $fn" >"$RES/logs/$name.log" 2>&1
  rc=$?
  dt=$(( $(date +%s) - t0 ))
  if [[ $rc == 0 ]]; then
    touch "$RES/stages/$name.done"
    say "   ok in ${dt}s"
    return 0
  fi
  if [[ $rc == 124 || $rc == 137 ]]; then say "   FAILED: over its ${budget}s budget"; else say "   FAILED (exit $rc) after ${dt}s"; fi
  say "   last lines of logs/$name.log:"
  tail -15 "$RES/logs/$name.log" | sed 's/^/   | /' | tee -a "$SUMMARY"
  say "STOPPED at stage '$name'. Its log is results/logs/$name.log in results.tar.gz; the stages before it are" \
    "marked done, and a second run on the same warm machine resumes here."
  pack
  exit 1
}

unxz_to() { # FILE.xz to stdout, with xz or, where the image has none, Python's lzma
  if command -v xz >/dev/null; then
    xz -dc "$1"
  else
    python3 -c 'import lzma, shutil, sys; shutil.copyfileobj(lzma.open(sys.argv[1]), sys.stdout.buffer)' "$1"
  fi
}

s_unpack() {
  rm -rf "$WORK/runtime"
  unxz_to "$PAYLOAD/runtime.tar.xz" | tar -x -C "$WORK"
  unxz_to "$PAYLOAD/easel-thin.jar.xz" >"$JAR"
  "$JAVA" -version
  "$JAVA" -jar "$JAR" --version
}

s_build_jni() {
  if [[ $REHEARSAL == 1 ]]; then
    # DJL's CPU natives and their prebuilt JNI stand in, laid out the way build-jni.sh leaves its build.
    local m2=${M2_REPO:-$HOME/.m2/repository}/ai/djl/pytorch
    mkdir -p "$WORK/cpu-torch/lib" "$WORK/djl-cache/pytorch/2.7.1-cpu-linux-x86_64"
    (cd "$WORK/cpu-torch/lib" && unzip -oqj "$m2/pytorch-native-cpu/2.7.1/pytorch-native-cpu-2.7.1-linux-x86_64.jar" \
      'pytorch/cpu/linux-x86_64/*')
    unzip -oqj "$m2/pytorch-jni/2.7.1-0.35.1/pytorch-jni-2.7.1-0.35.1.jar" 'jnilib/linux-x86_64/cpu/libdjl_torch.so' \
      -d "$WORK/djl-cache"
    mv "$WORK/djl-cache/libdjl_torch.so" "$WORK/djl-cache/pytorch/2.7.1-cpu-linux-x86_64/0.35.1-libdjl_torch.so"
    printf 'export PYTORCH_LIBRARY_PATH=%s\nexport PYTORCH_VERSION=2.7.1\nexport PYTORCH_FLAVOR=cpu\nexport ENGINE_CACHE_DIR=%s\n' \
      "$WORK/cpu-torch/lib" "$WORK/djl-cache" >"$WORK/djl-cache/djl-env.sh"
    echo '{"rehearsal": "DJL CPU natives 2.7.1 and their prebuilt JNI stand in for the build"}' >"$RES/jni-build.json"
  else
    local torch
    torch=$(python3 -c 'import os, torch; print(os.path.dirname(torch.__file__))')
    bash "$ROOT/gpu/build-jni.sh" --src "$PAYLOAD/djl-jni" --torch-dir "$torch" \
      --jni-include "$WORK/runtime/include" --cache "$WORK/djl-cache" --build "$WORK/jni-build"
    cp "$WORK/djl-cache/jni-build.json" "$RES/"
    cp "$WORK/jni-build/compile.log" "$RES/logs/jni-compile.log" 2>/dev/null || true
  fi
}

# The probe and the jar, with DJL pointed at the build-jni stage's torch and JNI.
probe() {
  source "$WORK/djl-cache/djl-env.sh"
  "$JAVA" -Dai.djl.offline=true -cp "$CP" dev.easel.gpu.GpuProbe "$@"
}
easel() {
  source "$WORK/djl-cache/djl-env.sh"
  "$JAVA" -Dai.djl.offline=true -jar "$JAR" "$@"
}

s_smoke() {
  nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.sm,clocks.max.sm --format=csv >"$RES/gpu.csv" || true
  probe smoke --device "$DEVICE" --out "$RES/smoke.json"
}
s_matmul() { probe matmul --device "$DEVICE" --n "$MATMUL_N" --out "$RES/matmul.json"; }
s_parity() { probe parity --device "$DEVICE" --cases "$CASES" --reference "$PAYLOAD/reference" \
  --out "$RES/parity.json"; }

# The SD 1.5-architecture random-weight model, made on the machine (2+ GB: it cannot travel).
s_model() {
  rm -rf "$WORK/model"
  if ! easel --help 2>&1 | grep -q 'make-random-model'; then
    if [[ $REHEARSAL == 1 ]]; then
      echo "rehearsal: this jar has no make-random-model yet; the reference tiny model stands in"
      cp -r "$PAYLOAD/reference/tiny-sd" "$WORK/model"
      return 0
    fi
    echo "the jar has no make-random-model subcommand (the full-size files issue adds it): rebuild the payload" \
      "(gpu/prepare-payload.sh) from a main that has it" >&2
    exit 3
  fi
  easel make-random-model --arch "${REHEARSAL_ARCH:-sd15}" --out "$WORK/model" --dtype fp16
  du -sh "$WORK/model"
}

s_speed() {
  nvidia-smi --query-gpu=timestamp,memory.used,utilization.gpu,clocks.sm --format=csv -lms 250 \
    >"$RES/speed-gpu-samples.csv" 2>/dev/null &
  local smi=$! rc=0
  probe speed --device "$DEVICE" --model "$WORK/model" --size "$SIZE" --steps "$STEPS" --runs "$RUNS" \
    --unet-iters "$UNET_ITERS" --matmul "$RES/matmul.json" --image "$RES/speed-image.png" \
    --out "$RES/speed.json" || rc=$?
  kill "$smi" 2>/dev/null || true
  return $rc
}

s_dreambooth() {
  probe instance-images --out "$WORK/subject" --size "$DB_SIZE" --count 4
  nvidia-smi --query-gpu=memory.used --format=csv,noheader,nounits -lms 250 >"$RES/dreambooth-gpu-memory.csv" \
    2>/dev/null &
  local smi=$! t0 t1 rc=0
  rm -rf "$WORK/dreambooth"
  t0=$(date +%s.%N)
  easel dreambooth --model "$DB_MODEL" --instance-dir "$WORK/subject" --instance-prompt "a photo of sks ring" \
    --lora-rank 4 --steps "$DB_STEPS" --lr 1e-4 --mixed-precision fp16 --checkpoint-every 100000 \
    --seed 1 --output "$WORK/dreambooth" || rc=$?
  t1=$(date +%s.%N)
  kill "$smi" 2>/dev/null || true
  find "$WORK/dreambooth" -name 'loss.jsonl' -exec cp {} "$RES/dreambooth-loss.jsonl" \; || true
  python3 "$ROOT/gpu/merge-results.py" --dreambooth "$RES" "$DB_STEPS" "$t0" "$t1"
  return $rc
}
# The model stage's fp16 folder loaded into float32 on this machine's CPUs (issue 23's load target: ≤ 2x the time
# cat takes to read the files). On the CPU machine first-writing fresh memory alone takes 10-15x cat (a Firecracker
# guest whose free pages the host takes back); a machine with a GPU passed through has its memory pinned, so this is
# the loader without that floor. The bench prints its same-run floor ("fresh memory") beside the load either way.
s_cpu_load() {
  easel bench-engine --full --load-only --models "$WORK/model" | tee "$RES/cpu-load.md"
  grep '^| ' "$RES/cpu-load.md" | sed 's/^/   /' >>"$SUMMARY"
}
export -f say unxz_to probe easel s_unpack s_build_jni s_smoke s_matmul s_parity s_model s_speed s_dreambooth s_cpu_load

say "easel GPU run $(date -u +%FT%TZ) device=$DEVICE work=$WORK"
stage unpack 45 s_unpack
stage build-jni 240 s_build_jni
stage smoke 45 s_smoke
stage matmul 45 s_matmul
stage parity 90 s_parity
stage model 120 s_model
stage speed 150 s_speed
stage dreambooth 180 s_dreambooth
stage cpu-load 90 s_cpu_load
say "ALL STAGES DONE in $(( $(date +%s) - START ))s"
pack
