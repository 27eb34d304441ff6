using Nabla.Cli.Training;

namespace Nabla.Tests.Cli.Training;

/// <summary>Confusion: the summary of a large confusion matrix.</summary>
public class ConfusionTests
{
    [Fact]
    public void Confusion_Summary_ListsTheLeastAccurateClassesWithTheirCommonestMistake()
    {
        var c = new Confusion(30);
        for (int k = 0; k < 30; k++) for (int n = 0; n < 4; n++) c.Add(k, k); // every class right 4 times
        c.Add(7, 3); c.Add(7, 3); c.Add(7, 9); // class 7: 4 of 7 right, mostly taken for 3
        c.Add(12, 0); // class 12: 4 of 5 right
        var worst = c.Worst();
        Assert.Equal((7, 7L, 4L, 4.0 / 7, 3), worst[0]);
        Assert.Equal((12, 5L, 4L, 0.8, 0), worst[1]);
        Assert.Equal(Confusion.WorstClasses, worst.Count);
        Assert.Equal(2L, c.Count(7, 3));
    }
}
