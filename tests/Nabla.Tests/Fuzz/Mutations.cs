using System.Text;

namespace Nabla.Tests.Fuzz;

/// <summary>
/// Randomized mutation testing of the readers of outside bytes (Note [Mutation tests]).
/// </summary>
/// <remarks>
/// Note [Mutation tests]
/// Every reader of bytes that come from outside the process (files, HTTP bodies, expression text) is run over
/// thousands of mutations of a valid input, from a fixed seed so that a failure reproduces: truncation, bit flips,
/// inserted, deleted and duplicated runs of bytes, and decimal numbers replaced by huge or odd ones. The reader may
/// succeed or throw one of its documented exception types; anything else escaping (a NullReferenceException, an
/// InvalidOperationException from a JSON reader, an OutOfMemoryException, an OverflowException) fails the test with
/// the seed, the mutation number and the bytes. Each run must also stay under a memory bound (bytes allocated by the
/// calling thread), so that a 100-byte header cannot make a reader allocate gigabytes, and under a time bound.
/// </remarks>
internal static class Mutations
{
    private static readonly string[] OddNumbers =
    [
        "0", "-1", "1e308", "-1e308", "99999999999", "18446744073709551615", "9223372036854775807",
        "-9223372036854775808", "2147483648", "4294967296", "1.5", "NaN", "Infinity", "-0", "1e-400", "007",
    ];

    /// <summary>One mutation of <paramref name="valid"/>, chosen by <paramref name="random"/>.</summary>
    public static byte[] Mutate(byte[] valid, Random random)
    {
        var bytes = new List<byte>(valid);
        int count = 1 + random.Next(3);
        for (int m = 0; m < count; m++) MutateOnce(bytes, random);
        return [.. bytes];
    }

    private static void MutateOnce(List<byte> bytes, Random random)
    {
        int n = bytes.Count;
        switch (random.Next(8))
        {
            case 0 when n > 0: // truncate
            {
                int keep = random.Next(n);
                bytes.RemoveRange(keep, n - keep);
                break;
            }
            case 1 when n > 0: // flip a bit
                bytes[random.Next(n)] ^= (byte)(1 << random.Next(8));
                break;
            case 2 when n > 0: // replace a byte with an arbitrary or structural one
            {
                byte[] interesting = [0, 0xFF, 0x7F, 0x80, (byte)'"', (byte)'{', (byte)'}', (byte)'[', (byte)']', (byte)',', (byte)':', (byte)'\n', (byte)'\\', 0xC3, 0xED];
                bytes[random.Next(n)] = random.Next(2) == 0 ? (byte)random.Next(256) : interesting[random.Next(interesting.Length)];
                break;
            }
            case 3: // insert random bytes
            {
                int at = random.Next(n + 1);
                var insert = new byte[1 + random.Next(8)];
                random.NextBytes(insert);
                bytes.InsertRange(at, insert);
                break;
            }
            case 4 when n > 0: // duplicate a run
            {
                int start = random.Next(n);
                int len = Math.Min(n - start, 1 + random.Next(64));
                bytes.InsertRange(random.Next(n + 1), bytes.GetRange(start, len));
                break;
            }
            case 5 when n > 0: // delete a run
            {
                int start = random.Next(n);
                bytes.RemoveRange(start, Math.Min(n - start, 1 + random.Next(16)));
                break;
            }
            case 6: // replace a decimal number with a huge or odd one
                ReplaceNumber(bytes, random);
                break;
            default: // overwrite 8 bytes with a little-endian extreme (binary length fields)
                if (n >= 8)
                {
                    int at = random.Next(n - 7);
                    ulong[] extremes = [0, ulong.MaxValue, long.MaxValue, 1UL << 32, 1UL << 31, (ulong)n * 2, 0x8000_0000_0000_0000];
                    byte[] le = BitConverter.GetBytes(extremes[random.Next(extremes.Length)]);
                    for (int i = 0; i < 8; i++) bytes[at + i] = le[i];
                }
                break;
        }
    }

    private static void ReplaceNumber(List<byte> bytes, Random random)
    {
        var starts = new List<int>();
        for (int i = 0; i < bytes.Count; i++)
            if (IsDigit(bytes[i]) && (i == 0 || !IsDigit(bytes[i - 1]))) starts.Add(i);
        if (starts.Count == 0) return;
        int s = starts[random.Next(starts.Count)];
        int e = s;
        while (e < bytes.Count && (IsDigit(bytes[e]) || bytes[e] == '.')) e++;
        bytes.RemoveRange(s, e - s);
        bytes.InsertRange(s, Encoding.ASCII.GetBytes(OddNumbers[random.Next(OddNumbers.Length)]));

        static bool IsDigit(byte b) => b >= '0' && b <= '9';
    }

    /// <summary>
    /// Runs <paramref name="read"/> over <paramref name="count"/> mutations of <paramref name="valid"/> (seed
    /// <paramref name="seed"/>) and fails if an exception outside <paramref name="allowed"/> escapes, if one run
    /// allocates more than <paramref name="maxBytes"/> on the calling thread, or if one run takes longer than
    /// <paramref name="maxSeconds"/>. Returns how many mutations were accepted and how many refused.
    /// </summary>
    public static (int Accepted, int Refused) Run(string what, byte[] valid, Action<byte[]> read, Type[] allowed,
        int count = 2000, int seed = 1, long maxBytes = 64L << 20, double maxSeconds = 5)
    {
        var random = new Random(seed);
        int accepted = 0, refused = 0;
        read(valid); // the valid input itself must be accepted
        for (int i = 0; i < count; i++)
        {
            byte[] input = Mutate(valid, random);
            long before = GC.GetAllocatedBytesForCurrentThread();
            var clock = System.Diagnostics.Stopwatch.StartNew();
            try
            {
                read(input);
                accepted++;
            }
            catch (Exception ex) when (allowed.Any(t => t.IsInstanceOfType(ex)))
            {
                refused++;
            }
            catch (Exception ex)
            {
                Assert.Fail($"{what}: mutation {i} (seed {seed}) let {ex.GetType().Name} escape: {ex.Message}\n" +
                            $"input ({input.Length} bytes): {Show(input)}\n{ex}");
            }
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            if (allocated > maxBytes)
                Assert.Fail($"{what}: mutation {i} (seed {seed}) allocated {allocated:N0} bytes (bound {maxBytes:N0}); input: {Show(input)}");
            if (clock.Elapsed.TotalSeconds > maxSeconds)
                Assert.Fail($"{what}: mutation {i} (seed {seed}) took {clock.Elapsed.TotalSeconds:F1} s (bound {maxSeconds} s); input: {Show(input)}");
        }
        return (accepted, refused);
    }

    private static string Show(byte[] input)
    {
        const int Max = 400;
        string text = Encoding.UTF8.GetString(input, 0, Math.Min(input.Length, Max));
        return text.Any(c => char.IsControl(c) && c is not '\n' and not '\r' and not '\t' || c == '\uFFFD')
            ? Convert.ToHexString(input, 0, Math.Min(input.Length, Max / 2)) + (input.Length > Max / 2 ? "..." : "")
            : text + (input.Length > Max ? "..." : "");
    }
}
