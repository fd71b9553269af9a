using System.Globalization;
using Messaging.Domain.Realtime;
using Messaging.Functions.Realtime.SignalRService;
using Messaging.Testing.SignalRService;

namespace Messaging.Bench;

/// <summary>
/// S7, the Azure fan-out: a synthetic change stream over 1,000 conversations of 5 and one of 1,000
/// feeds the real fan-out of one instance, which publishes to a fake Azure SignalR Service that
/// takes 5 ms per call (see docs/performance.md).
/// </summary>
internal static class AzureFanOutScenario
{
    private const int SmallConversations = 1000;
    private const int SmallMembers = 5;
    private const int LargeMembers = 1000;
    private const int BatchSize = 100;
    private const double TargetRate = 2000;
    private const double TargetP99Ms = 250;
    private const int WarmProbeSmall = 200;
    private const int WarmProbeLarge = 50;
    private static readonly TimeSpan ServiceLatency = TimeSpan.FromMilliseconds(5);
    private static readonly TimeSpan PhaseBudget = TimeSpan.FromSeconds(60);

    public static async Task<ScenarioResult> RunAsync(BenchOptions options)
    {
        var result = new ScenarioResult("S7", "Azure fan-out: change stream over 1,000 conversations of 5 and one of 1,000, real fan-out to a fake Azure SignalR Service");
        var capacityChanges = options.Quick ? 10_000 : 30_000;
        var openLoopSeconds = options.Quick ? 5 : 15;
        var concurrency = ChangeBatch.MaxConcurrentConversations;
        result.Settings["conversations"] = $"{Fmt.N(SmallConversations)} of {SmallMembers} members (4 seeded messages each) and 1 of {Fmt.N(LargeMembers)} (100 seeded messages), every member with a read watermark";
        result.Settings["stream"] = SyntheticChangeStream.Describe() + "; each change names seeded state, nothing is written during the run";
        result.Settings["feed"] = $"in memory, one reader takes up to {BatchSize} committed changes a batch and hands each batch to ChangeBatch.HandleAsync ({concurrency} conversations at once, in order within one) before the next";
        result.Settings["instance"] = "in process: SQLite store, ChangeFanOut, AzureSignalRPublisher over loopback HTTP (REST v1), as AddMessaging wires the Functions host";
        result.Settings["service"] = $"FakeSignalRService (tests/Messaging.Testing), {ServiceLatency.TotalMilliseconds} ms added to every call, JWT and body checked, same process";
        result.Settings["capacity phase"] = $"{Fmt.N(capacityChanges)} changes committed at once, read as fast as the fan-out goes";
        result.Settings["latency phase"] = $"open loop, {Fmt.N(TargetRate)} changes/s for {openLoopSeconds} s, commit time = due time";

        var data = ServerHost.NewDataPath("s7");
        await using var world = await AzureFanOutWorld.StartAsync(data, ServiceLatency);
        var stream = Seed(world.DatabasePath);
        var calls = world.Service.Calls;
        SyntheticChangeFeed Feed(Samples? acceptance = null, Samples? largeAcceptance = null) =>
            new(BatchSize, batch => world.HandleBatchAsync(batch, stream.Large.Id, acceptance, largeAcceptance));

        // Cold: the first message after a group is created fills it from the committed participants.
        var before = calls.Snapshot();
        var coldSmall = await Feed().DrainAsync(stream.OneMessageEach(stream.Small), PhaseBudget);
        var coldSmallCalls = Delta(before, calls.Snapshot());
        before = calls.Snapshot();
        var coldLarge = await Feed().DrainAsync(stream.OneMessageEach([stream.Large]), PhaseBudget);
        var coldLargeCalls = Delta(before, calls.Snapshot());

        // Warm: messages to groups this instance has filled.
        before = calls.Snapshot();
        var warmSmall = await Feed().DrainAsync(stream.OneMessageEach(stream.Small.Take(WarmProbeSmall)), PhaseBudget);
        var warmSmallCalls = Delta(before, calls.Snapshot());
        before = calls.Snapshot();
        var warmLarge = await Feed().DrainAsync(stream.MessagesIn(stream.Large, WarmProbeLarge), PhaseBudget);
        var warmLargeCalls = Delta(before, calls.Snapshot());

        // Capacity: a backlog of the mix, as fast as it goes.
        before = calls.Snapshot();
        var failuresBefore = world.Failures;
        var cpu = new CpuMeter(ProcStats.Self);
        var capacity = await Feed().DrainAsync(stream.Next(capacityChanges), PhaseBudget);
        var capacityCores = cpu.Read().ClientCores;
        var capacityCalls = Delta(before, calls.Snapshot());

        // Latency: the mix committed at the target rate.
        var acceptance = new Samples();
        var largeAcceptance = new Samples();
        before = calls.Snapshot();
        cpu = new CpuMeter(ProcStats.Self);
        var openLoop = await Feed(acceptance, largeAcceptance).RunOpenLoopAsync(stream.Next((int)TargetRate * openLoopSeconds), TargetRate, PhaseBudget);
        var openLoopCores = cpu.Read().ClientCores;
        var openLoopCalls = Delta(before, calls.Snapshot());
        var failures = world.Failures - failuresBefore;

        // Floor: as many calls as the capacity phase made, straight to the service, as many in flight as the fan-out allows.
        var floorGroups = stream.Small.Select(c => SignalRGroups.GroupFor(c.Id, 0)).ToList();
        var floor = await DirectCallsFloor.RunAsync(world.Groups, floorGroups, (int)Total(capacityCalls), concurrency, PhaseBudget);

        var callsPerChange = Total(capacityCalls) / (double)capacity.Handled;
        var floorEventsPerSecond = floor.CallsPerSecond / callsPerChange;
        var capacityMet = capacity.Completed && capacity.TakenPerSecond >= TargetRate;
        var openLoopRate = openLoop.Taken / openLoop.Seconds;
        var p99 = acceptance.Percentile(99);
        var latencyMet = openLoop.Completed && failures == 0 && p99 < TargetP99Ms;

        result.Add(
            "events/s per instance, as fast as it goes",
            $"{Fmt.N(capacity.TakenPerSecond)} ({Fmt.N(capacity.Taken)} changes in {capacity.Seconds:F1} s, {Fmt.N(capacity.Batches)} batches)",
            $"{Fmt.N(floor.CallsPerSecond)} calls/s = {Fmt.N(floorEventsPerSecond)} events/s at {callsPerChange:F2} calls each",
            $"≥ {Fmt.N(TargetRate)}/s",
            capacityMet);
        result.Add(
            $"commit → accepted by the service, p50 (open loop, {Fmt.N(TargetRate)}/s)",
            Fmt.Ms(acceptance.Median),
            $"one call alone {Fmt.Ms(floor.Latency.Median)}");
        result.Add($"commit → accepted, p99 (open loop, {Fmt.N(TargetRate)}/s)", Fmt.Ms(p99), $"one call alone {Fmt.Ms(floor.Latency.Percentile(99))}", $"< {TargetP99Ms} ms", latencyMet);
        result.Add("commit → accepted, max", Fmt.Ms(acceptance.Max));
        result.Add($"commit → accepted, {Fmt.N(LargeMembers)}-member conversation, p50 / p99", $"{Fmt.Ms(largeAcceptance.Median)} / {Fmt.Ms(largeAcceptance.Percentile(99))} ({largeAcceptance.Count} changes)");
        result.Add(
            "open loop: committed / handled / failed, rate reached",
            $"{Fmt.N(openLoop.Taken)} / {Fmt.N(openLoop.Handled)} / {failures}, {Fmt.N(openLoopRate)}/s in {Fmt.N(openLoop.Batches)} batches (mean {openLoop.Taken / (double)Math.Max(1, openLoop.Batches):F1} changes)");
        result.Add($"service calls per message, {SmallMembers} members, warm", PerMessage(warmSmallCalls, warmSmall.Handled), "1 (one group send)");
        result.Add($"service calls per message, {Fmt.N(LargeMembers)} members, warm", PerMessage(warmLargeCalls, warmLarge.Handled), "1 (one group send)");
        result.Add($"first message after the group is created, {SmallMembers} members (fill)", PerMessage(coldSmallCalls, coldSmall.Handled) + $", {Fmt.N(coldSmall.Handled)} groups in {coldSmall.Seconds:F2} s");
        result.Add($"first message after the group is created, {Fmt.N(LargeMembers)} members (fill)", PerMessage(coldLargeCalls, coldLarge.Handled) + $", in {coldLarge.Seconds * 1000:F0} ms");
        result.Add($"{Fmt.N(LargeMembers)}-member conversation, {WarmProbeLarge} messages back to back (in order)", $"{warmLarge.Seconds * 1000 / warmLarge.Handled:F2} ms a message", $"one call alone {Fmt.Ms(floor.Latency.Median)}");
        result.Add("service calls per change, whole mix (capacity phase)", $"{callsPerChange:F2}: {Describe(capacityCalls)}", "", "", null);
        result.Add("CPU of the bench process (instance and fake service)", $"{capacityCores:F2} cores as fast as it goes, {openLoopCores:F2} cores at {Fmt.N(TargetRate)}/s (of {Environment.ProcessorCount})");

        result.Notes.Add($"Fill cost: a group is filled once per instance and membership epoch, the first time the instance sends to it ({SmallMembers} or {Fmt.N(LargeMembers)} add-user calls, {SignalRGroups.MaxConcurrentCalls} at a time, before the send). The cold rows count it; the warm rows, the capacity and the latency phases run after every group was filled and count none (add-user calls in those phases: {capacityCalls[ServiceCallKind.AddUserToGroup] + openLoopCalls[ServiceCallKind.AddUserToGroup]}).");
        result.Notes.Add($"Read receipts of the same user in the same conversation within one batch are coalesced by ChangeBatch, so changes handled ({Fmt.N(capacity.Handled)} of {Fmt.N(capacity.Taken)} in the capacity phase) can be fewer than changes taken; events/s counts changes taken from the feed, latency is taken for each change handled.");
        result.Notes.Add($"Floor: {Fmt.N(floor.Calls)} group sends (as many calls as the capacity phase made) through SignalRGroups.SendToGroupAsync straight to the same fake service, {concurrency} in flight (ChangeBatch's conversations at once), one body serialized once; {Fmt.N(floor.Accepted)} accepted in {floor.Seconds:F2} s. It is what the {ServiceLatency.TotalMilliseconds} ms per call alone allows at that concurrency.");
        result.Notes.Add("Commit → accepted: from the change's commit (its due time in the open loop) until the fan-out's last call for it was answered 202/200 by the service, as MessagingMetrics.StartPublication → Succeeded measures it in the real feed handlers.");
        result.Figures["eventsPerSecond"] = Math.Round(capacity.TakenPerSecond);
        result.Figures["floorCallsPerSecond"] = Math.Round(floor.CallsPerSecond);
        result.Figures["floorEventsPerSecond"] = Math.Round(floorEventsPerSecond);
        result.Figures["acceptanceP50Ms"] = Fmt.Round(acceptance.Median);
        result.Figures["acceptanceP99Ms"] = Fmt.Round(p99);
        result.Figures["acceptanceMaxMs"] = Fmt.Round(acceptance.Max);
        result.Figures["largeAcceptanceP99Ms"] = Fmt.Round(largeAcceptance.Percentile(99));
        result.Figures["floorCallP50Ms"] = Fmt.Round(floor.Latency.Median);
        result.Figures["floorCallP99Ms"] = Fmt.Round(floor.Latency.Percentile(99));
        result.Figures["openLoopRate"] = Math.Round(openLoopRate);
        result.Figures["openLoopFailures"] = failures;
        result.Figures["callsPerMessageWarmSmall"] = Fmt.Round(Total(warmSmallCalls) / (double)warmSmall.Handled);
        result.Figures["callsPerMessageWarmLarge"] = Fmt.Round(Total(warmLargeCalls) / (double)warmLarge.Handled);
        result.Figures["callsPerMessageColdSmall"] = Fmt.Round(Total(coldSmallCalls) / (double)coldSmall.Handled);
        result.Figures["callsPerMessageColdLarge"] = Fmt.Round(Total(coldLargeCalls) / (double)coldLarge.Handled);
        result.Figures["callsPerChangeMix"] = Fmt.Round(callsPerChange);
        result.Figures["capacityCores"] = Fmt.Round(capacityCores, 2);
        result.Figures["openLoopCores"] = Fmt.Round(openLoopCores, 2);
        result.Figures["met"] = capacityMet && latencyMet;
        return result;
    }

    /// <summary>Seeds the store straight into its file and returns the stream over it.</summary>
    private static SyntheticChangeStream Seed(string databasePath)
    {
        static (string Id, IReadOnlyList<string> Users) Conversation(string id, int members) =>
            (id, [.. Enumerable.Range(0, members).Select(k => $"{id}-u{k}")]);

        var small = Enumerable.Range(0, SmallConversations).Select(c => Conversation($"s7-c{c}", SmallMembers)).ToList();
        var large = Conversation("s7-large", LargeMembers);
        using var seeder = new Seeder(databasePath);
        seeder.Conversations([.. small, large]);
        foreach (var (id, users) in small)
        {
            seeder.Messages(id, users, 4, 200);
        }

        seeder.Messages(large.Id, large.Users, 100, 200);
        seeder.ReadToLatest();
        var messages = seeder.MessageIdsByConversation();
        StreamConversation Of((string Id, IReadOnlyList<string> Users) conversation) => new(conversation.Id, conversation.Users, messages[conversation.Id]);
        return new SyntheticChangeStream([.. small.Select(Of)], Of(large), seed: 7);
    }

    private static Dictionary<ServiceCallKind, long> Delta(IReadOnlyDictionary<ServiceCallKind, long> before, IReadOnlyDictionary<ServiceCallKind, long> after) =>
        after.ToDictionary(kind => kind.Key, kind => kind.Value - before[kind.Key]);

    private static long Total(Dictionary<ServiceCallKind, long> calls) => calls.Values.Sum();

    private static string PerMessage(Dictionary<ServiceCallKind, long> calls, int messages) =>
        messages == 0 ? "n/a" : $"{(Total(calls) / (double)messages).ToString("N2", CultureInfo.InvariantCulture)} ({Describe(calls)}; {Fmt.N(messages)} {(messages == 1 ? "message" : "messages")})";

    private static string Describe(Dictionary<ServiceCallKind, long> calls) =>
        string.Join(", ", calls.Where(c => c.Value > 0).Select(c => $"{Fmt.N(c.Value)} {KindName(c.Key)}"));

    private static string KindName(ServiceCallKind kind) => kind switch
    {
        ServiceCallKind.SendToGroup => "send to group",
        ServiceCallKind.SendToUser => "send to user",
        ServiceCallKind.AddUserToGroup => "add user to group",
        ServiceCallKind.RemoveUserFromGroup => "remove user from group",
        _ => "generate token",
    };
}
