namespace Messaging.Domain.Presence;

/// <summary>
/// Some saves of a batch failed (a store error, not a lost race): <see cref="Saved"/> names the users
/// whose save went through, so the caller can still announce them; the failed ones stay due and are
/// tried again by the next sweep.
/// </summary>
public sealed class PresenceSavesFailedException(IReadOnlySet<string> saved, IReadOnlyList<Exception> failures)
    : Exception($"{failures.Count} presence saves failed; {saved.Count} went through.", new AggregateException(failures))
{
    public IReadOnlySet<string> Saved { get; } = saved;
}
