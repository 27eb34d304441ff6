#!/usr/bin/env bash
# The test command: installs the Debian packages some tests use, if missing, then runs the test suite.
#   dataset-fashion-mnist  the real Fashion-MNIST IDX files (the PyTorch-trained model test)
#   graphviz               Graphviz's dot checks the exported DOT graphs
#   chromium               the playground's browser tests (Playwright drives /usr/bin/chromium; no download)
#   openmpi-bin libopenmpi-dev  the distributed tests run `mpirun -np 2` on loopback (OpenMPI's libmpi.so.40)
set -uo pipefail
cd "$(dirname "$0")/.."
need=()
[ -f /usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz ] || need+=(dataset-fashion-mnist)
command -v dot >/dev/null || need+=(graphviz)
[ -x /usr/bin/chromium ] || need+=(chromium)
command -v mpirun >/dev/null || need+=(openmpi-bin libopenmpi-dev)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq "${need[@]}" >/dev/null
  else
    echo "note: ${need[*]} missing; run 'sudo apt-get install ${need[*]}' or the tests that use them fail and say so" >&2
  fi
fi
exec dotnet test tests/Nabla.Tests -c Release "$@"
