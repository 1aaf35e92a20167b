#!/usr/bin/env bash
# Notebook tests: executes notebooks/01-getting-started.ipynb on the Easel kernel with `jupyter nbconvert --execute`
# and checks its image outputs, then runs it in a real browser (classic Jupyter Notebook + headless chromium).
# Artifacts (executed notebook, screenshot, server log) go to $EASEL_TEST_ARTIFACTS (default target/notebook-test).
#
#   bash notebooks/tests/run.sh            # both
#   bash notebooks/tests/run.sh nbconvert  # only the nbconvert check
#   bash notebooks/tests/run.sh browser    # only the browser test
#
# Needs: Debian's jupyter-nbconvert, jupyter-notebook, python3-nbformat, chromium, nodejs/npm (playwright-core is
# installed from the npm registry into notebooks/tests/browser/node_modules; it uses /usr/bin/chromium, no download).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT=${EASEL_TEST_ARTIFACTS:-$ROOT/target/notebook-test}
WHAT=${1:-all}
NOTEBOOK=$ROOT/notebooks/01-getting-started.ipynb
JAR=$ROOT/kernel/target/easel.jar
MIN_IMAGES=4

mkdir -p "$OUT"
if [ ! -f "$JAR" ]; then
  (cd "$ROOT" && mvn -B -q -pl engine,magics,kernel -am -DskipTests package)
fi
# A private Jupyter data dir, so the test neither needs nor touches the user's kernelspecs.
export JUPYTER_DATA_DIR=$OUT/jupyter-data
java -jar "$JAR" install --user --name easel >/dev/null

if [ "$WHAT" = all ] || [ "$WHAT" = nbconvert ]; then
  rm -rf "$OUT/nbconvert" && mkdir -p "$OUT/nbconvert"
  cp "$NOTEBOOK" "$OUT/nbconvert/"   # run where outputs/ may be written
  /usr/bin/jupyter nbconvert --to notebook --execute --ExecutePreprocessor.kernel_name=easel \
    --ExecutePreprocessor.timeout=600 --output-dir "$OUT/nbconvert" --output 01-getting-started.executed \
    "$OUT/nbconvert/01-getting-started.ipynb"
  /usr/bin/python3 "$ROOT/notebooks/tests/check_notebook.py" "$OUT/nbconvert/01-getting-started.executed.ipynb" \
    --min-images "$MIN_IMAGES"
fi

if [ "$WHAT" = all ] || [ "$WHAT" = browser ]; then
  (cd "$ROOT/notebooks/tests/browser" && npm ci --no-audit --no-fund --loglevel=error)
  rm -rf "$OUT/browser"
  node "$ROOT/notebooks/tests/browser/run-notebook.mjs" --notebook "$NOTEBOOK" --out "$OUT/browser" \
    --kernel easel --min-images "$MIN_IMAGES" --timeout 900
fi
