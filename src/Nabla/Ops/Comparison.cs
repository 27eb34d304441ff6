using System.Runtime.CompilerServices;
using Nabla.Kernels;

namespace Nabla;

// Note [Tensor equality]
// ==, !=, <, >, <= and >= on tensors are elementwise comparisons that return bool tensors, as in PyTorch and
// TorchSharp: `pred.ArgMax(1) == y` is the accuracy mask a PyTorch user writes, and it must never silently compare
// references. Equals and GetHashCode keep reference identity, so dictionaries, hash sets, List.Contains and
// xunit's Assert.Equal on tensors mean what they meant; ReferenceEquals(a, b) and `is null` test identity. A null
// operand of == or != is refused with a message saying to write `is null`: a comparison of a tensor with null has
// no elementwise meaning, and in nullable code it is already a compile-time warning (an error in this project).

public sealed partial class Tensor
{
    /// <summary>Elementwise <c>this == other</c> (bool result); mixed dtypes promote (Note [Type promotion]).</summary>
    public Tensor Eq(Tensor other) => DType == DType.Bool && other?.DType == DType.Bool
        ? BoolKernel<BoolEqOp>(this, other, "eq")
        : CompareKernel<EqOp<float>, EqOp<double>, EqOp<long>>(this, other!, "eq");

    /// <summary>Elementwise <c>this != other</c> (bool result).</summary>
    public Tensor Ne(Tensor other) => CompareKernel<NeOp<float>, NeOp<double>, NeOp<long>>(this, other, "ne");

    /// <summary>Elementwise <c>this &gt; other</c> (bool result).</summary>
    public Tensor Gt(Tensor other) => CompareKernel<GtOp<float>, GtOp<double>, GtOp<long>>(this, other, "gt");

    /// <summary>Elementwise <c>this &gt;= other</c> (bool result).</summary>
    public Tensor Ge(Tensor other) => CompareKernel<GeOp<float>, GeOp<double>, GeOp<long>>(this, other, "ge");

    /// <summary>Elementwise <c>this &lt; other</c> (bool result).</summary>
    public Tensor Lt(Tensor other) => CompareKernel<LtOp<float>, LtOp<double>, LtOp<long>>(this, other, "lt");

    /// <summary>Elementwise <c>this &lt;= other</c> (bool result).</summary>
    public Tensor Le(Tensor other) => CompareKernel<LeOp<float>, LeOp<double>, LeOp<long>>(this, other, "le");

    /// <summary>Elementwise equality with a scalar; an integer tensor is compared exactly (in float64), never with a truncated scalar.</summary>
    public Tensor Eq(double other) => Eq(ComparisonOperand(other));

    /// <summary>Elementwise inequality with a scalar.</summary>
    public Tensor Ne(double other) => Ne(ComparisonOperand(other));

    /// <summary>Elementwise <c>this &gt; other</c> with a scalar.</summary>
    public Tensor Gt(double other) => Gt(ComparisonOperand(other));

    /// <summary>Elementwise <c>this &gt;= other</c> with a scalar.</summary>
    public Tensor Ge(double other) => Ge(ComparisonOperand(other));

    /// <summary>Elementwise <c>this &lt; other</c> with a scalar.</summary>
    public Tensor Lt(double other) => Lt(ComparisonOperand(other));

    /// <summary>Elementwise <c>this &lt;= other</c> with a scalar.</summary>
    public Tensor Le(double other) => Le(ComparisonOperand(other));

    /// <summary>Elementwise equality with an integer scalar.</summary>
    public Tensor Eq(long other) => Eq(ScalarOperand(other));

    /// <summary>Elementwise inequality with an integer scalar.</summary>
    public Tensor Ne(long other) => Ne(ScalarOperand(other));

    /// <summary>Elementwise <c>this &gt; other</c> with an integer scalar.</summary>
    public Tensor Gt(long other) => Gt(ScalarOperand(other));

    /// <summary>Elementwise <c>this &gt;= other</c> with an integer scalar.</summary>
    public Tensor Ge(long other) => Ge(ScalarOperand(other));

    /// <summary>Elementwise <c>this &lt; other</c> with an integer scalar.</summary>
    public Tensor Lt(long other) => Lt(ScalarOperand(other));

    /// <summary>Elementwise <c>this &lt;= other</c> with an integer scalar.</summary>
    public Tensor Le(long other) => Le(ScalarOperand(other));

    /// <summary>Elementwise logical and of two bool tensors.</summary>
    public Tensor LogicalAnd(Tensor other) => BoolKernel<AndOp>(this, other, "logical_and");

    /// <summary>Elementwise logical or of two bool tensors.</summary>
    public Tensor LogicalOr(Tensor other) => BoolKernel<OrOp>(this, other, "logical_or");

    private static Tensor BoolKernel<TOp>(Tensor a, Tensor b, string op) where TOp : IBinaryOp<TOp, bool, bool>
    {
        ArgumentNullException.ThrowIfNull(b);
        if (a.DType != DType.Bool || b.DType != DType.Bool)
            throw new ArgumentException($"{op}: expected two bool tensors, got {a.DType.Name()} and {b.DType.Name()}");
        var y = Empty(DType.Bool, BroadcastShapes(a.Dims, b.Dims, op));
        Run<bool, bool, TOp>(a, b, y);
        return y;
    }

    /// <summary>Reference identity, not elementwise equality (Note [Tensor equality]); use <see cref="Eq(Tensor)"/> or <c>==</c> for that.</summary>
    public override bool Equals(object? obj) => ReferenceEquals(this, obj);

    /// <summary>A hash of the reference, consistent with <see cref="Equals(object?)"/>.</summary>
    public override int GetHashCode() => RuntimeHelpers.GetHashCode(this);

    private static Tensor Operand(Tensor? t, string op) => t ?? throw new ArgumentNullException(nameof(t),
        $"{op}: an operand is null; {op} on tensors compares elements (Note [Tensor equality]): test a tensor for null with 'is null' or 'is not null'");

#pragma warning disable CS1591 // operators mirror the named methods documented above
    public static Tensor operator ==(Tensor a, Tensor b) => Operand(a, "==").Eq(Operand(b, "=="));
    public static Tensor operator !=(Tensor a, Tensor b) => Operand(a, "!=").Ne(Operand(b, "!="));
    public static Tensor operator <(Tensor a, Tensor b) => Operand(a, "<").Lt(Operand(b, "<"));
    public static Tensor operator >(Tensor a, Tensor b) => Operand(a, ">").Gt(Operand(b, ">"));
    public static Tensor operator <=(Tensor a, Tensor b) => Operand(a, "<=").Le(Operand(b, "<="));
    public static Tensor operator >=(Tensor a, Tensor b) => Operand(a, ">=").Ge(Operand(b, ">="));
    public static Tensor operator ==(Tensor a, double b) => Operand(a, "==").Eq(b);
    public static Tensor operator !=(Tensor a, double b) => Operand(a, "!=").Ne(b);
    public static Tensor operator <(Tensor a, double b) => Operand(a, "<").Lt(b);
    public static Tensor operator >(Tensor a, double b) => Operand(a, ">").Gt(b);
    public static Tensor operator <=(Tensor a, double b) => Operand(a, "<=").Le(b);
    public static Tensor operator >=(Tensor a, double b) => Operand(a, ">=").Ge(b);
    public static Tensor operator ==(double a, Tensor b) => Operand(b, "==").Eq(a);
    public static Tensor operator !=(double a, Tensor b) => Operand(b, "!=").Ne(a);
    public static Tensor operator <(double a, Tensor b) => Operand(b, "<").Gt(a);
    public static Tensor operator >(double a, Tensor b) => Operand(b, ">").Lt(a);
    public static Tensor operator <=(double a, Tensor b) => Operand(b, "<=").Ge(a);
    public static Tensor operator >=(double a, Tensor b) => Operand(b, ">=").Le(a);
    public static Tensor operator ==(Tensor a, long b) => Operand(a, "==").Eq(b);
    public static Tensor operator !=(Tensor a, long b) => Operand(a, "!=").Ne(b);
    public static Tensor operator <(Tensor a, long b) => Operand(a, "<").Lt(b);
    public static Tensor operator >(Tensor a, long b) => Operand(a, ">").Gt(b);
    public static Tensor operator <=(Tensor a, long b) => Operand(a, "<=").Le(b);
    public static Tensor operator >=(Tensor a, long b) => Operand(a, ">=").Ge(b);
    public static Tensor operator ==(long a, Tensor b) => Operand(b, "==").Eq(a);
    public static Tensor operator !=(long a, Tensor b) => Operand(b, "!=").Ne(a);
    public static Tensor operator <(long a, Tensor b) => Operand(b, "<").Gt(a);
    public static Tensor operator >(long a, Tensor b) => Operand(b, ">").Lt(a);
    public static Tensor operator <=(long a, Tensor b) => Operand(b, "<=").Ge(a);
    public static Tensor operator >=(long a, Tensor b) => Operand(b, ">=").Le(a);
#pragma warning restore CS1591
}
