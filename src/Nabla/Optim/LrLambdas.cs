using System.Globalization;

namespace Nabla.Optim;

/// <summary>The per-group factor functions of <see cref="LambdaLR"/> and <see cref="MultiplicativeLR"/>.</summary>
internal static class LrLambdas
{
    /// <summary>One function per param group: <paramref name="lrLambdas"/> itself, which must have one per group.</summary>
    public static Func<int, double>[] PerGroup(string scheduler, Optimizer optimizer, IEnumerable<Func<int, double>> lrLambdas)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentNullException.ThrowIfNull(lrLambdas);
        Func<int, double>[] result = [.. lrLambdas];
        if (result.Length != optimizer.ParamGroups.Count)
            throw new ArgumentException($"{scheduler}: expected {optimizer.ParamGroups.Count} lrLambdas (one per param group), got {result.Length}", nameof(lrLambdas));
        for (int i = 0; i < result.Length; i++)
            if (result[i] is null)
                throw new ArgumentException($"{scheduler}: lrLambdas[{i}] is null", nameof(lrLambdas));
        return result;
    }

    /// <summary>The same function for every param group.</summary>
    public static Func<int, double>[] Shared(Optimizer optimizer, Func<int, double> lambda)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentNullException.ThrowIfNull(lambda);
        return [.. Enumerable.Repeat(lambda, optimizer.ParamGroups.Count)];
    }

    /// <summary>
    /// <paramref name="lr"/>, checked: a user function that returns NaN, an infinity or a negative factor would give the
    /// optimizer a learning rate its constructor refuses.
    /// </summary>
    /// <exception cref="InvalidOperationException">The learning rate is not finite and &gt;= 0.</exception>
    public static double Checked(string scheduler, double lr, double factor, int groupIndex, int step)
        => double.IsFinite(lr) && lr >= 0 ? lr
            : throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                $"{scheduler}: the lr lambda of param group {groupIndex} returned {factor} at step {step}, giving the learning rate {lr}; expected a finite learning rate >= 0"));
}
