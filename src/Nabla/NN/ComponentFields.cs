using System.Collections.Concurrent;
using System.Reflection;

namespace Nabla.NN;

/// <summary>What a field of a module can hold that the registration check looks at (Note [Module registration]).</summary>
internal enum ComponentKind
{
    /// <summary>A module.</summary>
    Module,

    /// <summary>A tensor.</summary>
    Tensor,

    /// <summary>A collection of modules (an array, a list, a dictionary's values).</summary>
    Modules,

    /// <summary>A collection of tensors.</summary>
    Tensors,
}

/// <summary>One field of a module type that can hold a module or a tensor.</summary>
/// <param name="Field">The field (for an auto-property, its backing field).</param>
/// <param name="Kind">What it holds.</param>
/// <param name="Description">How errors name it: <c>property 'Head'</c>, <c>field '_fc'</c>.</param>
/// <param name="Key">The name a registration must have to be this field's: lower case without underscores (<c>_lmHead</c>, <c>LmHead</c> and <c>lm_head</c> all give <c>lmhead</c>).</param>
internal sealed record ComponentField(FieldInfo Field, ComponentKind Kind, string Description, string Key);

/// <summary>The fields of each module type that can hold modules or tensors, found once per type by reflection.</summary>
internal static class ComponentFields
{
    private static readonly ConcurrentDictionary<Type, ComponentField[]> Cache = new();

    /// <summary>The component fields of <paramref name="type"/> and its base types below <see cref="ModuleBase"/>.</summary>
    public static ComponentField[] Of(Type type) => Cache.GetOrAdd(type, Find);

    /// <summary>The key of a registered name or a field name: lower case, without underscores.</summary>
    public static string Key(string name) => name.Replace("_", "", StringComparison.Ordinal).ToLowerInvariant();

    private static ComponentField[] Find(Type type)
    {
        var result = new List<ComponentField>();
        for (Type? t = type; t is not null && t != typeof(ModuleBase); t = t.BaseType)
        {
            foreach (FieldInfo f in t.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            {
                if (KindOf(f.FieldType) is not { } kind) continue;
                var (name, description, property) = Describe(t, f);
                if (f.IsDefined(typeof(NotRegisteredAttribute)) || property?.IsDefined(typeof(NotRegisteredAttribute)) == true) continue;
                result.Add(new ComponentField(f, kind, description, Key(name)));
            }
        }
        return [.. result];
    }

    private static ComponentKind? KindOf(Type type)
    {
        if (typeof(ModuleBase).IsAssignableFrom(type)) return ComponentKind.Module;
        if (type == typeof(Tensor)) return ComponentKind.Tensor;
        if (type == typeof(string)) return null;
        foreach (Type i in type.IsInterface ? [type, .. type.GetInterfaces()] : type.GetInterfaces())
        {
            if (!i.IsGenericType || i.GetGenericTypeDefinition() != typeof(IEnumerable<>)) continue;
            Type element = i.GetGenericArguments()[0];
            if (element.IsGenericType && element.GetGenericTypeDefinition() == typeof(KeyValuePair<,>)) element = element.GetGenericArguments()[1];
            if (typeof(ModuleBase).IsAssignableFrom(element)) return ComponentKind.Modules;
            if (element == typeof(Tensor)) return ComponentKind.Tensors;
        }
        return null;
    }

    /// <summary>The C# name of a field as its author wrote it: an auto-property's or a primary-constructor parameter's name.</summary>
    private static (string Name, string Description, PropertyInfo? Property) Describe(Type declaring, FieldInfo f)
    {
        string name = f.Name;
        if (name.StartsWith('<') && name.IndexOf('>', StringComparison.Ordinal) is var end and > 1)
        {
            string inner = name[1..end];
            if (name.EndsWith(">k__BackingField", StringComparison.Ordinal))
            {
                PropertyInfo? property = declaring.GetProperty(inner, BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly);
                return (inner, $"property '{inner}'", property);
            }
            return (inner, $"primary-constructor parameter '{inner}'", null);
        }
        return (name, $"field '{name}'", null);
    }
}
