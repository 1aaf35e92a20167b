#!/usr/bin/env bash
# Puts a model made by `easel.jar train-base --out RUN` into the engine's resources as the shipped default model,
# with the SHA256SUMS index DefaultModel copies it out by. Usage: engine/ship-default-model.sh RUN/model
set -euo pipefail
model=${1:?usage: engine/ship-default-model.sh RUN/model}
[ -f "$model/model_index.json" ] || { echo "$model has no model_index.json; pass the model folder of a train-base run" >&2; exit 2; }
target=$(dirname "$0")/src/main/resources/dev/easel/engine/default-model
rm -rf "$target"
mkdir -p "$target"
cp -r "$model"/. "$target"/
(cd "$target" && find . -type f ! -name SHA256SUMS | sed 's|^\./||' | LC_ALL=C sort | xargs sha256sum > SHA256SUMS)
du -sh "$target"
