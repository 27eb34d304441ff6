using System.Reflection;
using System.Reflection.Emit;

namespace Nabla.Tests.Architecture;

/// <summary>
/// Which types each type of an assembly uses: in its signatures (base type, interfaces, fields, properties, events,
/// method parameters and returns, generic constraints, locals, catch clauses) and in its method bodies (every type, method
/// and field token of the IL). Nested and compiler-generated types (lambdas, iterators, async state machines) count as
/// their outermost declaring type, and a generic instantiation or an array counts as every type it is built from.
/// </summary>
internal static class TypeReferences
{
    private const BindingFlags Declared = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(o => o.Value);

    /// <summary>For each outermost type of <paramref name="assembly"/>: the outermost types it uses, itself excluded.</summary>
    public static IReadOnlyDictionary<Type, HashSet<Type>> Of(Assembly assembly) => Of(assembly.GetTypes());

    /// <summary>For each outermost type of <paramref name="types"/>: the outermost types it uses, itself excluded.</summary>
    public static IReadOnlyDictionary<Type, HashSet<Type>> Of(IEnumerable<Type> types)
    {
        var result = new Dictionary<Type, HashSet<Type>>();
        foreach (Type type in types)
        {
            Type owner = Outermost(type);
            if (!result.TryGetValue(owner, out HashSet<Type>? used)) result[owner] = used = [];
            Collect(type, used);
            used.Remove(owner);
        }
        return result;
    }

    /// <summary>The outermost declaring type: a nested or compiler-generated type belongs to the type that declares it.</summary>
    public static Type Outermost(Type type)
    {
        while (type.DeclaringType is not null) type = type.DeclaringType;
        return type;
    }

    private static void Collect(Type type, HashSet<Type> used)
    {
        Add(type.BaseType, used);
        foreach (Type i in type.GetInterfaces()) Add(i, used);
        foreach (Type g in type.IsGenericTypeDefinition ? type.GetGenericArguments() : [])
            foreach (Type c in g.GetGenericParameterConstraints()) Add(c, used);
        foreach (FieldInfo f in type.GetFields(Declared)) Add(f.FieldType, used);
        foreach (PropertyInfo p in type.GetProperties(Declared)) Add(p.PropertyType, used);
        foreach (EventInfo e in type.GetEvents(Declared)) Add(e.EventHandlerType, used);
        foreach (MethodBase m in type.GetMethods(Declared).Cast<MethodBase>().Concat(type.GetConstructors(Declared)))
        {
            if (m is MethodInfo mi) Add(mi.ReturnType, used);
            foreach (ParameterInfo p in m.GetParameters()) Add(p.ParameterType, used);
            if (m.IsGenericMethodDefinition)
                foreach (Type g in m.GetGenericArguments())
                    foreach (Type c in g.GetGenericParameterConstraints()) Add(c, used);
            CollectBody(m, used);
        }
    }

    private static void CollectBody(MethodBase method, HashSet<Type> used)
    {
        MethodBody? body = method.GetMethodBody();
        if (body is null) return;
        foreach (LocalVariableInfo local in body.LocalVariables) Add(local.LocalType, used);
        foreach (ExceptionHandlingClause clause in body.ExceptionHandlingClauses)
            if (clause.Flags == ExceptionHandlingClauseOptions.Clause) Add(clause.CatchType, used);
        byte[] il = body.GetILAsByteArray() ?? [];
        Type[] typeArgs = method.DeclaringType is { IsGenericType: true } t ? t.GetGenericArguments() : [];
        Type[] methodArgs = method is MethodInfo { IsGenericMethod: true } ? method.GetGenericArguments() : [];
        for (int i = 0; i < il.Length;)
        {
            short value = il[i] == 0xFE ? (short)(0xFE00 | il[i + 1]) : il[i];
            i += il[i] == 0xFE ? 2 : 1;
            OpCode op = OpCodesByValue[value];
            switch (op.OperandType)
            {
                case OperandType.InlineType:
                case OperandType.InlineMethod:
                case OperandType.InlineField:
                case OperandType.InlineTok:
                    AddMember(method.Module.ResolveMember(BitConverter.ToInt32(il, i), typeArgs, methodArgs), used);
                    i += 4;
                    break;
                case OperandType.InlineSwitch:
                    i += 4 + 4 * BitConverter.ToInt32(il, i);
                    break;
                default:
                    i += OperandSize(op.OperandType);
                    break;
            }
        }
    }

    private static int OperandSize(OperandType operand) => operand switch
    {
        OperandType.InlineNone => 0,
        OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
        OperandType.InlineVar => 2,
        OperandType.InlineI8 or OperandType.InlineR => 8,
        _ => 4,
    };

    private static void AddMember(MemberInfo? member, HashSet<Type> used)
    {
        switch (member)
        {
            case Type t:
                Add(t, used);
                break;
            case FieldInfo f:
                Add(f.DeclaringType, used);
                Add(f.FieldType, used);
                break;
            case MethodBase m:
                Add(m.DeclaringType, used);
                if (m is MethodInfo mi)
                {
                    Add(mi.ReturnType, used);
                    if (mi.IsGenericMethod)
                        foreach (Type g in mi.GetGenericArguments()) Add(g, used);
                }
                foreach (ParameterInfo p in m.GetParameters()) Add(p.ParameterType, used);
                break;
        }
    }

    /// <summary>Adds <paramref name="type"/> and every type it is built from (element types, generic arguments).</summary>
    private static void Add(Type? type, HashSet<Type> used)
    {
        if (type is null || type.IsGenericParameter) return;
        if (type.HasElementType)
        {
            Add(type.GetElementType(), used);
            return;
        }
        if (type.IsGenericType && !type.IsGenericTypeDefinition)
        {
            foreach (Type a in type.GetGenericArguments()) Add(a, used);
            type = type.GetGenericTypeDefinition();
        }
        used.Add(Outermost(type));
    }
}
