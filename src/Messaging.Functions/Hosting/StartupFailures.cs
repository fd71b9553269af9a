using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Options;

namespace Messaging.Functions.Hosting;

/// <summary>
/// A mistake in how the server was started or configured, told in one line the operator can act on:
/// no stack trace. Derives from <see cref="InvalidOperationException"/>, as the option checks it replaces.
/// </summary>
public sealed class StartupException : InvalidOperationException
{
    public StartupException(string message)
        : base(message)
    {
    }

    public StartupException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>
/// Runs a host and turns a startup mistake into one line on stderr and exit code 1. Anything else
/// is a bug and keeps its stack trace.
/// </summary>
public static class StartupFailures
{
    public const int ExitCode = 1;

    public static async Task<int> RunAsync(Func<Task> run, TextWriter error)
    {
        try
        {
            await run();
            return 0;
        }
        catch (Exception exception) when (Describe(exception) is { } line)
        {
            await error.WriteLineAsync($"messaging: {line}");
            return ExitCode;
        }
    }

    public static int Run(Action run, TextWriter error)
    {
        try
        {
            run();
            return 0;
        }
        catch (Exception exception) when (Describe(exception) is { } line)
        {
            error.WriteLine($"messaging: {line}");
            return ExitCode;
        }
    }

    /// <summary>The one line for a startup mistake; null for anything else.</summary>
    public static string? Describe(Exception exception) => exception switch
    {
        StartupException mistake => OneLine(mistake.Message),
        // Kestrel: "Failed to bind to address http://127.0.0.1:7071: address already in use."
        IOException { InnerException: AddressInUseException } bind =>
            OneLine($"{bind.Message} Another process listens there (another copy of this server?): stop it, or choose another address, e.g. --urls http://localhost:7072"),
        // ValidateOnStart: the failures name their settings.
        OptionsValidationException invalid => OneLine(invalid.Message),
        AggregateException { InnerExceptions.Count: > 0 } all when all.InnerExceptions.Select(Describe).ToList() is var lines && lines.All(l => l is not null) =>
            string.Join(" ", lines),
        _ => null,
    };

    private static string OneLine(string text) => text.ReplaceLineEndings(" ");
}
