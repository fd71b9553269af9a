using System.Globalization;
using Microsoft.Azure.Cosmos;
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

    /// <summary><c>Direct</c> (the SDK default) or <c>Gateway</c> (HTTPS only: what the emulator in a container needs).</summary>
    public ConnectionMode ConnectionMode { get; init; } = ConnectionMode.Direct;

    /// <summary>
    /// Whether the emulator's self-signed certificate is accepted: only for a connection string that
    /// carries the emulator's published key and points at a loopback address, never for an account.
    /// </summary>
    public bool AllowsEmulatorCertificate =>
        ConnectionString is { } connectionString
        && connectionString.Contains(EmulatorAccountKey, StringComparison.Ordinal)
        && EndpointOf(connectionString) is { IsLoopback: true };

    /// <summary>The Azure Cosmos DB emulator's well-known key (published in its documentation; it authorizes nothing else).</summary>
    public const string EmulatorAccountKey = "C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw==";

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
            ConnectionMode = ParseConnectionMode(NullIfEmpty(section["ConnectionMode"])),
        };
    }

    public static ConnectionMode ParseConnectionMode(string? value) =>
        value is null ? ConnectionMode.Direct
        : Enum.TryParse<ConnectionMode>(value, ignoreCase: true, out var mode) && Enum.IsDefined(mode) ? mode
        : throw new InvalidOperationException("CosmosDb:ConnectionMode must be Direct or Gateway.");

    private static Uri? EndpointOf(string connectionString)
    {
        foreach (var part in connectionString.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (part.StartsWith("AccountEndpoint=", StringComparison.OrdinalIgnoreCase)
                && Uri.TryCreate(part["AccountEndpoint=".Length..], UriKind.Absolute, out var endpoint))
            {
                return endpoint;
            }
        }

        return null;
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
