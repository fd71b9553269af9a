using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Text.Json;
using Messaging.Domain.Application;
using Messaging.Domain.Common;
using Messaging.Domain.Realtime;

namespace Messaging.Functions.Diagnostics;

/// <summary>
/// The application's own metrics (meter <c>Messaging</c>) and the span around each change's
/// publication (activity source <c>Messaging</c>). Measurements cost next to nothing when no
/// exporter listens (see <see cref="Telemetry"/>).
/// </summary>
public static class MessagingMetrics
{
    public const string MeterName = "Messaging";
    public const string ActivitySourceName = "Messaging";

    public const string MessagesSentName = "messaging.messages.sent";
    public const string EventsPublishedName = "messaging.events.published";
    public const string PublishDurationName = "messaging.publish.duration";
    public const string ChangeFeedLagName = "messaging.changefeed.lag";

    /// <summary>Tag of <see cref="EventsPublishedName"/>: the event name of docs/api.md.</summary>
    public const string EventNameTag = "messaging.event.name";

    /// <summary>Tag of the change metrics: <c>sqlite</c> (outbox) or <c>cosmos</c> (change feed).</summary>
    public const string StoreTag = "messaging.store";

    /// <summary>Tag of the change metrics: the kind of committed change (<c>MessageCreated</c>, ...).</summary>
    public const string ChangeKindTag = "messaging.change.kind";

    /// <summary>Tag of <see cref="MessagesSentName"/>: <c>http</c> (REST) or <c>realtime</c> (hub or upstream invocation).</summary>
    public const string ChannelTag = "messaging.channel";

    public const string Sqlite = "sqlite";
    public const string Cosmos = "cosmos";

    private static readonly Meter Meter = new(MeterName, typeof(MessagingMetrics).Assembly.GetName().Version?.ToString());

    internal static readonly ActivitySource ActivitySource = new(ActivitySourceName, typeof(MessagingMetrics).Assembly.GetName().Version?.ToString());

    private static readonly Counter<long> MessagesSent = Meter.CreateCounter<long>(
        MessagesSentName, "{message}", "Messages created (a repeated send with the same clientMessageId is not counted again).");

    private static readonly Counter<long> EventsPublished = Meter.CreateCounter<long>(
        EventsPublishedName, "{event}", "Real-time events handed to the publisher (one per call, whatever the audience).");

    private static readonly Histogram<double> PublishDuration = Meter.CreateHistogram<double>(
        PublishDurationName, "ms", "From a change's commit (outbox row or document timestamp) to the end of its publication.");

    private static readonly Histogram<double> ChangeFeedLag = Meter.CreateHistogram<double>(
        ChangeFeedLagName, "ms", "From a change's commit (outbox row or document timestamp) to the start of its handling.");

    /// <summary>Counts a send that created a message.</summary>
    public static void RecordSent<T>(Result<GetOrCreated<T>> sent, string channel)
    {
        if (sent.IsSuccess && sent.Value.Created)
        {
            MessagesSent.Add(1, new KeyValuePair<string, object?>(ChannelTag, channel));
        }
    }

    internal static void RecordPublished(string eventName) =>
        EventsPublished.Add(1, new KeyValuePair<string, object?>(EventNameTag, eventName));

    /// <summary>
    /// Starts the publication of one committed change: records the change feed lag now, and the
    /// publish duration when <see cref="ChangePublication.Succeeded"/> is called. Without a commit
    /// time (an outbox row written before the v3 schema) neither is recorded.
    /// </summary>
    public static ChangePublication StartPublication(string store, CommittedChange change, long? committedAtMs)
    {
        var kind = change.GetType().Name;
        var activity = ActivitySource.StartActivity($"publish {kind}", ActivityKind.Internal);
        activity?.SetTag(StoreTag, store);
        activity?.SetTag(ChangeKindTag, kind);
        activity?.SetTag("messaging.conversation.id", change.ConversationId);
        if (committedAtMs is { } committed)
        {
            var lag = Math.Max(0, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - committed);
            ChangeFeedLag.Record(lag, new KeyValuePair<string, object?>(StoreTag, store));
            activity?.SetTag("messaging.changefeed.lag_ms", lag);
        }

        return new ChangePublication(store, kind, committedAtMs, activity);
    }

    /// <summary>The server's record time of a Cosmos DB document (<c>_ts</c>, whole seconds), in Unix milliseconds.</summary>
    public static long? CosmosTimestampMs(JsonElement document) =>
        document.ValueKind == JsonValueKind.Object && document.TryGetProperty("_ts", out var ts) && ts.TryGetInt64(out var seconds) ? seconds * 1000 : null;

    /// <summary>One change being published; dispose it whatever happens.</summary>
    public sealed class ChangePublication(string store, string kind, long? committedAtMs, Activity? activity) : IDisposable
    {
        private bool _succeeded;

        public void Succeeded()
        {
            _succeeded = true;
            if (committedAtMs is { } committed)
            {
                PublishDuration.Record(
                    Math.Max(0, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - committed),
                    new KeyValuePair<string, object?>(StoreTag, store),
                    new KeyValuePair<string, object?>(ChangeKindTag, kind));
            }
        }

        public void Dispose()
        {
            if (activity is not null)
            {
                if (!_succeeded)
                {
                    activity.SetStatus(ActivityStatusCode.Error, "The change was dropped after repeated failures.");
                }

                activity.Dispose();
            }
        }
    }
}
