#!/usr/bin/python3
"""Checks a notebook executed by `jupyter nbconvert --execute`: no cell failed, and at least --min-images outputs
carry real PNG data (image/png).

    /usr/bin/python3 notebooks/tests/check_notebook.py target/notebook-test/nbconvert/01-getting-started.ipynb --min-images 4
"""
import argparse
import base64
import sys

import nbformat


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebook", help="an executed notebook")
    parser.add_argument("--min-images", type=int, default=1, help="image/png outputs required (default 1)")
    args = parser.parse_args()

    nb = nbformat.read(args.notebook, as_version=4)
    problems = []
    images = 0
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        if cell.get("execution_count") is None:
            problems.append(f"cell {index} did not run")
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                problems.append(f"cell {index} failed: {output['ename']}: {output['evalue']}")
            data = output.get("data", {})
            if "image/png" in data:
                if not base64.b64decode(data["image/png"]).startswith(b"\x89PNG\r\n\x1a\n"):
                    problems.append(f"cell {index}: image/png output is not PNG data")
                images += 1
    if images < args.min_images:
        problems.append(f"expected at least {args.min_images} image/png outputs, got {images}")
    print(f"{args.notebook}: {len(nb.cells)} cells, {images} image/png outputs")
    for problem in problems:
        print(f"FAILED: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
