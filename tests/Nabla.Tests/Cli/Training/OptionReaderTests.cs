using Nabla.Cli.Commands;
using static Nabla.Tests.Cli.CliRunner;

namespace Nabla.Tests.Cli.Training;

/// <summary>OptionReader: a malformed or out-of-range option becomes a message that names it and says what to do, exit code 2.</summary>
public sealed class OptionReaderTests
{
    [Theory]
    [InlineData("bench gemm --sizes 99999999999", "--sizes: 99999999999 is out of range")]
    [InlineData("bench gemm --sizes 64,0", "--sizes: 0 is out of range")]
    [InlineData("bench gemm --sizes 64,x", "--sizes: 'x' in '64,x' is not a whole number")]
    [InlineData("bench overhead --ops 99999999999", "--ops: 99999999999 is out of range")]
    [InlineData("bench mlp --batch-size 0", "--batch-size: 0 is out of range")]
    [InlineData("bench mlp --epochs 99999999", "--epochs: 99999999 is out of range")]
    [InlineData("bench gemm --threads -1", "--threads: -1 is out of range")]
    [InlineData("train --epochs 99999999999", "--epochs: 99999999999 is out of range")]
    [InlineData("train --batch-size 2147483648", "--batch-size: 2147483648 is out of range")]
    [InlineData("train --seed -1", "--seed: '-1' is not a whole number")]
    [InlineData("train --seed 18446744073709551616", "--seed: '18446744073709551616' is not a whole number")]
    [InlineData("train --layers 64,99999999999,10", "--layers: 99999999999 is out of range")]
    [InlineData("train --layers 64,-5,10", "--layers: -5 is out of range")]
    [InlineData("train --layers 64", "--layers: '64' needs at least 2 entries")]
    [InlineData("train --lr 1e400", "--lr: '1e400' is not a number")]
    [InlineData("train --weight-decay NaN", "--weight-decay: 'NaN' is not a number")]
    [InlineData("train --threads 99999", "--threads: 99999 is out of range")]
    [InlineData("train --model mlp --activation tanh", "--activation applies to --layers only")]
    [InlineData("train --scheduler linear", "unknown scheduler 'linear'")]
    [InlineData("train --layers 64,8,10 --init zeros", "unknown init 'zeros'")]
    [InlineData("evaluate m.safetensors --batch-size 99999999999", "--batch-size: 99999999999 is out of range")]
    [InlineData("gradcheck --batch-size 99999999999", "--batch-size: 99999999999 is out of range")]
    [InlineData("gradcheck --max-elements -1", "--max-elements: -1 is out of range")]
    [InlineData("graph --batch-size -5", "--batch-size: -5 is out of range")]
    [InlineData("playground --port 70000", "--port: 70000 is out of range")]
    public void Option_MalformedOrOutOfRange_ExitsTwoWithMessageAndHint(string command, string message)
    {
        var (code, _, err) = Run(command.Split(' '));
        Assert.Equal(ExitCodes.Usage, code);
        AssertMessage(err);
        Assert.Contains(message, err);
        Assert.Contains("hint:", err);
    }

    [Theory]
    [InlineData("train", "--out")]
    [InlineData("train", "--resume")]
    [InlineData("graph", "--out")]
    public void PathOption_Empty_NamesTheOption(string command, string option)
    {
        var (code, _, err) = Run(command, option, "");
        Assert.Equal(ExitCodes.Usage, code);
        AssertMessage(err);
        Assert.Contains($"{option}: the path is empty", err);
    }
}
