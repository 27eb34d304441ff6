using System.Reflection;

namespace Nabla.NN;

/// <summary>
/// The tensors inside a module's input or output: a <see cref="Tensor"/>, a <c>Tensor[]</c>, or a value tuple of these
/// (nested tuples too), in order. Other values hold no tensors as far as hooks, Summary and graph export are concerned.
/// </summary>
internal static class TensorTree
{
    /// <summary>The tensors in <paramref name="value"/>, depth first.</summary>
    public static List<Tensor> Flatten(object? value)
    {
        var result = new List<Tensor>();
        Visit(value, result);
        return result;
    }

    /// <summary>The tensors of every value in <paramref name="values"/>, in order.</summary>
    public static List<Tensor> Flatten(IEnumerable<object?> values)
    {
        var result = new List<Tensor>();
        foreach (object? v in values) Visit(v, result);
        return result;
    }

    private static void Visit(object? value, List<Tensor> into)
    {
        switch (value)
        {
            case Tensor t:
                into.Add(t);
                break;
            case Tensor?[] array:
                foreach (Tensor? t in array)
                    if (t is not null) into.Add(t);
                break;
            case not null when IsValueTuple(value.GetType()):
                foreach (FieldInfo f in TupleFields(value.GetType())) Visit(f.GetValue(value), into);
                break;
        }
    }

    /// <summary>
    /// <paramref name="value"/> with its tensors, in <see cref="Flatten(object?)"/>'s order, replaced by
    /// <paramref name="replacements"/>; arrays are copied and a boxed tuple is updated in place.
    /// </summary>
    public static object? Rebuild(object? value, IReadOnlyList<Tensor> replacements)
    {
        int next = 0;
        return Replace(value, replacements, ref next);
    }

    private static object? Replace(object? value, IReadOnlyList<Tensor> replacements, ref int next)
    {
        switch (value)
        {
            case Tensor:
                return replacements[next++];
            case Tensor?[] array:
                var copy = (Tensor?[])array.Clone();
                for (int i = 0; i < copy.Length; i++)
                    if (copy[i] is not null) copy[i] = replacements[next++];
                return copy;
            case not null when IsValueTuple(value.GetType()):
                foreach (FieldInfo f in TupleFields(value.GetType())) f.SetValue(value, Replace(f.GetValue(value), replacements, ref next));
                return value;
            default:
                return value;
        }
    }

    private static bool IsValueTuple(Type type) =>
        type.IsValueType && type.IsGenericType && type.FullName is { } name && name.StartsWith("System.ValueTuple`", StringComparison.Ordinal);

    private static IEnumerable<FieldInfo> TupleFields(Type type) =>
        type.GetFields(BindingFlags.Instance | BindingFlags.Public).OrderBy(f => f.Name == "Rest" ? 8 : int.Parse(f.Name.AsSpan(4), System.Globalization.CultureInfo.InvariantCulture));
}
