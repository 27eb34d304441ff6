using Nabla.Runtime;

namespace Nabla;

/// <summary>Obsolete: the warm-up is <see cref="JitWarmup"/> in <c>Nabla.Runtime</c> (docs/runtime.md); this forwards to it.</summary>
[Obsolete("Use Nabla.Runtime.JitWarmup (docs/runtime.md).")]
public static class Warmup
{
    /// <summary>Forwards to <see cref="JitWarmup.Start"/>.</summary>
    /// <exception cref="ArgumentException">A dtype is not floating point, or none was given.</exception>
    public static Task<bool> Start(params DType[] dtypes) => JitWarmup.Start(dtypes);

    /// <summary>Forwards to <see cref="JitWarmup.Run"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="dtype"/> is not floating point.</exception>
    public static void Run(DType dtype) => JitWarmup.Run(dtype);
}
