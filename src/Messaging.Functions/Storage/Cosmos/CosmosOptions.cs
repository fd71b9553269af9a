using System.Globalization;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.Configuration;

namespace Messaging.Functions.Storage.Cosmos;

/// <summary>The <c>CosmosDb:*</c> settings. Cosmos DB is the store when a connection string or an endpoint is set.</summary>
public sealed class CosmosOptions
{
    /// <summary>250 ms: near-real-time events; an empty poll is one small request per lease (see docs/cosmos-data-model.md for its RU cost).</summary>
    public const int DefaultPollIntervalMs = 250;

    /// <summary>
    /// Lease timings (<c>WithLeaseConfiguration</c>). The SDK's defaults are renew 17 s, acquire 13 s,
    /// expiry 60 s (ChangeFeedLeaseOptions.cs in github.com/Azure/azure-cosmos-dotnet-v3): a crashed
    /// instance's leases would wait up to 73 s for another one. Here a lease is renewed every 5 s,
    /// expires 20 s after its last renewal, and every instance looks for free or expired leases every
    /// 5 s: a lease released on a graceful stop is taken within 5 s, one of a crashed instance within
    /// 25 s. See docs/decisions/0007-hosted-change-feed-processor.md.
    /// </summary>
    public static readonly TimeSpan DefaultLeaseRenewInterval = TimeSpan.FromSeconds(5);

    public static readonly TimeSpan DefaultLeaseAcquireInterval = TimeSpan.FromSeconds(5);

    public static readonly TimeSpan DefaultLeaseExpirationInterval = TimeSpan.FromSeconds(20);

    /// <summary>The longest wait between two attempts to start the change feed processors.</summary>
    public static readonly TimeSpan DefaultStartRetryMaxDelay = TimeSpan.FromSeconds(30);

    /// <summary>How long a dead-letter record stays in the lease container.</summary>
    public static readonly TimeSpan DefaultDeadLetterTimeToLive = TimeSpan.FromDays(14);

    /// <summary>
    /// How long a change whose fan-out keeps failing transiently (SignalR or Cosmos DB unavailable) is
    /// retried, holding its conversation's place in the batch, before it is dead-lettered.
    /// </summary>
    public static readonly TimeSpan DefaultFanOutRetryBudget = TimeSpan.FromSeconds(60);

    public string? ConnectionString { get; init; }

    /// <summary>Account endpoint used with <c>DefaultAzureCredential</c> (managed identity).</summary>
    public string? Endpoint { get; init; }

    /// <summary>User-assigned managed identity to use with <see cref="Endpoint"/> (from <c>AZURE_CLIENT_ID</c>).</summary>
    public string? ManagedIdentityClientId { get; init; }

    public string Database { get; init; } = "messaging";

    public string LeaseContainer { get; init; } = "leases";

    public TimeSpan ChangeFeedPollInterval { get; init; } = TimeSpan.FromMilliseconds(DefaultPollIntervalMs);

    public TimeSpan LeaseRenewInterval { get; init; } = DefaultLeaseRenewInterval;

    public TimeSpan LeaseAcquireInterval { get; init; } = DefaultLeaseAcquireInterval;

    public TimeSpan LeaseExpirationInterval { get; init; } = DefaultLeaseExpirationInterval;

    /// <summary>The first wait after a failed start; it doubles per attempt (±20 % jitter) up to <see cref="StartRetryMaxDelay"/>.</summary>
    public TimeSpan StartRetryInitialDelay { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan StartRetryMaxDelay { get; init; } = DefaultStartRetryMaxDelay;

    public TimeSpan DeadLetterTimeToLive { get; init; } = DefaultDeadLetterTimeToLive;

    public TimeSpan FanOutRetryBudget { get; init; } = DefaultFanOutRetryBudget;

    /// <summary>The first wait between two rounds of fan-out retries; it doubles up to 10 s.</summary>
    public TimeSpan FanOutRetryInitialDelay { get; init; } = TimeSpan.FromSeconds(1);

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

        var options = new CosmosOptions
        {
            ConnectionString = connectionString,
            Endpoint = endpoint,
            ManagedIdentityClientId = NullIfEmpty(configuration["AZURE_CLIENT_ID"]),
            Database = NullIfEmpty(section["Database"]) ?? "messaging",
            LeaseContainer = NullIfEmpty(section["LeaseContainer"]) ?? "leases",
            ChangeFeedPollInterval = TimeSpan.FromMilliseconds(pollMs),
            CreateIfNotExists = bool.TryParse(section["CreateIfNotExists"], out var create) && create,
            ConnectionMode = ParseConnectionMode(NullIfEmpty(section["ConnectionMode"])),
            LeaseRenewInterval = Seconds(section, "LeaseRenewIntervalSeconds", DefaultLeaseRenewInterval),
            LeaseAcquireInterval = Seconds(section, "LeaseAcquireIntervalSeconds", DefaultLeaseAcquireInterval),
            LeaseExpirationInterval = Seconds(section, "LeaseExpirationIntervalSeconds", DefaultLeaseExpirationInterval),
            StartRetryMaxDelay = Seconds(section, "StartRetryMaxDelaySeconds", DefaultStartRetryMaxDelay),
            DeadLetterTimeToLive = Seconds(section, "DeadLetterTtlSeconds", DefaultDeadLetterTimeToLive),
            FanOutRetryBudget = Seconds(section, "FanOutRetryBudgetSeconds", DefaultFanOutRetryBudget),
        };
        options.Validate();
        return options;
    }

    /// <summary>
    /// Throws when the change feed settings cannot work: a lease must survive at least one missed
    /// renewal (expiry ≥ 2 × renew), and an instance must look for leases at least once per expiry.
    /// </summary>
    public void Validate()
    {
        Positive(LeaseRenewInterval, "LeaseRenewIntervalSeconds");
        Positive(LeaseAcquireInterval, "LeaseAcquireIntervalSeconds");
        Positive(LeaseExpirationInterval, "LeaseExpirationIntervalSeconds");
        Positive(StartRetryInitialDelay, "StartRetryInitialDelay");
        Positive(StartRetryMaxDelay, "StartRetryMaxDelaySeconds");
        if (LeaseExpirationInterval < 2 * LeaseRenewInterval)
        {
            throw new InvalidOperationException("CosmosDb:LeaseExpirationIntervalSeconds must be at least twice CosmosDb:LeaseRenewIntervalSeconds, so that one missed renewal does not lose the lease.");
        }

        if (LeaseAcquireInterval > LeaseExpirationInterval)
        {
            throw new InvalidOperationException("CosmosDb:LeaseAcquireIntervalSeconds must not exceed CosmosDb:LeaseExpirationIntervalSeconds.");
        }

        if (StartRetryMaxDelay < StartRetryInitialDelay)
        {
            throw new InvalidOperationException("CosmosDb:StartRetryMaxDelaySeconds must not be shorter than the first retry delay.");
        }

        // A TTL is a whole number of seconds, at least 1 (https://learn.microsoft.com/azure/cosmos-db/nosql/time-to-live).
        if (DeadLetterTimeToLive < TimeSpan.FromSeconds(1) || DeadLetterTimeToLive.TotalSeconds > int.MaxValue)
        {
            throw new InvalidOperationException("CosmosDb:DeadLetterTtlSeconds must be between 1 and 2147483647 seconds.");
        }

        Positive(FanOutRetryBudget, "FanOutRetryBudgetSeconds");
        Positive(FanOutRetryInitialDelay, "FanOutRetryInitialDelay");
    }

    private static void Positive(TimeSpan value, string name)
    {
        if (value <= TimeSpan.Zero)
        {
            throw new InvalidOperationException($"CosmosDb:{name} must be positive.");
        }
    }

    private static TimeSpan Seconds(IConfiguration section, string key, TimeSpan fallback) =>
        NullIfEmpty(section[key]) is { } value
            ? double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && double.IsFinite(seconds) && seconds > 0 && seconds <= int.MaxValue
                ? TimeSpan.FromSeconds(seconds)
                : throw new InvalidOperationException($"CosmosDb:{key} must be a positive number of seconds.")
            : fallback;

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
