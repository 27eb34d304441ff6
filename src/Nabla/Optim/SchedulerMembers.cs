using System.Globalization;

namespace Nabla.Optim;

/// <summary>The state of the members of a composite scheduler (<see cref="ChainedScheduler"/>, <see cref="SequentialLR"/>), kept under <c>schedulers.{index}.</c>.</summary>
internal static class SchedulerMembers
{
    /// <summary>Writes each member's state under <c>schedulers.{index}.</c>.</summary>
    public static void Save(IReadOnlyList<LrScheduler> members, IDictionary<string, double> state)
    {
        ArgumentNullException.ThrowIfNull(state);
        for (int k = 0; k < members.Count; k++)
            foreach (var (key, value) in members[k].StateDict())
                state[Prefix(k) + key] = value;
    }

    /// <summary>Restores each member's state from under <c>schedulers.{index}.</c>.</summary>
    public static void Load(IReadOnlyList<LrScheduler> members, IReadOnlyDictionary<string, double> state)
    {
        ArgumentNullException.ThrowIfNull(state);
        for (int k = 0; k < members.Count; k++)
        {
            string prefix = Prefix(k);
            var member = new Dictionary<string, double>(StringComparer.Ordinal);
            foreach (var (key, value) in state)
                if (key.StartsWith(prefix, StringComparison.Ordinal)) member[key[prefix.Length..]] = value;
            members[k].LoadStateDict(member);
        }
    }

    /// <summary>The members as an array, refusing a null list or member.</summary>
    public static LrScheduler[] ToArray(IEnumerable<LrScheduler> schedulers)
    {
        ArgumentNullException.ThrowIfNull(schedulers);
        LrScheduler[] array = [.. schedulers];
        foreach (LrScheduler s in array) ArgumentNullException.ThrowIfNull(s, nameof(schedulers));
        return array;
    }

    private static string Prefix(int k) => string.Create(CultureInfo.InvariantCulture, $"schedulers.{k}.");
}
