using Nabla.Data;

namespace Nabla.Tests.Data;

public class DigitsTests
{
    [Fact]
    public void Load_Embedded_Has1797ImagesScaledToUnitInterval()
    {
        TensorDataset ds = Digits.Load();
        Assert.Equal(new Shape(1797, 64), ds.Features.Shape);
        Assert.Equal(DType.Float32, ds.Features.DType);
        Assert.Equal(DType.Int64, ds.Labels.DType);
        float[] x = ds.Features.ToArray<float>();
        Assert.Equal(0f, x.Min());
        Assert.Equal(1f, x.Max());
        Assert.All(x, v => Assert.Equal(0f, v * 16 - MathF.Round(v * 16)));
        // First row of scikit-learn's digits: 0,0,5,13,9,1,0,0 ... label 0.
        Assert.Equal([0f, 0f, 5 / 16f, 13 / 16f, 9 / 16f, 1 / 16f, 0f, 0f], x[..8]);
        long[] y = ds.Labels.ToArray<long>();
        Assert.Equal(0, y[0]);
        Assert.Equal(1, y[1]);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => (long)i), y.Distinct().Order());
        Assert.All(Enumerable.Range(0, 10), c => Assert.InRange(y.Count(v => v == c), 174, 183));
    }

    [Fact]
    public void Load_NotFlattened_IsOneChannel8x8()
        => Assert.Equal(new Shape(1797, 1, 8, 8), Digits.Load(flatten: false).Features.Shape);

    [Fact]
    public void TrainTestSplit_SameSeed_SameStratifiedDisjointSplit()
    {
        var (train, test) = Digits.TrainTestSplit(0.25, seed: 1);
        var (train2, test2) = Digits.TrainTestSplit(0.25, seed: 1);
        var (_, other) = Digits.TrainTestSplit(0.25, seed: 2);
        Assert.Equal(1797, train.Count + test.Count);
        Assert.InRange(test.Count, 445, 455);
        Assert.Equal(test.Features.ToArray<float>(), test2.Features.ToArray<float>());
        Assert.Equal(train.Labels.ToArray<long>(), train2.Labels.ToArray<long>());
        Assert.NotEqual(test.Features.ToArray<float>(), other.Features.ToArray<float>());
        long[] all = Digits.Load().Labels.ToArray<long>();
        long[] testLabels = test.Labels.ToArray<long>();
        for (int c = 0; c < 10; c++)
        {
            int inClass = all.Count(v => v == c);
            Assert.Equal((int)Math.Round(0.25 * inClass, MidpointRounding.AwayFromZero), testLabels.Count(v => v == c));
        }
    }

    [Fact]
    public void TrainTestSplit_BadFraction_Throws()
        => Assert.Contains("testFraction", Assert.Throws<ArgumentOutOfRangeException>(() => Digits.TrainTestSplit(1.5)).Message);
}
