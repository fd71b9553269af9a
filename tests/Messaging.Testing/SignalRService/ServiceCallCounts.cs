namespace Messaging.Testing.SignalRService;

/// <summary>The kinds of data-plane call the fake serves.</summary>
public enum ServiceCallKind
{
    SendToGroup,
    SendToUser,
    AddUserToGroup,
    RemoveUserFromGroup,
    GenerateToken,
    CheckConnection,
}

/// <summary>Accepted data-plane calls of <see cref="FakeSignalRService"/>, counted by kind without locks.</summary>
public sealed class ServiceCallCounts
{
    private static readonly ServiceCallKind[] Kinds = Enum.GetValues<ServiceCallKind>();
    private readonly long[] _counts = new long[Kinds.Length];

    public long this[ServiceCallKind kind] => Interlocked.Read(ref _counts[(int)kind]);

    public long Total => Kinds.Sum(kind => this[kind]);

    /// <summary>The kind of an accepted call, from its method and its (already validated) route.</summary>
    public static ServiceCallKind KindOf(string method, string path, bool generateToken) =>
        generateToken ? ServiceCallKind.GenerateToken
        : method == "GET" ? ServiceCallKind.CheckConnection
        : method == "PUT" ? ServiceCallKind.AddUserToGroup
        : method == "DELETE" ? ServiceCallKind.RemoveUserFromGroup
        : path.Contains("/groups/", StringComparison.Ordinal) ? ServiceCallKind.SendToGroup
        : ServiceCallKind.SendToUser;

    public void Increment(ServiceCallKind kind) => Interlocked.Increment(ref _counts[(int)kind]);

    /// <summary>The counts now, every kind included.</summary>
    public IReadOnlyDictionary<ServiceCallKind, long> Snapshot() => Kinds.ToDictionary(kind => kind, kind => this[kind]);

    public void Clear()
    {
        for (var i = 0; i < _counts.Length; i++)
        {
            Interlocked.Exchange(ref _counts[i], 0);
        }
    }
}
