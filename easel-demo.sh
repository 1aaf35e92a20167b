#!/usr/bin/env bash
# Easel's main job on a fresh Debian machine: installs what is missing (Jupyter from Debian packages), builds
# kernel/target/easel.jar, installs the "easel" kernelspec for this user, then executes
# notebooks/01-getting-started.ipynb headless and prints where the HTML with its outputs is.
# With --serve it starts the notebook server on notebooks/ instead.
set -euo pipefail
cd "$(dirname "$0")"

serve=0
for arg in "$@"; do
  case "$arg" in
    --serve) serve=1 ;;
    -h|--help) sed -n '2,5p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option $arg (use --serve or --help)" >&2; exit 2 ;;
  esac
done

source .ci/deps.sh
easel_install_deps

echo "Building kernel/target/easel.jar (tests skipped; ./test.sh runs them)…"
mvn -B -q package -DskipTests
java -jar kernel/target/easel.jar install --user

if [ "$serve" -eq 1 ]; then
  root=()
  if [ "$(id -u)" -eq 0 ]; then root=(--allow-root); fi
  exec /usr/bin/jupyter notebook --notebook-dir=notebooks "${root[@]}"
fi

mkdir -p outputs
/usr/bin/jupyter nbconvert --to html --execute --ExecutePreprocessor.kernel_name=easel \
  --ExecutePreprocessor.timeout=1200 --output-dir outputs notebooks/01-getting-started.ipynb
echo
echo "Executed notebook with its outputs: $(pwd)/outputs/01-getting-started.html"
