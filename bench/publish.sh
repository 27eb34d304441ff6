#!/usr/bin/env bash
# Publishes the nabla tool as it ships for speed: self-contained, with the tool, Nabla and the .NET framework compiled
# ahead of time into one composite ReadyToRun image (Note [Hot methods] in src/Nabla/CodeGen.cs), into bench/out/nabla.
# The AVX-512 instruction set is targeted when this CPU has it (code for another CPU is compiled at run time instead).
# It builds from a copy of the sources, so that its intermediate files (compiled with NABLA_READYTORUN) never mix with
# those of the ordinary `dotnet build`.
#   bash bench/publish.sh            (about 2 minutes; prints the tool's path)
set -euo pipefail
cd "$(dirname "$0")/.."
out=bench/out
mkdir -p "$out"
rm -rf "$out/src.tmp" "$out/nabla.tmp"
mkdir -p "$out/src.tmp"
cp Directory.Build.props "$out/src.tmp/"
tar --exclude=bin --exclude=obj -cf - src | tar -xf - -C "$out/src.tmp"
isa=()
grep -qw avx512f /proc/cpuinfo && isa=("-p:PublishReadyToRunCrossgen2ExtraArgs=--instruction-set:x86-64-v4")
dotnet publish "$out/src.tmp/src/Nabla.Cli" -c Release -p:NablaReadyToRun=true "${isa[@]}" -o "$out/nabla.tmp" >/dev/null
rm -rf "$out/nabla" "$out/src.tmp"
mv "$out/nabla.tmp" "$out/nabla"
echo "$out/nabla/Nabla.Cli"
