using System.Reflection;
using System.Text.Json;
using Messaging.Domain.Realtime;
using Messaging.Functions.Hosting;
using Messaging.Functions.Realtime;
using Messaging.Tests.Support;
using Microsoft.AspNetCore.SignalR;

namespace Messaging.Tests.Api;

/// <summary>docs/api.md, the repository's API contract, against the code: routes, event names, hub methods and settings.</summary>
public sealed class ApiDocumentationTests
{
    private const string ApiDocumentPath = "docs/api.md";
    private const string RouteTableHeading = "## Routes";
    private const string RoutePrefix = "/api/";

    private static string ApiDocument() => File.ReadAllText(Path.Combine(Repository.Root, ApiDocumentPath));

    /// <summary>The function routes as <c>METHOD route</c>, without the preflight <c>OPTIONS</c>.</summary>
    private static IEnumerable<string> FunctionRoutes() =>
        FunctionRouteTable.All.SelectMany(route => route.Methods
            .Where(method => !method.Equals("options", StringComparison.OrdinalIgnoreCase))
            .Select(method => $"{method.ToUpperInvariant()} {route.Route.Trim('/')}"));

    /// <summary>The rows of the document's route table as <c>METHOD route</c>: the path without <c>/api/</c> and its trailing slash.</summary>
    private static List<string> DocumentedRoutes(string markdown)
    {
        var table = MarkdownTable.FirstAfterHeading(markdown, RouteTableHeading);
        return [.. table.Column("method").Zip(table.Column("path"), (method, path) =>
        {
            var bare = path.Trim('`', ' ');
            Assert.StartsWith(RoutePrefix, bare, StringComparison.Ordinal);
            return $"{method.Trim().ToUpperInvariant()} {bare[RoutePrefix.Length..].Trim('/')}";
        })];
    }

    private static List<string> NotMentioned(string markdown, IEnumerable<string> names) =>
        [.. names.Where(name => !markdown.Contains($"`{name}`", StringComparison.Ordinal))];

    [Fact]
    public void Route_table_of_the_api_document_lists_exactly_the_function_routes()
    {
        Assert.Equal(FunctionRoutes().Order(), DocumentedRoutes(ApiDocument()).Order());
    }

    [Fact]
    public void Route_table_check_notices_a_route_missing_from_the_document()
    {
        var markdown = ApiDocument();
        var negotiateRow = markdown.ReplaceLineEndings("\n").Split('\n')
            .Single(line => line.StartsWith("| POST | `/api/messaging/negotiate`", StringComparison.Ordinal));

        var withoutRow = markdown.Replace(negotiateRow + "\n", "", StringComparison.Ordinal);

        Assert.NotEqual(FunctionRoutes().Order(), DocumentedRoutes(withoutRow).Order());
    }

    [Fact]
    public void Every_event_name_is_described_in_the_api_document()
    {
        var eventNames = typeof(EventNames).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(field => field.IsLiteral && field.FieldType == typeof(string))
            .Select(field => (string)field.GetRawConstantValue()!)
            .ToList();

        Assert.NotEmpty(eventNames);
        Assert.Empty(NotMentioned(ApiDocument(), eventNames));
    }

    [Fact]
    public void Every_hub_method_is_described_in_the_api_document()
    {
        var hubMethods = typeof(MessagingHub).GetMethods()
            .Select(method => method.GetCustomAttribute<HubMethodNameAttribute>()?.Name)
            .OfType<string>()
            .Concat(HubMethods.All)
            .Distinct(StringComparer.Ordinal)
            .ToList();

        Assert.NotEmpty(hubMethods);
        Assert.Empty(NotMentioned(ApiDocument(), hubMethods));
    }

    [Fact]
    public void Every_setting_of_the_sample_settings_is_described_in_the_api_document()
    {
        using var sample = JsonDocument.Parse(File.ReadAllText(Path.Combine(Repository.Root, "local.settings.sample.json")));
        var settings = sample.RootElement.GetProperty("Values").EnumerateObject().Select(setting => setting.Name).ToList();

        Assert.NotEmpty(settings);
        Assert.Empty(NotMentioned(ApiDocument(), settings));
    }
}
