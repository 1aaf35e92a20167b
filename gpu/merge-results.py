"""Results of gpu/run-on-gpu.sh.

  merge-results.py RESULTS_DIR OUT.json
      every stage's JSON in RESULTS_DIR merged into one file, with the list of finished stages
  merge-results.py --dreambooth RESULTS_DIR STEPS T0 T1
      dreambooth.json from the training's loss.jsonl and the nvidia-smi memory samples
"""
import glob
import json
import os
import sys


def merge(res, out):
    merged = {}
    for f in sorted(glob.glob(os.path.join(res, "*.json"))):
        name = os.path.basename(f)[:-5]
        try:
            with open(f) as fh:
                merged[name] = json.load(fh)
        except ValueError as e:
            merged[name] = {"unreadable": str(e)}
    merged["stages_done"] = sorted(os.path.basename(f)[:-5]
                                   for f in glob.glob(os.path.join(res, "stages", "*.done")))
    with open(out, "w") as fh:
        json.dump(merged, fh, indent=2)


def dreambooth(res, steps, t0, t1):
    rows, mem = [], []
    try:
        with open(os.path.join(res, "dreambooth-loss.jsonl")) as fh:
            rows = [json.loads(line) for line in fh if line.strip()]
    except OSError:
        pass
    try:
        with open(os.path.join(res, "dreambooth-gpu-memory.csv")) as fh:
            mem = [int(line) for line in fh if line.strip().isdigit()]
    except OSError:
        pass
    result = {
        "steps": steps,
        "wall_seconds_including_load": t1 - t0,
        "steps_per_s_including_load": steps / (t1 - t0),
        "peak_gpu_memory_mib_nvidia_smi": max(mem) if mem else None,
        "log_rows_first_20": rows[:20],
    }
    with open(os.path.join(res, "dreambooth.json"), "w") as fh:
        json.dump(result, fh, indent=2)


if __name__ == "__main__":
    if sys.argv[1] == "--dreambooth":
        dreambooth(sys.argv[2], int(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5]))
    else:
        merge(sys.argv[1], sys.argv[2])
