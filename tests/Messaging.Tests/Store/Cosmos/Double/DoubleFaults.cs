using System.Net;

namespace Messaging.Tests.Store.Cosmos.Double;

/// <summary>The kinds of request the double can be told to fail.</summary>
public enum CosmosOperation
{
    Create,
    Read,
    Replace,
    Upsert,
    Delete,
    Patch,
    ReadMany,
    Batch,
    Query,
}

/// <summary>A failure the double answers instead of doing the operation.</summary>
public abstract record CosmosFault
{
    /// <summary>
    /// 429 with <c>x-ms-retry-after-ms</c>. A real CosmosClient retries 429s itself (9 times, 30 s by
    /// default: CosmosClientOptions.MaxRetryAttemptsOnRateLimitedRequests) and surfaces the 429 only
    /// when those retries are spent; the double answers the 429 directly, i.e. it plays the request
    /// whose retries ran out (https://learn.microsoft.com/azure/cosmos-db/nosql/troubleshoot-request-rate-too-large).
    /// Typed calls throw a CosmosException (StatusCode 429, RetryAfter); stream calls and batches answer the status.
    /// </summary>
    public sealed record Throttled(TimeSpan RetryAfter) : CosmosFault;

    /// <summary>503: the service is unavailable (https://learn.microsoft.com/rest/api/cosmos-db/http-status-codes-for-cosmosdb).</summary>
    public sealed record Unavailable : CosmosFault;

    /// <summary>408: the request did not complete in time on the service.</summary>
    public sealed record RequestTimeout : CosmosFault;

    /// <summary>The call hangs until its cancellation token fires (a client-side timeout), then throws OperationCanceledException.</summary>
    public sealed record Hang : CosmosFault;

    /// <summary>The call is cancelled at once (OperationCanceledException).</summary>
    public sealed record Cancelled : CosmosFault;

    /// <summary>
    /// The write commits on the service but its answer never reaches the client (the client's timeout or
    /// cancellation fires first): the caller gets an OperationCanceledException although the write happened.
    /// The SDKs do not retry such writes because "it's not possible to know if the write was processed"
    /// (https://learn.microsoft.com/azure/cosmos-db/nosql/conceptual-resilient-sdk-applications, timeouts and connectivity failures).
    /// Modelled for point operations and batches.
    /// </summary>
    public sealed record LostResponse : CosmosFault;

    /// <summary>Another writer acts first: the action runs, then the call proceeds normally (a race made deterministic).</summary>
    public sealed record Interleave(Func<Task> Action) : CosmosFault;

    public HttpStatusCode? Status => this switch
    {
        Throttled => (HttpStatusCode)429,
        Unavailable => HttpStatusCode.ServiceUnavailable,
        RequestTimeout => HttpStatusCode.RequestTimeout,
        _ => null,
    };
}

/// <summary>Faults injected on demand: by operation kind, after a number of calls of that kind, for a number of calls.</summary>
public sealed class DoubleFaults
{
    private readonly Lock _gate = new();
    private readonly List<Rule> _rules = [];

    /// <summary>The next <paramref name="times"/> calls of <paramref name="operation"/>, after <paramref name="skip"/> more that succeed, answer <paramref name="fault"/>.</summary>
    public void Inject(CosmosOperation operation, CosmosFault fault, int times = 1, int skip = 0)
    {
        lock (_gate)
        {
            _rules.Add(new Rule(operation, fault, times, skip));
        }
    }

    public void Clear()
    {
        lock (_gate)
        {
            _rules.Clear();
        }
    }

    /// <summary>Counts the call against the rules; the fault to answer, if one applies.</summary>
    public CosmosFault? Next(CosmosOperation operation)
    {
        lock (_gate)
        {
            CosmosFault? fault = null;
            foreach (var rule in _rules.Where(r => r.Operation == operation))
            {
                if (rule.Skip > 0)
                {
                    rule.Skip--;
                }
                else if (rule.Times > 0 && fault is null)
                {
                    rule.Times--;
                    fault = rule.Fault;
                }
            }

            _rules.RemoveAll(r => r.Times == 0);
            return fault;
        }
    }

    private sealed class Rule(CosmosOperation operation, CosmosFault fault, int times, int skip)
    {
        public CosmosOperation Operation { get; } = operation;

        public CosmosFault Fault { get; } = fault;

        public int Times { get; set; } = times;

        public int Skip { get; set; } = skip;
    }
}
