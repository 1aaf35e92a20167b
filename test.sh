#!/usr/bin/env bash
# Runs every test: installs what the tests need (Jupyter from Debian packages, JDK, Maven) if missing, then one
# Maven build whose test phase runs each module's JUnit tests — including the kernel's jupyter_kernel_test suite,
# the jupyter_client integration tests and nbconvert of notebooks/ — and packages kernel/target/easel.jar.
set -euo pipefail
cd "$(dirname "$0")"
source .ci/deps.sh
easel_install_deps
exec mvn -B verify "$@"
