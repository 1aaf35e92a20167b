#!/usr/bin/env bash
# Builds DJL's PyTorch JNI library (libdjl_torch.so) against a libtorch that is already on the machine -- on the GPU
# machine, the one inside /opt/torch/.venv's torch -- and installs it where DJL's LibUtils looks for it.
#
#   gpu/build-jni.sh --src DIR --torch-dir DIR --jni-include DIR --cache DIR [--torch-version V] [--flavor F]
#                    [--build DIR] [--jobs N]
#
#   --src          DJL's JNI sources as gpu/prepare-payload.sh copies them (CMakeLists.txt, src/main/native,
#                  api/src/main/native/djl/utils.h, and include/ai_djl_pytorch_jni_PyTorchLibrary.h, which javac -h
#                  made here because the GPU machine has no Java)
#   --torch-dir    the torch package folder (holds lib/libtorch.so, include/, share/cmake/Torch)
#   --jni-include  a JDK's include/ folder (jni.h and linux/jni_md.h; the shipped runtime carries it)
#   --cmake-prefix where torch's cmake config is (default TORCH_DIR/share/cmake, as in torch's wheels)
#   --cache        DJL's engine cache folder (ENGINE_CACHE_DIR); the library goes to
#                  CACHE/pytorch/<torch version>-<flavor>-linux-x86_64/<djl version>-libdjl_torch.so, the path
#                  LibUtils.findJniLibrary tries when PYTORCH_LIBRARY_PATH, PYTORCH_VERSION and PYTORCH_FLAVOR are set
#
# Prints, last, the environment to run DJL with (also written to CACHE/djl-env.sh).
#
# Patches. DJL 0.35.1's JNI sources are written against PyTorch 2.7.1. Before compiling, the script rewrites the
# spellings newer PyTorch releases deprecate or drop and that mean the same in 2.7 (c10::optional/c10::nullopt are
# std::optional/std::nullopt since PyTorch 2.4; torch::jit::script::Module is torch::jit::Module). If compiling
# still fails, it applies its second patch -- the legacy autograd profiler (profiler_legacy.h: LegacyEvent,
# enableProfilerLegacy), which Easel never calls, is compiled out and DJL's startProfile/stopProfile throw -- and
# tries once more. Each patch applied is printed and listed in CACHE/jni-build.json.
set -euo pipefail

SRC= TORCH_DIR= CMAKE_PREFIX= JNI_INCLUDE= CACHE= TORCH_VERSION= FLAVOR= BUILD= JOBS=$(nproc 2>/dev/null || echo 4)
DJL_VERSION=0.35.1
while [[ $# -gt 0 ]]; do
  case $1 in
    --src) SRC=$2; shift 2 ;;
    --torch-dir) TORCH_DIR=$2; shift 2 ;;
    --cmake-prefix) CMAKE_PREFIX=$2; shift 2 ;;
    --jni-include) JNI_INCLUDE=$2; shift 2 ;;
    --cache) CACHE=$2; shift 2 ;;
    --torch-version) TORCH_VERSION=$2; shift 2 ;;
    --flavor) FLAVOR=$2; shift 2 ;;
    --build) BUILD=$2; shift 2 ;;
    --jobs) JOBS=$2; shift 2 ;;
    *) echo "build-jni: unknown argument '$1' (see the comment at the top of $0)" >&2; exit 2 ;;
  esac
done
fail() { echo "build-jni: $*" >&2; exit 1; }
[[ -f $SRC/CMakeLists.txt && -d $SRC/src/main/native ]] || fail "--src '$SRC' holds no DJL JNI sources; run gpu/prepare-payload.sh"
[[ -f $SRC/include/ai_djl_pytorch_jni_PyTorchLibrary.h ]] || fail "no generated JNI header in $SRC/include; run gpu/prepare-payload.sh"
[[ -f $TORCH_DIR/lib/libtorch.so ]] || fail "--torch-dir '$TORCH_DIR' has no lib/libtorch.so"
[[ -f $JNI_INCLUDE/jni.h && -f $JNI_INCLUDE/linux/jni_md.h ]] || fail "--jni-include '$JNI_INCLUDE' has no jni.h and linux/jni_md.h"
[[ -n $CACHE ]] || fail "--cache DIR is required"
if [[ -z $TORCH_VERSION ]]; then
  TORCH_VERSION=$(sed -n "s/^__version__ = '\([0-9.]*\).*/\1/p" "$TORCH_DIR/version.py" 2>/dev/null || true)
  [[ -n $TORCH_VERSION ]] || fail "cannot read the torch version from $TORCH_DIR/version.py; pass --torch-version"
fi
CUDA_VERSION=$(sed -n "s/^cuda = '\([0-9]*\)\.\([0-9]*\).*/\1\2/p" "$TORCH_DIR/version.py" 2>/dev/null || true)
if [[ -z $FLAVOR ]]; then FLAVOR=${CUDA_VERSION:+cu$CUDA_VERSION}; FLAVOR=${FLAVOR:-cpu}; fi
BUILD=${BUILD:-$(mktemp -d /tmp/djl-jni.XXXXXX)}
mkdir -p "$BUILD" "$CACHE"
echo "build-jni: torch $TORCH_VERSION ($FLAVOR) at $TORCH_DIR, DJL $DJL_VERSION JNI, build in $BUILD"

# A private copy of the sources: patches never touch the carried ones, so a second run starts clean.
# DJL's layout: the CMakeLists finds djl/utils.h at ../../../api/src/main/native from its own folder.
PN=$BUILD/src/engines/pytorch/pytorch-native
rm -rf "$BUILD/src" && mkdir -p "$PN" "$BUILD/src/api"
cp -r "$SRC/CMakeLists.txt" "$SRC/src" "$SRC/include" "$PN/"
cp -r "$SRC/api/src" "$BUILD/src/api/"
NATIVE=$PN/src/main/native
PATCHES=()

if [[ $TORCH_VERSION =~ ^(1\.|2\.[0-3]\.) ]]; then
  echo "build-jni: torch $TORCH_VERSION: DJL's sources as they are (patch 1 is for PyTorch 2.4 and later)"
else
  echo "build-jni: patch 1 (same meaning on PyTorch 2.4+): c10::optional/nullopt -> std::, torch::jit::script::Module -> torch::jit::Module"
  sed -i -e 's/c10::optional</std::optional</g' -e 's/c10::nullopt/std::nullopt/g' \
    -e 's/torch::jit::script::Module/torch::jit::Module/g' "$NATIVE"/*.cc "$NATIVE"/*.h
  PATCHES+=("std-optional-and-jit-module")
fi

USE_CUDA_FLAG=OFF
[[ $FLAVOR == cu* ]] && USE_CUDA_FLAG=ON
# DJL's own switch for old libtorch (its build.sh sets it for 1.13.1, 2.0.1, 2.1.x)
PT_VERSION=
[[ $TORCH_VERSION =~ ^(1\.13\.|2\.0\.|2\.1\.) ]] && PT_VERSION=V1_13_X

compile() {
  local log=$1
  rm -rf "$BUILD/cmake"
  # The JNI headers: the CMakeLists asks find_package(JNI); pointing it at the shipped headers makes that pass
  # without a JDK. Torch's own cmake config comes from torch/share/cmake.
  if ! cmake -S "$PN" -B "$BUILD/cmake" -G Ninja -DCMAKE_BUILD_TYPE=Release \
      -DCMAKE_PREFIX_PATH="${CMAKE_PREFIX:-$TORCH_DIR/share/cmake}" \
      -DJAVA_INCLUDE_PATH="$JNI_INCLUDE" -DJAVA_INCLUDE_PATH2="$JNI_INCLUDE/linux" \
      -DJAVA_AWT_INCLUDE_PATH=NotNeeded -DJAVA_AWT_LIBRARY=NotNeeded -DJAVA_JVM_LIBRARY=NotNeeded \
      -DUSE_CUDA="$USE_CUDA_FLAG" -DPT_VERSION="$PT_VERSION" -DCMAKE_CXX_FLAGS="-I$PN/include" \
      -DCMAKE_SHARED_LINKER_FLAGS="-Wl,-rpath,$TORCH_DIR/lib" >"$log" 2>&1; then
    echo "build-jni: cmake configure failed (torch/share/cmake); compiling directly with c++ instead" | tee -a "$log"
    compile_direct "$log"
    return
  fi
  cmake --build "$BUILD/cmake" -j "$JOBS" >>"$log" 2>&1 && cp "$BUILD/cmake/libdjl_torch.so" "$BUILD/libdjl_torch.so"
}

# Without cmake's Torch config (it insists on a CUDA toolkit layout for CUDA builds of torch): the same sources,
# torch's include folders and libraries, torch's ABI flag read from torch itself.
compile_direct() {
  local log=$1 abi objs=()
  abi=$(python3 -c 'import torch; print(int(torch.compiled_with_cxx11_abi()))' 2>/dev/null || echo 1)
  local inc=(-I"$TORCH_DIR/include" -I"$TORCH_DIR/include/torch/csrc/api/include" -I"$JNI_INCLUDE"
    -I"$JNI_INCLUDE/linux" -I"$BUILD/src/api/src/main/native" -I"$PN/include")
  local defs=(-D_GLIBCXX_USE_CXX11_ABI="$abi")
  [[ -n $PT_VERSION ]] && defs+=(-D"$PT_VERSION")
  [[ $USE_CUDA_FLAG == ON ]] && defs+=(-DUSE_CUDA) && inc+=(-I/usr/local/cuda/include)
  mkdir -p "$BUILD/direct"
  local pids=() f o
  for f in "$NATIVE"/*.cc; do
    o=$BUILD/direct/$(basename "$f" .cc).o
    objs+=("$o")
    c++ -std=c++17 -O2 -fPIC "${defs[@]}" "${inc[@]}" -c "$f" -o "$o" >>"$log" 2>&1 &
    pids+=($!)
    if (( ${#pids[@]} >= JOBS )); then wait "${pids[0]}" || { wait; return 1; }; pids=("${pids[@]:1}"); fi
  done
  for p in "${pids[@]}"; do wait "$p" || { wait; return 1; }; done
  local libs=(-ltorch -ltorch_cpu -lc10)
  [[ $USE_CUDA_FLAG == ON ]] && libs+=(-ltorch_cuda -lc10_cuda)
  c++ -shared -o "$BUILD/libdjl_torch.so" "${objs[@]}" -L"$TORCH_DIR/lib" -Wl,--no-as-needed "${libs[@]}" \
    -Wl,-rpath,'$ORIGIN' -Wl,-rpath,"$TORCH_DIR/lib" >>"$log" 2>&1
}

# Second patch: compile out the legacy profiler (only DJL's profiler API uses it; Easel does not).
patch_profiler() {
  python3 - "$NATIVE/ai_djl_pytorch_jni_PyTorchLibrary_system.cc" <<'EOF'
import re, sys
p = sys.argv[1]
s = open(p).read()
s = s.replace("using namespace torch::autograd::profiler;", "")
# WriteProfilerEventsToStream and its templates, from DJL's "copied from" comment to its "end of copies"
s = re.sub(r"// the code snippet is copied from.*?// end of copies\n", "", s, flags=re.S)
def stub(name, msg):
    global s
    m = re.search(r"(JNIEXPORT void JNICALL Java_ai_djl_pytorch_jni_PyTorchLibrary_%s\([^)]*\)\s*\{)" % name, s)
    if not m:
        sys.exit("profiler patch: %s not found" % name)
    start = m.end()
    end = s.index("\n}\n", start)
    s = s[:start] + "\n  env->ThrowNew(ENGINE_EXCEPTION_CLASS, \"%s\");" % msg + s[end:]
for n in ("torchStartProfile", "torchStopProfile"):
    stub(n, "the profiler is not built into this JNI library (gpu/build-jni.sh patch 2)")
open(p, "w").write(s)
EOF
}

LOG=$BUILD/compile.log
if ! compile "$LOG"; then
  echo "build-jni: compiling failed; the first errors:"; grep -m 15 -E 'error|Error' "$LOG" || tail -20 "$LOG"
  echo "build-jni: patch 2: compiling out the legacy autograd profiler (DJL's startProfile/stopProfile will throw)"
  cp "$LOG" "$BUILD/compile-unpatched.log"
  patch_profiler
  PATCHES+=("no-legacy-profiler")
  if ! compile "$LOG"; then
    echo "build-jni: compiling failed after both patches; the first errors:" >&2
    grep -m 30 -E 'error' "$LOG" >&2 || tail -40 "$LOG" >&2
    fail "DJL's JNI does not compile against torch $TORCH_VERSION (full log: $LOG)"
  fi
fi

DEST=$CACHE/pytorch/$TORCH_VERSION-$FLAVOR-linux-x86_64
mkdir -p "$DEST"
cp "$BUILD/libdjl_torch.so" "$DEST/$DJL_VERSION-libdjl_torch.so"

# DJL counts GPUs (Engine.getGpuCount, which LoadOptions.defaults() and so the dreambooth command go by) through
# JNA's Native.load("cudart"), which wants a file named libcudart.so. Torch's wheels bring libcudart.so.NN under
# site-packages/nvidia/; point a libcudart.so at the very file torch's CUDA library resolves, so both share it.
CUDART_DIR=
if [[ $USE_CUDA_FLAG == ON ]]; then
  CUDART=$(ldd "$TORCH_DIR/lib/libtorch_cuda.so" 2>/dev/null | awk '/libcudart\.so/ {print $3; exit}')
  if [[ -n $CUDART && -f $CUDART ]]; then
    CUDART_DIR=$CACHE/cudart
    mkdir -p "$CUDART_DIR" && ln -sf "$CUDART" "$CUDART_DIR/libcudart.so"
    echo "build-jni: libcudart for DJL's GPU count: $CUDART"
  else
    echo "build-jni: warning: no libcudart found from libtorch_cuda.so; DJL may count 0 GPUs" >&2
  fi
fi
cat >"$CACHE/djl-env.sh" <<EOF
# DJL on the libtorch at $TORCH_DIR with the JNI built by gpu/build-jni.sh
export PYTORCH_LIBRARY_PATH=$TORCH_DIR/lib
export PYTORCH_VERSION=$TORCH_VERSION
export PYTORCH_FLAVOR=$FLAVOR
export ENGINE_CACHE_DIR=$CACHE
# libtorch_python needs a Python interpreter in the process; DJL skips torch_* names already, this makes it sure
export PYTORCH_LIBRARY_EXCLUSION=libtorch_python.so
EOF
if [[ -n $CUDART_DIR ]]; then
  echo "export LD_LIBRARY_PATH=$CUDART_DIR\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH}" >>"$CACHE/djl-env.sh"
fi
printf '{"torch_version": "%s", "flavor": "%s", "djl_version": "%s", "library": "%s", "patches": [%s]}\n' \
  "$TORCH_VERSION" "$FLAVOR" "$DJL_VERSION" "$DEST/$DJL_VERSION-libdjl_torch.so" \
  "$( ((${#PATCHES[@]})) && printf '"%s",' "${PATCHES[@]}" | sed 's/,$//')" >"$CACHE/jni-build.json"
echo "build-jni: built $DEST/$DJL_VERSION-libdjl_torch.so (patches: ${PATCHES[*]:-none})"
cat "$CACHE/djl-env.sh"
