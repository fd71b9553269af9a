using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Azure.Cosmos;

namespace Messaging.Functions.Storage.Cosmos;

/// <summary>Where in the handling of a change feed record it failed.</summary>
public enum DeadLetterStage
{
    /// <summary>The mapper threw on the document (always poison).</summary>
    Mapping,

    /// <summary>The fan-out threw a failure that is not transient (<see cref="ChangeFailureRule"/>).</summary>
    FanOut,

    /// <summary>The fan-out kept failing transiently for longer than <see cref="CosmosOptions.FanOutRetryBudget"/>.</summary>
    FanOutRetriesExhausted,
}

/// <summary>One record the change feed could not handle; <paramref name="ChangeKind"/> is null when mapping failed.</summary>
public sealed record DeadLetter(
    string LeaseToken, string Container, string DocumentId, string? DocumentLsn, DeadLetterStage Stage, string? ChangeKind, Exception Error);

/// <summary>Keeps dead letters; a write that fails throws, so that the batch is not checkpointed and comes again.</summary>
public interface IChangeDeadLetters
{
    /// <summary>Records the letter; returns the record's id.</summary>
    Task<string> WriteAsync(DeadLetter letter, CancellationToken cancellationToken);
}

/// <summary>
/// Dead letters as documents of the lease container (partition key <c>/id</c>), with a <c>ttl</c>:
/// the container every instance already writes, which the change feed processor only reads by its
/// own id prefix (the processor name, "fanout-…": DocumentServiceLeaseContainerCosmos.cs in
/// github.com/Azure/azure-cosmos-dotnet-v3 lists leases with <c>STARTSWITH(c.id, prefix)</c>), so
/// "deadletter." records never look like leases. The container has TTL on without a default
/// (<c>defaultTtl: -1</c>): leases never expire, dead letters after <see cref="CosmosOptions.DeadLetterTimeToLive"/>
/// (https://learn.microsoft.com/azure/cosmos-db/nosql/time-to-live). The document body is not copied:
/// it stays in its container (message text is not duplicated); the id and <c>_lsn</c> find it.
/// The record id is derived from (container, document id, _lsn, stage, change), so a batch delivered
/// again rewrites the same record instead of adding one.
/// </summary>
public sealed class CosmosDeadLetters(Container leases, TimeSpan timeToLive, TimeProvider time) : IChangeDeadLetters
{
    public const string IdPrefix = "deadletter.";
    public const string DocumentType = "changeFeedDeadLetter";
    private const int MaxErrorMessageLength = 512;

    public async Task<string> WriteAsync(DeadLetter letter, CancellationToken cancellationToken)
    {
        var id = IdOf(letter);
        var record = new DeadLetterRecord(
            id,
            DocumentType,
            letter.LeaseToken,
            letter.Container,
            letter.DocumentId,
            letter.DocumentLsn,
            letter.Stage.ToString(),
            letter.ChangeKind,
            letter.Error.GetType().FullName ?? letter.Error.GetType().Name,
            Truncate(letter.Error.Message),
            time.GetUtcNow().ToUnixTimeMilliseconds(),
            (int)timeToLive.TotalSeconds);
        using var body = new MemoryStream(JsonSerializer.SerializeToUtf8Bytes(record, CosmosJson.Options));
        using var response = await leases.UpsertItemStreamAsync(body, new PartitionKey(id), cancellationToken: cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new CosmosException(response.ErrorMessage ?? "Writing the dead letter failed.", response.StatusCode, 0, response.Headers.ActivityId, response.Headers.RequestCharge);
        }

        return id;
    }

    /// <summary>"deadletter.{container}.{hash}": ids allow no '/', '\', '?' or '#', and a document id may be anything.</summary>
    public static string IdOf(DeadLetter letter)
    {
        var key = string.Join('\n', letter.Container, letter.DocumentId, letter.DocumentLsn ?? "", letter.Stage.ToString(), letter.ChangeKind ?? "");
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..32];
        return $"{IdPrefix}{letter.Container}.{hash}";
    }

    private static string Truncate(string message) =>
        message.Length <= MaxErrorMessageLength ? message : message[..MaxErrorMessageLength];

    /// <summary>The stored record (camelCase, timestamps in Unix milliseconds like every document of the store).</summary>
    internal sealed record DeadLetterRecord(
        string Id,
        string Type,
        string LeaseToken,
        string Container,
        string DocumentId,
        string? DocumentLsn,
        string Stage,
        string? ChangeKind,
        string ErrorType,
        string ErrorMessage,
        long At,
        [property: JsonPropertyName("ttl")] int Ttl);
}
