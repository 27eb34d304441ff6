# Sourced by the benchmark scripts: defines nabla() as the tool to measure. The ordinary build (`dotnet build`,
# compiled at run time) by default; NABLA_BENCH=published runs the tool as bench/publish.sh publishes it
# (self-contained, one composite ReadyToRun image: see docs/benchmarks.md for what that changes).
if [ "${NABLA_BENCH:-jit}" = published ]; then
  nabla_tool=$(bash bench/publish.sh)
  nabla() { "$nabla_tool" "$@"; }
else
  dotnet build -c Release src/Nabla.Cli >/dev/null
  nabla() { dotnet src/Nabla.Cli/bin/Release/net10.0/Nabla.Cli.dll "$@"; }
fi
