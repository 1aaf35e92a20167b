#!/usr/bin/env bash
# Builds, on this (CPU) machine, everything the GPU machine needs and cannot make itself (it has no Java and no
# network), into gpu/payload/ (ignored by git, carried by the device tool), then prints the exact device call.
#
#   gpu/prepare-payload.sh [--djl-mirror DIR] [--skip-build] [--with-kernel]
#
#   --djl-mirror  a git mirror of github.com/deepjavalibrary/djl (the search tool's fetch of
#                 github:deepjavalibrary/djl puts one at /work/.mirror/deepjavalibrary+djl/repo, the default)
#   --skip-build  reuse kernel/target/easel-thin.jar
#   --keep-runtime reuse gpu/payload/runtime.tar.xz (the runtime depends on the JDK and the module list only)
#   --with-kernel the Java runtime also gets jdk.jshell (and with it jdk.compiler), for running the kernel there;
#                 the GPU run needs only the engine's subcommands, so by default it is left out (-16 MB)
#
# What goes into gpu/payload/ (sizes are printed at the end):
#   easel-thin.jar.xz  the runnable jar without CPU natives (mvn -Pthin), re-stored uncompressed and xz-packed
#   runtime.tar.xz     a jlink-ed Java runtime (Temurin 25 when present: its glibc floor is 2.17, so it runs on
#                      any Linux the GPU image may be; else the JDK on the PATH) with include/jni.h for the JNI build
#   djl-jni/           DJL's PyTorch JNI sources at the tag of our DJL version, plus the JNI header javac -h makes
#                      from PyTorchLibrary.java (never committed: copied from the mirror every time)
#   gpu-probe.jar      gpu/probe's measuring program, compiled against the thin jar
#   reference/         the tiny reference model and the pipeline cases' inputs/outputs (for GPU parity)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
MIRROR=/work/.mirror/deepjavalibrary+djl/repo SKIP_BUILD=0 WITH_KERNEL=0 KEEP_RUNTIME=0
DJL_VERSION=$(sed -n 's:.*<djl.version>\(.*\)</djl.version>.*:\1:p' "$ROOT/pom.xml" | head -1)
while [[ $# -gt 0 ]]; do
  case $1 in
    --djl-mirror) MIRROR=$2; shift 2 ;;
    --skip-build) SKIP_BUILD=1; shift ;;
    --with-kernel) WITH_KERNEL=1; shift ;;
    --keep-runtime) KEEP_RUNTIME=1; shift ;;
    *) echo "prepare-payload: unknown argument '$1'" >&2; exit 2 ;;
  esac
done
fail() { echo "prepare-payload: $*" >&2; exit 1; }
P=$ROOT/gpu/payload
REF=${EASEL_REFERENCE:-$ROOT/../shared/reference}
[[ -d $REF/tiny-sd ]] || fail "no reference data at $REF (set EASEL_REFERENCE)"
git -C "$MIRROR" rev-parse -q --verify "v$DJL_VERSION^{commit}" >/dev/null 2>&1 \
  || fail "no DJL mirror with tag v$DJL_VERSION at $MIRROR: fetch github:deepjavalibrary/djl with the search tool, or pass --djl-mirror"
mkdir -p "$P"

# 1. The thin jar.
JAR=$ROOT/kernel/target/easel-thin.jar
if [[ $SKIP_BUILD == 0 || ! -f $JAR ]]; then
  echo "prepare-payload: building the thin jar (mvn -Pthin)"
  (cd "$ROOT" && nice mvn -o -q -pl kernel -am package -Pthin -DskipTests)
fi
[[ -f $JAR ]] || fail "no $JAR after the build"

# 2. The Java runtime. Modules: what `jdeps --print-module-deps --ignore-missing-deps --multi-release 17` finds in
# the thin jar (java.base, java.desktop, java.naming, java.security.jgss, java.sql, jdk.jshell, jdk.management,
# jdk.unsupported), less jdk.jshell unless --with-kernel, plus what is only reached by reflection or service
# lookup: jdk.zipfs (zip file systems), java.logging. java.security.jgss is Kerberos for HTTP clients: left out.
JDK=/usr/lib/jvm/temurin-25-jdk-amd64
[[ -x $JDK/bin/jlink ]] || JDK=$(dirname "$(dirname "$(readlink -f "$(command -v jlink)")")")
MODULES=java.base,java.desktop,java.logging,java.management,java.naming,java.sql,jdk.management,jdk.unsupported,jdk.zipfs
[[ $WITH_KERNEL == 1 ]] && MODULES=$MODULES,jdk.jshell
WORK=$(mktemp -d /tmp/easel-payload.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
if [[ $KEEP_RUNTIME == 1 && -f $P/runtime.tar.xz ]]; then
  echo "prepare-payload: keeping $P/runtime.tar.xz"
else
echo "prepare-payload: jlink ($JDK) $MODULES"
# Uncompressed modules inside, xz outside: xz over the whole image is far smaller than jlink's per-class zip.
nice "$JDK/bin/jlink" --add-modules "$MODULES" --compress zip-0 --strip-debug --no-man-pages \
  --output "$WORK/runtime" 2>/dev/null \
  || nice "$JDK/bin/jlink" --add-modules "$MODULES" --compress=0 --strip-debug --no-man-pages --output "$WORK/runtime"
# jlink keeps include/ (jni.h, linux/jni_md.h): gpu/build-jni.sh compiles DJL's JNI with them.
[[ -f $WORK/runtime/include/jni.h ]] || fail "the runtime has no include/jni.h"
"$WORK/runtime/bin/java" -version 2>&1 | head -1
du -sm "$WORK/runtime" | awk '{print "prepare-payload: runtime unpacked: " $1 " MB"}'
tar -C "$WORK" -cf - runtime | nice xz -6 -T2 >"$P/runtime.tar.xz.tmp" && mv "$P/runtime.tar.xz.tmp" "$P/runtime.tar.xz"
fi

# 3. The jar, stored (no deflate) and xz-packed: 40% smaller than the deflated jar.
mkdir "$WORK/jar" && (cd "$WORK/jar" && unzip -q "$JAR"\
  && zip -q -0 -X -r "$WORK/easel-thin.jar" META-INF/MANIFEST.MF . )
nice xz -6 -T2 -c "$WORK/easel-thin.jar" >"$P/easel-thin.jar.xz.tmp" && mv "$P/easel-thin.jar.xz.tmp" "$P/easel-thin.jar.xz"

# 4. DJL's JNI sources at v$DJL_VERSION and the JNI header made from its PyTorchLibrary.java.
rm -rf "$P/djl-jni" && mkdir -p "$P/djl-jni/include" "$WORK/djl"
git -C "$MIRROR" archive "v$DJL_VERSION" engines/pytorch/pytorch-native/CMakeLists.txt \
  engines/pytorch/pytorch-native/src/main/native api/src/main/native \
  engines/pytorch/pytorch-engine/src/main/java/ai/djl/pytorch/jni/PyTorchLibrary.java | tar -x -C "$WORK/djl"
cp -r "$WORK/djl/engines/pytorch/pytorch-native/CMakeLists.txt" "$WORK/djl/engines/pytorch/pytorch-native/src" \
  "$P/djl-jni/"
mkdir -p "$P/djl-jni/api/src/main" && cp -r "$WORK/djl/api/src/main/native" "$P/djl-jni/api/src/main/"
# The CMakeLists finds djl/utils.h at ../../../api/src/main/native; build-jni.sh lays the copy out that way.
"$JDK/bin/javac" -h "$P/djl-jni/include" -d "$WORK/djl-classes" \
  "$WORK/djl/engines/pytorch/pytorch-engine/src/main/java/ai/djl/pytorch/jni/PyTorchLibrary.java"
echo "v$DJL_VERSION $(git -C "$MIRROR" rev-parse "v$DJL_VERSION^{commit}")" >"$P/djl-jni/DJL_SOURCE"

# 5. The probe.
mkdir -p "$WORK/probe"
"$JDK/bin/javac" --release 17 -cp "$JAR" -d "$WORK/probe" $(find "$ROOT/gpu/probe" -name '*.java')
"$JDK/bin/jar" --create --file "$P/gpu-probe.jar" -C "$WORK/probe" .

# 6. Reference data for parity: the tiny model, the cases' settings (index.json) and their inputs/outputs.
rm -rf "$P/reference" && mkdir -p "$P/reference/expected/cases"
cp -r "$REF/tiny-sd" "$P/reference/"
cp "$REF/expected/index.json" "$P/reference/expected/"
for c in "$REF"/expected/cases/*/; do
  d=$P/reference/expected/cases/$(basename "$c"); mkdir -p "$d"
  cp "$c"/latents_init.npy "$c"/final_latents.npy "$d/"
done

echo
echo "prepare-payload: sizes (MiB)"
du -m "$JAR" | awk '{print "  thin jar (deflated, as mvn builds it): " $1}'
(cd "$P" && du -sm easel-thin.jar.xz runtime.tar.xz djl-jni gpu-probe.jar reference | awk '{print "  " $2 ": " $1}')
TOTAL=$(cd "$ROOT" && { git ls-files -z; git ls-files -z --others --exclude-standard; } | du -cb --files0-from=- 2>/dev/null | tail -1 | cut -f1)
PAY=$(du -sb "$P" | cut -f1)
echo "  payload: $((PAY / 1048576)) MiB; working tree that travels with it: $(((TOTAL + PAY) / 1048576)) MiB of 64"
echo
echo "The device call (run tool):"
echo "  command:   bash gpu/run-on-gpu.sh"
echo "  carry:     [\"gpu/payload\"]"
echo "  timeout_s: 600   (the script stops itself before its 560 s deadline and packs what it has)"
