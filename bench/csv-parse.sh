#!/usr/bin/env bash
# CSV load time: CsvDataset.Load against the same load written over Sep 0.18 (a CSV library, restored from NuGet into
# a scratch project only: it is not a dependency of Nabla). The file is generated once: ROWS rows of 20 numeric
# features (some quoted, some negative or with exponents) and a class name, with a header. Rounds alternate the two.
# Nabla.dll is the worktree's Release build unless NABLA_DLL names another (for example an older build).
#   bash bench/csv-parse.sh [ROWS] [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-200000}
rounds=${2:-5}
dll=${NABLA_DLL:-$PWD/src/Nabla/bin/Release/net10.0/Nabla.dll}
[ -f "$dll" ] || dotnet build src/Nabla -c Release >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat > "$work/csvbench.csproj" <<XML
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup><OutputType>Exe</OutputType><TargetFramework>net10.0</TargetFramework><ImplicitUsings>enable</ImplicitUsings><Nullable>enable</Nullable><InvariantGlobalization>true</InvariantGlobalization></PropertyGroup>
  <ItemGroup><Reference Include="$dll" /><PackageReference Include="System.Numerics.Tensors" Version="10.0.0" /><PackageReference Include="Sep" Version="0.18.0" /></ItemGroup>
</Project>
XML
cat > "$work/Program.cs" <<'CS'
using System.Diagnostics;
using System.Globalization;
using System.Text;
using nietras.SeparatedValues;
using Nabla.Data;

int rows = int.Parse(args[0]), rounds = int.Parse(args[1]);
string path = Path.Combine(args[2], "data.csv");
var random = new Random(1);
string[] names = ["setosa", "versicolor", "virginica", "other class"];
using (var w = new StreamWriter(path))
{
    w.WriteLine(string.Join(",", Enumerable.Range(0, 20).Select(j => $"f{j}")) + ",label");
    var line = new StringBuilder();
    for (int i = 0; i < rows; i++)
    {
        line.Clear();
        for (int j = 0; j < 20; j++)
        {
            double v = (random.NextDouble() - 0.3) * Math.Pow(10, random.Next(-3, 4));
            string s = j % 7 == 3 ? v.ToString("E3", CultureInfo.InvariantCulture) : v.ToString("G6", CultureInfo.InvariantCulture);
            line.Append(j % 5 == 0 ? $"\"{s}\"" : s).Append(',');
        }
        line.Append(names[random.Next(names.Length)]);
        w.WriteLine(line);
    }
}
Console.WriteLine($"{rows} rows, {new FileInfo(path).Length / 1e6:F1} MB");

static int SepLoad(string path)
{
    using var reader = Sep.New(',').Reader(o => o with { HasHeader = true, Unescape = true, Trim = SepTrim.All }).FromFile(path);
    var features = new List<float>();
    var index = new Dictionary<string, int>(StringComparer.Ordinal);
    var lookup = index.GetAlternateLookup<ReadOnlySpan<char>>();
    var labels = new List<int>();
    foreach (var row in reader)
    {
        for (int j = 0; j < 20; j++)
        {
            if (!float.TryParse(row[j].Span, NumberStyles.Float, CultureInfo.InvariantCulture, out float v) || !float.IsFinite(v))
                throw new InvalidDataException($"line {row.LineNumberFrom}");
            features.Add(v);
        }
        ReadOnlySpan<char> label = row[20].Span;
        if (!lookup.TryGetValue(label, out int id)) lookup[label] = id = index.Count;
        labels.Add(id);
    }
    return features.Count + labels.Count;
}

Console.WriteLine("| round | CsvDataset.Load s | over Sep 0.18 s |");
Console.WriteLine("|---|---:|---:|");
for (int r = 0; r < rounds; r++)
{
    var clock = Stopwatch.StartNew();
    int n = CsvDataset.Load(path).Count;
    double nabla = clock.Elapsed.TotalSeconds;
    clock.Restart();
    int m = SepLoad(path);
    double sep = clock.Elapsed.TotalSeconds;
    if (n != rows || m != rows * 21) throw new InvalidOperationException("the loads disagree");
    Console.WriteLine($"| {r + 1} | {nabla:F3} | {sep:F3} |");
}
CS
dotnet run --project "$work" -c Release -- "$rows" "$rounds" "$work"
