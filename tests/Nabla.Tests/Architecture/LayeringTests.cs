using System.Reflection;
using Nabla.Graph;

namespace Nabla.Tests.Architecture;

/// <summary>
/// Dependencies point down the layers of docs/architecture.md: Kernels know no tensor and no graph, the ops and the
/// autograd graph know no NN, Optim, Data, IO or Diagnostics, NN knows no optimizer or dataset, and the library knows
/// no application. A type's uses are read from its signatures and its IL (<see cref="TypeReferences"/>).
/// </summary>
public class LayeringTests
{
    private static readonly Assembly Library = typeof(Tensor).Assembly;

    private static readonly Layer Kernels = Namespace("Kernels", "Nabla.Kernels");
    private static readonly Layer TensorType = new("Tensor", t => t == typeof(Tensor));
    private static readonly Layer Ops = new("Ops (Nabla.Ops, and Tensor and Functional, the types the op files extend)",
        t => InNamespace(t, "Nabla.Ops") || t == typeof(Tensor) || t == typeof(Functional));
    private static readonly Layer AutogradGraph = new("the autograd graph (Nabla.Graph, Autograd)", t => InNamespace(t, "Nabla.Graph") || t == typeof(Autograd));
    private static readonly Layer NN = Namespace("NN", "Nabla.NN");
    private static readonly Layer Optim = Namespace("Optim", "Nabla.Optim");
    private static readonly Layer Data = Namespace("Data", "Nabla.Data");
    private static readonly Layer IO = Namespace("IO", "Nabla.IO");
    private static readonly Layer Diagnostics = Namespace("Diagnostics", "Nabla.Diagnostics");
    private static readonly Layer Models = Namespace("Models", "Nabla.Models");
    private static readonly Layer Distributed = Namespace("Distributed", "Nabla.Distributed");

    private static readonly Rule[] Rules =
    [
        new(Kernels, [TensorType, AutogradGraph, Ops, NN, Optim, Data, IO, Diagnostics, Models, Distributed], "kernels are span and array math: no Tensor, no graph"),
        new(Ops, [NN, Optim, Data, IO, Diagnostics, Models, Distributed], "an op is a tensor method, its kernel call and its backward node"),
        new(AutogradGraph, [NN, Optim, Data, IO, Diagnostics, Models, Distributed], "the engine and nodes sit under every layer that records ops"),
        new(NN, [Optim, Data, IO, Diagnostics, Models, Distributed], "modules are built from ops; training, data and files are above them"),
        new(Data, [NN, Optim, Diagnostics, Models, Distributed], "datasets hand tensors to whatever trains on them"),
        new(Distributed, [Optim, Data, IO, Diagnostics, Models], "a process group and a module wrapper over the engine: the training loop, data and files are the caller's"),
    ];

    /// <summary>
    /// Uses that break a rule today and stay, each a (user, used) pair of full type names with the reason. Empty: the one
    /// violation found (AnomalyRecord, in the graph, took an NN Module) was fixed by passing the module's text.
    /// </summary>
    private static readonly (string From, string To, string Reason)[] Allowed = [];

    public static TheoryData<string> RuleNames()
    {
        var data = new TheoryData<string>();
        foreach (Rule r in Rules) data.Add(r.From.Name);
        return data;
    }

    [Theory]
    [MemberData(nameof(RuleNames))]
    public void Layer_UsesNoLayerAboveIt(string layer)
    {
        Rule rule = Rules.Single(r => r.From.Name == layer);
        string[] violations = Violations(TypeReferences.Of(Library), rule)
            .Where(v => !Allowed.Any(a => a.From == v.From.FullName && a.To == v.To.FullName))
            .Select(v => $"{v.From.FullName} uses {v.To.FullName}")
            .ToArray();
        Assert.True(violations.Length == 0, $"{layer} must not use {string.Join(", ", rule.MustNotUse.Select(l => l.Name))} ({rule.Why}):\n{string.Join("\n", violations)}");
    }

    [Fact]
    public void AllowList_EveryEntry_StillNamesAUseThatBreaksARule()
    {
        var uses = TypeReferences.Of(Library);
        foreach (var (from, to, reason) in Allowed)
            Assert.True(Rules.Any(r => Violations(uses, r).Any(v => v.From.FullName == from && v.To.FullName == to)),
                $"allow-list entry {from} -> {to} ({reason}) matches no violation any more: remove it");
    }

    [Fact]
    public void Library_ReferencesNoApplicationAssembly()
    {
        string[] references = ReferencedAssemblyNames(Library);
        Assert.DoesNotContain("Nabla.Cli", references);
        Assert.DoesNotContain("Nabla.Playground", references);
    }

    [Fact]
    public void Playground_DoesNotReferenceTheCli()
    {
        string[] references = ReferencedAssemblyNames(typeof(Nabla.Playground.PlaygroundServer).Assembly);
        Assert.Contains("Nabla", references);
        Assert.DoesNotContain("Nabla.Cli", references);
        Assert.Contains("Nabla.Playground", ReferencedAssemblyNames(typeof(Nabla.Cli.Program).Assembly));
    }

    [Fact]
    public void Checker_RuleThatDoesNotHold_ReportsTheTypesThatBreakIt()
    {
        var upsideDown = new Rule(NN, [Ops, AutogradGraph], "a deliberately wrong rule: NN is built from ops");
        var violations = Violations(TypeReferences.Of(Library), upsideDown).ToList();
        Assert.Contains((typeof(Nabla.NN.Linear), typeof(Tensor)), violations);
        Assert.Contains((typeof(Nabla.NN.ModuleBase), typeof(AnomalyRecord)), violations);
    }

    private static IEnumerable<(Type From, Type To)> Violations(IReadOnlyDictionary<Type, HashSet<Type>> uses, Rule rule) =>
        from pair in uses
        where rule.From.Contains(pair.Key)
        from used in pair.Value
        where rule.MustNotUse.Any(l => l.Contains(used))
        orderby pair.Key.FullName, used.FullName
        select (pair.Key, used);

    private static string[] ReferencedAssemblyNames(Assembly assembly) => [.. assembly.GetReferencedAssemblies().Select(a => a.Name!)];

    private static bool InNamespace(Type t, string ns) => t.Namespace == ns || t.Namespace?.StartsWith(ns + ".", StringComparison.Ordinal) == true;

    private static Layer Namespace(string name, string ns) => new(name, t => InNamespace(t, ns));

    /// <summary>A layer: a name for messages and the types that belong to it.</summary>
    private sealed record Layer(string Name, Func<Type, bool> Contains);

    /// <summary>Types of <paramref name="From"/> must use no type of the layers in <paramref name="MustNotUse"/>.</summary>
    private sealed record Rule(Layer From, Layer[] MustNotUse, string Why);
}
