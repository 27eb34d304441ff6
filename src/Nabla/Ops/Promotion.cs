namespace Nabla;

// Note [Type promotion]
// Binary ops, comparisons and Where follow PyTorch's type promotion over the categories bool < integer < floating
// point: the operand of the lower category is converted to the other operand's dtype before the kernel runs, so
// int64 + float32 is float32 and bool * int64 is int64. A double scalar is a floating-point operand: with an int64 or
// bool tensor it becomes float32 (PyTorch's default dtype), so Arange(3) * 0.5 is [0, 0.5, 1], never [0, 0, 0]. A long
// scalar (an int literal binds to the long overloads, as a Python int does) takes the tensor's dtype. Div is true
// division: integer and bool operands become float32. Two floating dtypes never mix: float32 with float64 is an error
// naming the To() to call, because a silent promotion would double a float32 training loop's memory traffic.
// A 16-bit float (bfloat16, float16) meeting a wider float becomes that float, and bfloat16 with float16 gives float32,
// as in PyTorch: float32 + bfloat16 is float32 (Note [Half compute]).
// Comparing an integer tensor with a double scalar is done in float64, exact where PyTorch's float32 rounds above 2^24.
// Same-dtype floating-point ops pay one dtype comparison for all of this.

public sealed partial class Tensor
{
    private static int PromotionCategory(DType dtype) => dtype switch
    {
        DType.Bool => 0,
        DType.Int64 => 1,
        _ => 2,
    };

    /// <summary>Converts the operand of the lower category to the other's dtype (see Note [Type promotion]).</summary>
    internal static void Promote(ref Tensor a, ref Tensor b, string op)
    {
        DType da = a.DType, db = b.DType;
        if (da == db) return;
        if (da.IsFloatingPoint() && db.IsFloatingPoint())
        {
            DType to = PromoteFloat(da, db, op);
            if (da != to) a = a.To(to);
            if (db != to) b = b.To(to);
            return;
        }
        if (PromotionCategory(da) > PromotionCategory(db)) b = b.To(da);
        else a = a.To(db);
    }

    /// <summary>
    /// The dtype two floating-point dtypes compute in: the same one; the wider when one is 16-bit; float32 for bfloat16
    /// with float16. Float32 with float64 is an error naming <paramref name="op"/> (Note [Type promotion]).
    /// </summary>
    internal static DType PromoteFloat(DType a, DType b, string? op)
    {
        if (a == b) return a;
        if (a.IsHalf() && b.IsHalf()) return DType.Float32;
        if (a.IsHalf()) return b;
        if (b.IsHalf()) return a;
        throw new ArgumentException(
            $"{op ?? "op"}: dtype mismatch: {a.Name()} and {b.Name()}; convert one with .To(DType.{b}) or .To(DType.{a}) first");
    }

    /// <summary>Promotes for true division: as <see cref="Promote"/>, then integer or bool operands become float32.</summary>
    internal static void PromoteForDivision(ref Tensor a, ref Tensor b, string op)
    {
        Promote(ref a, ref b, op);
        if (a.DType.IsFloatingPoint()) return;
        a = a.To(DType.Float32);
        b = b.To(DType.Float32);
    }

    /// <summary>A double scalar operand: this tensor's dtype if floating point, else float32 (Note [Type promotion]).</summary>
    internal Tensor ScalarOperand(double value) => DType.IsFloatingPoint() ? ScalarLike(value) : Full([], value, DType.Float32);

    /// <summary>A long scalar operand: this tensor's dtype, or int64 for a bool tensor; exact for every long.</summary>
    internal Tensor ScalarOperand(long value)
    {
        if (DType.IsFloatingPoint()) return ScalarLike(value);
        var t = Empty(DType.Int64, []);
        t.Data<long>()[0] = value;
        return t;
    }

    /// <summary>A double scalar to compare with: this tensor's dtype if floating point, else float64 (exact for integers).</summary>
    internal Tensor ComparisonOperand(double value) => DType.IsFloatingPoint() ? ScalarLike(value) : Full([], value, DType.Float64);
}
