using Xunit.Sdk;

namespace Nabla.Tests.Fuzz;

public class MutationsTests
{
    [Fact]
    public void Mutate_SameSeed_SameMutations()
    {
        byte[] valid = "{\"a\": 12, \"b\": [1, 2, 3]}"u8.ToArray();
        var r1 = new Random(7);
        var r2 = new Random(7);
        for (int i = 0; i < 200; i++) Assert.Equal(Mutations.Mutate(valid, r1), Mutations.Mutate(valid, r2));
    }

    [Fact]
    public void Mutate_ManyMutations_MostDifferFromTheInput()
    {
        byte[] valid = "{\"a\": 12, \"b\": [1, 2, 3]}"u8.ToArray();
        var random = new Random(3);
        int changed = Enumerable.Range(0, 500).Count(_ => !Mutations.Mutate(valid, random).AsSpan().SequenceEqual(valid));
        Assert.True(changed > 450, $"only {changed} of 500 mutations changed the input");
    }

    [Fact]
    public void Run_UndocumentedException_FailsWithTheMutation()
    {
        byte[] valid = "12345678"u8.ToArray();
        var ex = Assert.Throws<FailException>(() => Mutations.Run("reader", valid,
            bytes => { if (!bytes.AsSpan().SequenceEqual(valid)) throw new InvalidCastException("boom"); },
            [typeof(FormatException)], count: 10));
        Assert.Contains("InvalidCastException", ex.Message);
        Assert.Contains("seed 1", ex.Message);
    }

    [Fact]
    public void Run_DocumentedException_Counts()
    {
        byte[] valid = "12345678"u8.ToArray();
        var (accepted, refused) = Mutations.Run("reader", valid,
            bytes => { if (!bytes.AsSpan().SequenceEqual(valid)) throw new FormatException("bad"); },
            [typeof(FormatException)], count: 50);
        Assert.Equal(50, accepted + refused);
        Assert.True(refused > 40);
    }

    [Fact]
    public void Run_ReaderAllocatingBeyondTheBound_Fails()
    {
        byte[] valid = "12345678"u8.ToArray();
        var ex = Assert.Throws<FailException>(() => Mutations.Run("reader", valid,
            bytes => GC.KeepAlive(new byte[bytes.Length == valid.Length ? 1 : 2 << 20]),
            [typeof(FormatException)], count: 20, maxBytes: 1 << 20));
        Assert.Contains("allocated", ex.Message);
    }
}
