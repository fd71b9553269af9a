using System.Text.Json;
using Messaging.Functions.Hosting;

namespace Messaging.Tests.Api;

/// <summary>The route table (the [HttpTrigger] attributes) against docs/api.md, functions.metadata and the OpenAPI document.</summary>
public sealed class RouteTableTests
{
    // The routes of docs/api.md's route table with their methods (ApiDocumentationTests holds the document to the same table).
    private static readonly string[] ContractRoutes =
    [
        "GET messaging/conversations", "POST messaging/conversations",
        "GET messaging/conversations/{id}", "DELETE messaging/conversations/{id}",
        "GET messaging/conversations/{id}/messages", "GET messaging/conversations/{id}/participants",
        "POST messaging/conversations/direct", "POST messaging/conversations/task",
        "POST messaging/conversations/{id}/add_participant", "POST messaging/conversations/{id}/remove_participant",
        "POST messaging/conversations/{id}/update_title", "PATCH messaging/conversations/{id}",
        "POST messaging/messages", "GET messaging/messages/{id}", "PATCH messaging/messages/{id}", "DELETE messaging/messages/{id}",
        "DELETE messaging/messages/{id}/delete", "POST messaging/messages/mark_as_read", "GET messaging/messages/unread_count",
        "GET messaging/messages/{id}/replies",
        "POST messaging/attachments", "GET messaging/attachments/{id}", "DELETE messaging/attachments/{id}", "DELETE messaging/attachments/{id}/delete",
        "GET messaging/files/{id}", "GET health", "GET openapi.json",
        "POST messaging/negotiate", "POST messaging/conversations/{id}/typing",
        "POST messaging/upstream/{hub}/{category}/{event}",
        "GET messaging/presence",
        "PUT messaging/messages/{id}/reactions/{reaction}", "DELETE messaging/messages/{id}/reactions/{reaction}",
    ];

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Messaging.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("Messaging.sln not found above the test folder.");
    }

    private static IEnumerable<string> Routes(IEnumerable<(string Route, IEnumerable<string> Methods)> table) =>
        table.SelectMany(r => r.Methods.Where(m => !m.Equals("options", StringComparison.OrdinalIgnoreCase)).Select(m => $"{m.ToUpperInvariant()} {r.Route.Trim('/')}"));

    [Fact]
    public void Route_table_has_exactly_the_contract_routes()
    {
        var routes = Routes(FunctionRouteTable.All.Select(r => (r.Route, (IEnumerable<string>)r.Methods)));
        Assert.Equal(ContractRoutes.Order(), routes.Order());
    }

    [Fact]
    public void Functions_metadata_emitted_by_the_build_lists_the_same_routes()
    {
        var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;
        var path = Path.Combine(RepositoryRoot(), "src", "Messaging.Functions", "bin", configuration, "net10.0", "functions.metadata");
        using var metadata = JsonDocument.Parse(File.ReadAllText(path));

        var table = metadata.RootElement.EnumerateArray()
            .Select(f => f.GetProperty("bindings").EnumerateArray().Single(b => b.GetProperty("type").GetString() == "httpTrigger"))
            .Select(b => (b.GetProperty("route").GetString()!, b.GetProperty("methods").EnumerateArray().Select(m => m.GetString()!)));
        Assert.Equal(ContractRoutes.Order(), Routes(table).Order());
    }

    [Fact]
    public void Every_route_answers_cors_preflight()
    {
        var preflighted = FunctionRouteTable.All.Where(r => r.Methods.Contains("OPTIONS")).Select(r => r.Route).ToHashSet();
        var needing = FunctionRouteTable.All.Where(r => !r.AllowsAnonymous).Select(r => r.Route).ToHashSet();
        Assert.Subset(preflighted, needing);
    }

    [Fact]
    public void OpenApi_document_describes_exactly_the_route_table()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepositoryRoot(), "src", "Messaging.Functions", "openapi.json")));
        Assert.StartsWith("3.1", document.RootElement.GetProperty("openapi").GetString(), StringComparison.Ordinal);
        var described = document.RootElement.GetProperty("paths").EnumerateObject()
            .SelectMany(path => path.Value.EnumerateObject()
                .Where(op => op.Name is "get" or "post" or "patch" or "put" or "delete")
                .Select(op => $"{op.Name.ToUpperInvariant()} {path.Name["/api/".Length..].Trim('/')}"));
        var routes = Routes(FunctionRouteTable.All.Select(r => (r.Route, (IEnumerable<string>)r.Methods)));
        Assert.Equal(routes.Order(), described.Order());
    }
}
