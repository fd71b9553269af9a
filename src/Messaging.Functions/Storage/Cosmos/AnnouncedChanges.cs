namespace Messaging.Functions.Storage.Cosmos;

/// <summary>
/// The change records this process has finished with: published, or set aside as dead letters. The
/// change feed is at-least-once (a lease that moves before its checkpoint hands a batch over again),
/// so a record seen again is skipped. A record counts as finished only after its fan-out, never when
/// it is read: a batch that fails midway is delivered again and its unfinished records announced then.
/// Bounded: the oldest ids are forgotten first, so a very late redelivery announces at least once.
/// </summary>
public sealed class AnnouncedChanges
{
    private const int Remembered = 10_000;
    private readonly Queue<string> _order = new();
    private readonly HashSet<string> _finished = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    public bool IsFinished(string recordId)
    {
        lock (_gate)
        {
            return _finished.Contains(recordId);
        }
    }

    public void Finish(string recordId)
    {
        lock (_gate)
        {
            if (!_finished.Add(recordId))
            {
                return;
            }

            _order.Enqueue(recordId);
            if (_order.Count > Remembered)
            {
                _finished.Remove(_order.Dequeue());
            }
        }
    }
}
