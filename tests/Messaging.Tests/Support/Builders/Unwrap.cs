using Messaging.Domain.Common;

namespace Messaging.Tests.Support.Builders;

public static class Unwrap
{
    public static T Ok<T>(this Result<T> result)
    {
        Assert.True(result.IsSuccess, result.Error?.Detail);
        return result.Value;
    }

    public static void Ok(this Outcome outcome) => Assert.True(outcome.IsSuccess, outcome.Error?.Detail);

    public static Error Failed<T>(this Result<T> result, ErrorKind kind)
    {
        Assert.False(result.IsSuccess, "Expected an error but the result succeeded.");
        Assert.Equal(kind, result.Error.Kind);
        return result.Error;
    }

    public static Error Failed(this Outcome outcome, ErrorKind kind)
    {
        Assert.False(outcome.IsSuccess, "Expected an error but the outcome succeeded.");
        Assert.Equal(kind, outcome.Error.Kind);
        return outcome.Error;
    }
}
