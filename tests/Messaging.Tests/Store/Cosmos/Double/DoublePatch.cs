using System.Text.Json;
using System.Text.Json.Nodes;
using Messaging.Functions.Storage.Cosmos;
using Microsoft.Azure.Cosmos;

namespace Messaging.Tests.Store.Cosmos.Double;

/// <summary>
/// Patch operations on a JSON body (https://learn.microsoft.com/azure/cosmos-db/partial-document-update):
/// Set/Add create or overwrite a property, Replace and Remove need it to exist, Increment needs a number.
/// </summary>
public static class DoublePatch
{
    public static bool Apply(JsonObject body, PatchOperation operation)
    {
        var segments = operation.Path.Trim('/').Split('/').Select(s => s.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal)).ToArray();
        if (segments is [] || segments[0].Length == 0 || segments[0] == "id")
        {
            return false;
        }

        JsonObject parent = body;
        foreach (var segment in segments[..^1])
        {
            if (parent[segment] is not JsonObject child)
            {
                return false;
            }

            parent = child;
        }

        var name = segments[^1];
        switch (operation.OperationType)
        {
            case PatchOperationType.Set:
            case PatchOperationType.Add:
                parent[name] = ValueOf(operation);
                return true;
            case PatchOperationType.Replace:
                if (!parent.ContainsKey(name))
                {
                    return false;
                }

                parent[name] = ValueOf(operation);
                return true;
            case PatchOperationType.Remove:
                return parent.Remove(name);
            case PatchOperationType.Increment:
                if (parent[name] is not JsonValue current || current.GetValueKind() != JsonValueKind.Number || ValueOf(operation) is not JsonValue by)
                {
                    return false;
                }

                parent[name] = Number(current) + Number(by);
                return true;
            default:
                throw new NotSupportedException($"The Cosmos DB double does not model the patch operation {operation.OperationType}.");
        }
    }

    private static double Number(JsonValue value) => (double)Sql.CosmosSqlEvaluator.FromNode(value)!;

    // PatchOperation<T>.Value is public but generic: read it without knowing T.
    private static JsonNode? ValueOf(PatchOperation operation) =>
        JsonSerializer.SerializeToNode(operation.GetType().GetProperty("Value")?.GetValue(operation), CosmosJson.Options);
}
