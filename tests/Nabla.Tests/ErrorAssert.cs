namespace Nabla.Tests;

/// <summary>Checks that an error message names what a user needs: the op, what it got and what it expected.</summary>
internal static class ErrorAssert
{
    /// <summary>Asserts that the message of <paramref name="ex"/> contains every one of <paramref name="parts"/>.</summary>
    public static void AssertMessage(Exception ex, params string[] parts)
    {
        foreach (string p in parts) Assert.Contains(p, ex.Message);
    }
}
