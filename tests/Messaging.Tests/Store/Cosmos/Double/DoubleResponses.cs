using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Messaging.Functions.Storage.Cosmos;
using Microsoft.Azure.Cosmos;

namespace Messaging.Tests.Store.Cosmos.Double;

/// <summary>The SDK's response types as the double answers them (their protected constructors exist for this).</summary>
internal static class DoubleResponses
{
    public const string RetryAfterHeader = "x-ms-retry-after-ms";

    public static Headers HeadersOf(ItemOutcome outcome)
    {
        var headers = new Headers { ["x-ms-activity-id"] = Guid.NewGuid().ToString(), ["x-ms-request-charge"] = "1" };
        if (outcome.Item is { } item)
        {
            headers["etag"] = item.ETag;
        }

        if (outcome.RetryAfter is { } retryAfter)
        {
            headers[RetryAfterHeader] = ((long)retryAfter.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);
        }

        return headers;
    }

    /// <summary>What a typed call throws when the operation failed: a CosmosException carrying the status and Retry-After.</summary>
    public static CosmosException Exception(ItemOutcome outcome) => new DoubleCosmosException(outcome);

    public static ResponseMessage Message(ItemOutcome outcome, bool withContent)
    {
        var message = new DoubleResponseMessage(outcome);
        var headers = HeadersOf(outcome);
        foreach (var name in headers.AllKeys())
        {
            message.Headers[name] = headers[name];
        }

        if (outcome.Item is { } item)
        {
            message.Headers["etag"] = item.ETag;
            if (withContent)
            {
                message.Content = new MemoryStream(JsonSerializer.SerializeToUtf8Bytes(item.Body));
            }
        }

        return message;
    }

    public static T? Deserialize<T>(JsonNode? node) => node is null ? default : node.Deserialize<T>(CosmosJson.Options);
}

/// <summary>
/// The SDK fills CosmosException.RetryAfter from its internal header store, which a public Headers
/// instance does not reach; the double answers it through the virtual property instead.
/// </summary>
internal sealed class DoubleCosmosException(ItemOutcome outcome)
    : CosmosException(outcome.Error ?? outcome.Status.ToString(), outcome.Status, 0, Guid.NewGuid().ToString(), 1)
{
    public override TimeSpan? RetryAfter => outcome.RetryAfter;
}

/// <summary>A stream response whose EnsureSuccessStatusCode throws what a typed call would (Retry-After included).</summary>
internal sealed class DoubleResponseMessage(ItemOutcome outcome)
    : ResponseMessage(outcome.Status, requestMessage: null, errorMessage: outcome.IsSuccess ? null : outcome.Error ?? outcome.Status.ToString())
{
    public override ResponseMessage EnsureSuccessStatusCode() => outcome.IsSuccess ? this : throw new DoubleCosmosException(outcome);
}

internal sealed class DoubleItemResponse<T>(ItemOutcome outcome, bool withResource) : ItemResponse<T>
{
    public override Headers Headers { get; } = DoubleResponses.HeadersOf(outcome);

    public override T Resource { get; } = withResource && outcome.Item is { } item ? DoubleResponses.Deserialize<T>(item.Body)! : default!;

    public override HttpStatusCode StatusCode => outcome.Status;

    public override double RequestCharge => 1;

    public override string ActivityId => Headers.ActivityId;

    public override string ETag => outcome.Item?.ETag!;

    public override CosmosDiagnostics Diagnostics => null!;
}

internal sealed class DoubleFeedResponse<T>(IReadOnlyList<T> items, string? continuation) : FeedResponse<T>
{
    public override Headers Headers { get; } = new();

    public override IEnumerable<T> Resource => items;

    public override HttpStatusCode StatusCode => HttpStatusCode.OK;

    public override double RequestCharge => 1;

    public override string ActivityId => "";

    public override string ETag => null!;

    public override CosmosDiagnostics Diagnostics => null!;

    public override string ContinuationToken => continuation!;

    public override int Count => items.Count;

    public override string IndexMetrics => null!;

    public override IEnumerator<T> GetEnumerator() => items.GetEnumerator();
}

/// <summary>A query's pages: evaluated on the first read (where faults apply), then served MaxItemCount at a time.</summary>
internal sealed class DoubleFeedIterator<T>(Func<CancellationToken, Task<IReadOnlyList<JsonNode?>>> evaluate, int? pageSize) : FeedIterator<T>
{
    private IReadOnlyList<JsonNode?>? _results;
    private int _next;

    public override bool HasMoreResults => _results is null || _next < _results.Count;

    public override async Task<FeedResponse<T>> ReadNextAsync(CancellationToken cancellationToken = default)
    {
        _results ??= await evaluate(cancellationToken);
        var size = pageSize is > 0 ? pageSize.Value : int.MaxValue;
        var page = _results.Skip(_next).Take(size).Select(DoubleResponses.Deserialize<T>).ToList();
        _next += page.Count;
        return new DoubleFeedResponse<T>(page!, HasMoreResults ? _next.ToString(CultureInfo.InvariantCulture) : null);
    }
}

internal sealed class DoubleBatchOperationResult(ItemOutcome outcome, bool withContent) : TransactionalBatchOperationResult
{
    public override HttpStatusCode StatusCode => outcome.Status;

    public override bool IsSuccessStatusCode => outcome.IsSuccess;

    public override string ETag => outcome.Item?.ETag!;

    public override Stream ResourceStream => withContent && outcome.Item is { } item ? new MemoryStream(JsonSerializer.SerializeToUtf8Bytes(item.Body)) : null!;

    public override TimeSpan RetryAfter => outcome.RetryAfter ?? TimeSpan.Zero;
}

/// <summary>A batch's answer: the failing operation's status for the whole batch (200 when all succeeded).</summary>
internal sealed class DoubleBatchResponse(HttpStatusCode status, IReadOnlyList<ItemOutcome> outcomes, string? error, TimeSpan? retryAfter, IReadOnlyList<bool>? withContent = null)
    : TransactionalBatchResponse
{
    private readonly List<TransactionalBatchOperationResult> _results = [.. outcomes.Select((o, i) => new DoubleBatchOperationResult(o, withContent?[i] ?? false))];
    private readonly Headers _headers = new();

    public override HttpStatusCode StatusCode => status;

    public override bool IsSuccessStatusCode => (int)status is >= 200 and < 300;

    public override string ErrorMessage => error!;

    public override int Count => _results.Count;

    public override TransactionalBatchOperationResult this[int index] => _results[index];

    public override Headers Headers => _headers;

    public override string ActivityId => "";

    public override double RequestCharge => _results.Count;

    public override TimeSpan? RetryAfter => retryAfter;

    public override IEnumerator<TransactionalBatchOperationResult> GetEnumerator() => _results.GetEnumerator();

    protected override void Dispose(bool disposing)
    {
    }
}
