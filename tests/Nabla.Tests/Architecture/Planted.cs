namespace Nabla.Tests.Architecture.Planted;

// Each type uses one Nabla type in one way, for TypeReferencesTests; none is called.

internal static class CallsAStaticMethod
{
    public static long Count() => Tensor.Zeros([2]).Numel;
}

internal static class ConstructsInALambda
{
    public static Func<object> Factory() => () => new Nabla.NN.Relu();
}

internal sealed class HoldsAProperty
{
    public Nabla.Optim.Sgd? Optimizer { get; set; }
}

internal static class TestsAType
{
    public static bool Is(object o) => o is Nabla.Data.Dataset;
}

internal static class CastsToAType
{
    public static object As(object o) => (Nabla.NN.Module)o;
}

internal static class ListsInALocal
{
    public static int Count()
    {
        var nodes = new List<Nabla.Graph.Node>();
        return nodes.Count;
    }
}

internal static class TakesATypeof
{
    public static string Name() => typeof(Nabla.IO.SafeTensors).Name;
}
