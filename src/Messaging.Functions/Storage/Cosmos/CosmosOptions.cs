using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace Messaging.Functions.Storage.Cosmos;

/// <summary>The <c>CosmosDb:*</c> settings. Cosmos DB is the store when a connection string or an endpoint is set.</summary>
public sealed class CosmosOptions
{
    /// <summary>250 ms: near-real-time events; an empty poll is one small request per lease (see docs/cosmos-data-model.md for its RU cost).</summary>
    public const int DefaultPollIntervalMs = 250;

    public string? ConnectionString { get; init; }

    /// <summary>Account endpoint used with <c>DefaultAzureCredential</c> (managed identity).</summary>
    public string? Endpoint { get; init; }

    /// <summary>User-assigned managed identity to use with <see cref="Endpoint"/> (from <c>AZURE_CLIENT_ID</c>).</summary>
    public string? ManagedIdentityClientId { get; init; }

    public string Database { get; init; } = "messaging";

    public string LeaseContainer { get; init; } = "leases";

    public TimeSpan ChangeFeedPollInterval { get; init; } = TimeSpan.FromMilliseconds(DefaultPollIntervalMs);

    /// <summary>Create the database and containers at start-up (local emulator only; in Azure the infrastructure creates them).</summary>
    public bool CreateIfNotExists { get; init; }

    /// <summary>Reads the settings; null when neither a connection string nor an endpoint is configured.</summary>
    public static CosmosOptions? FromConfiguration(IConfiguration configuration)
    {
        var section = configuration.GetSection("CosmosDb");
        var connectionString = NullIfEmpty(section["ConnectionString"]);
        var endpoint = NullIfEmpty(section["Endpoint"]);
        if (connectionString is null && endpoint is null)
        {
            return null;
        }

        var pollMs = NullIfEmpty(section["ChangeFeedPollIntervalMs"]) is { } poll
            ? int.Parse(poll, NumberStyles.Integer, CultureInfo.InvariantCulture)
            : DefaultPollIntervalMs;
        if (pollMs < 1)
        {
            throw new InvalidOperationException("CosmosDb:ChangeFeedPollIntervalMs must be a positive number of milliseconds.");
        }

        return new CosmosOptions
        {
            ConnectionString = connectionString,
            Endpoint = endpoint,
            ManagedIdentityClientId = NullIfEmpty(configuration["AZURE_CLIENT_ID"]),
            Database = NullIfEmpty(section["Database"]) ?? "messaging",
            LeaseContainer = NullIfEmpty(section["LeaseContainer"]) ?? "leases",
            ChangeFeedPollInterval = TimeSpan.FromMilliseconds(pollMs),
            CreateIfNotExists = bool.TryParse(section["CreateIfNotExists"], out var create) && create,
        };
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
