using Messaging.Domain.Common;
using Messaging.Functions.Http;

namespace Messaging.Tests.Architecture;

/// <summary>The layering rules of the README's "Layout": what each layer may not use.</summary>
public static class Layers
{
    public static readonly IReadOnlyList<LayeringRule> Rules =
    [
        new(
            "The domain uses no ASP.NET Core, Azure or Functions types",
            typeof(Error).Assembly,
            "Messaging.Domain",
            ["Microsoft.AspNetCore", "Azure", "Microsoft.Azure", "Messaging.Functions"]),
        new(
            "Storage adapters use neither the hosts nor the HTTP functions",
            typeof(ApiResults).Assembly,
            "Messaging.Functions.Storage",
            ["Messaging.Functions.Hosting", "Messaging.Functions.Endpoints", "Microsoft.Azure.Functions"]),
        new(
            "Real time uses neither the HTTP functions nor the hosts",
            typeof(ApiResults).Assembly,
            "Messaging.Functions.Realtime",
            ["Messaging.Functions.Endpoints", "Messaging.Functions.Hosting", "Microsoft.Azure.Functions"]),
    ];

    public static LayeringRule Named(string name) => Rules.Single(rule => rule.Name == name);

    public static TheoryData<string> Names() => [.. Rules.Select(rule => rule.Name)];
}
