using System.Runtime.CompilerServices;

namespace Nabla;

// Note [Hot methods]
// The per-op methods of the tensor API and the engine are marked [MethodImpl(CodeGen.Hot)]. In an ordinary (JIT) build
// that is AggressiveOptimization: a short program would otherwise run them as unoptimised tier-0 code, because
// tiering promotes a method only after 30 calls and 100 ms without new tier-0 code (a 1,000-op chain finishes first).
// In a ReadyToRun build (`-p:NablaReadyToRun=true`, what bench/publish.sh makes) it is nothing: crossgen never
// precompiles an AggressiveOptimization method, so those methods would be compiled at run time on their first call,
// and precompiled code is optimised code already, which tiering then recompiles at tier 1 once it is hot.
internal static class CodeGen
{
#if NABLA_READYTORUN
    public const MethodImplOptions Hot = 0;
#else
    public const MethodImplOptions Hot = MethodImplOptions.AggressiveOptimization;
#endif
}
