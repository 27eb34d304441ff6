using Nabla.Runtime;

namespace Nabla;

/// <summary>Obsolete: the thread budget is <see cref="ThreadBudget"/> in <c>Nabla.Runtime</c> (docs/runtime.md); this forwards to it.</summary>
[Obsolete("Use Nabla.Runtime.ThreadBudget.Max, or ThreadBudget.Limit(n) for a part of a program (docs/runtime.md).")]
public static class Parallelism
{
    /// <summary>Forwards to <see cref="ThreadBudget.Max"/>, the process's budget.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Set to less than 1.</exception>
    public static int MaxThreads
    {
        get => ThreadBudget.Max;
        set => ThreadBudget.Max = value;
    }
}
