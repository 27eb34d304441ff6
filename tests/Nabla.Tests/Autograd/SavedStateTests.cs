using System.Reflection;
using Nabla.Graph;

namespace Nabla.Tests.Graph;

/// <summary>
/// Every backward rule of the library keeps the tensors it reads through Node.Save, where a checkpoint can drop them
/// (Note [Checkpoint frames]); a tensor in a field of its own would stay alive through a checkpointed forward.
/// </summary>
public class SavedStateTests
{
    private static bool HoldsTensorData(Type t) =>
        t == typeof(Tensor) || typeof(IEnumerable<Tensor>).IsAssignableFrom(t) || typeof(IEnumerable<Tensor?>).IsAssignableFrom(t)
        || t == typeof(float[]) || t == typeof(double[]) || t == typeof(long[]);

    /// <summary>Fields that hold tensor data but no activation, each with the reason it may stay through a checkpoint.</summary>
    private static readonly Dictionary<string, string> Allowed = new()
    {
        ["CrossEntropyBackward._targets"] = "the class indices: an input of the loss, which its caller holds anyway",
        ["CopyPadBackward._maps"] = "index maps computed from the padding and the shape, not from values",
        ["Gather._received"] = "gradients a module backward hook collects during backward, nothing from the forward",
        ["Scatter.<received>P"] = "the same hook's gradients, handed back during backward",
    };

    [Fact]
    public void NodeSubclasses_KeepTensorsOnlyThroughSave()
    {
        var offenders = new List<string>();
        foreach (Type type in typeof(Tensor).Assembly.GetTypes().Where(t => t.IsSubclassOf(typeof(Node))))
        {
            for (Type? t = type; t is not null && t != typeof(Node); t = t.BaseType)
                foreach (FieldInfo f in t.GetFields(BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public | BindingFlags.DeclaredOnly))
                    if (HoldsTensorData(f.FieldType) && !Allowed.ContainsKey($"{t.Name}.{f.Name}")) offenders.Add($"{t.Name}.{f.Name} ({f.FieldType.Name})");
        }
        Assert.True(offenders.Count == 0, "rules holding tensor data outside Save:\n" + string.Join("\n", offenders.Distinct()));
    }

    [Fact]
    public void NodeSubclasses_WithABufferOfTheirOwn_DropItForACheckpoint()
    {
        // int[] fields are shapes, except a pooled index buffer, which must override DropOwnState.
        MethodInfo drop = typeof(Node).GetMethod("DropOwnState", BindingFlags.Instance | BindingFlags.NonPublic)!;
        foreach (Type type in typeof(Tensor).Assembly.GetTypes().Where(t => t.IsSubclassOf(typeof(Node))))
        {
            bool holdsIndices = type.GetFields(BindingFlags.Instance | BindingFlags.NonPublic).Any(f => f.Name.Contains("indices", StringComparison.OrdinalIgnoreCase));
            if (holdsIndices)
                Assert.True(type.GetMethod("DropOwnState", BindingFlags.Instance | BindingFlags.NonPublic)!.DeclaringType != typeof(Node),
                    $"{type.Name} holds an index buffer but does not override DropOwnState");
        }
        Assert.NotNull(drop);
    }
}
