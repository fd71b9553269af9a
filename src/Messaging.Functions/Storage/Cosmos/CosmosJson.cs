using System.Text.Json;
using System.Text.Json.Serialization;

namespace Messaging.Functions.Storage.Cosmos;

/// <summary>
/// The documents of the Cosmos DB store (docs/cosmos-data-model.md). Timestamps are Unix
/// milliseconds (numbers sort and compare in queries); every document carries a <c>type</c>.
/// </summary>
internal static class CosmosJson
{
    /// <summary>The serializer of the CosmosClient and of the change feed mapping: camelCase, nulls written (queries test <c>= null</c>).</summary>
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    public static long Ms(DateTimeOffset value) => value.ToUnixTimeMilliseconds();

    public static long? Ms(DateTimeOffset? value) => value?.ToUnixTimeMilliseconds();

    public static DateTimeOffset Time(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);

    public static DateTimeOffset? Time(long? ms) => ms is { } v ? DateTimeOffset.FromUnixTimeMilliseconds(v) : null;
}
