using Nabla.Tests.Architecture.Planted;

namespace Nabla.Tests.Architecture;

/// <summary>TypeReferences finds a use however it is written: in a body, a lambda, a field, a cast, a generic argument, a typeof.</summary>
public class TypeReferencesTests
{
    public static TheoryData<string, string> PlantedUses() => new()
    {
        { nameof(CallsAStaticMethod), typeof(Tensor).FullName! },
        { nameof(ConstructsInALambda), typeof(Nabla.NN.Relu).FullName! },
        { nameof(HoldsAProperty), typeof(Nabla.Optim.Sgd).FullName! },
        { nameof(TestsAType), typeof(Nabla.Data.Dataset).FullName! },
        { nameof(CastsToAType), typeof(Nabla.NN.Module).FullName! },
        { nameof(ListsInALocal), typeof(Nabla.Graph.Node).FullName! },
        { nameof(TakesATypeof), typeof(Nabla.IO.SafeTensors).FullName! },
    };

    [Theory]
    [MemberData(nameof(PlantedUses))]
    public void Of_PlantedUse_IsFound(string planted, string used)
    {
        Type[] types = typeof(CallsAStaticMethod).Assembly.GetTypes().Where(t => TypeReferences.Outermost(t).Namespace == typeof(CallsAStaticMethod).Namespace).ToArray();
        var uses = TypeReferences.Of(types);
        Type user = types.Single(t => t.Name == planted);
        Assert.Contains(used, uses[user].Select(t => t.FullName));
    }

    [Fact]
    public void Of_NestedAndCompilerGeneratedTypes_CountAsTheirDeclaringType()
    {
        var uses = TypeReferences.Of(typeof(ConstructsInALambda).Assembly.GetTypes().Where(t => TypeReferences.Outermost(t) == typeof(ConstructsInALambda)));
        Assert.Equal([typeof(ConstructsInALambda)], uses.Keys);
    }
}
