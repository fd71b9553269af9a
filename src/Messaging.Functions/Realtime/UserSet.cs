using System.Collections;

namespace Messaging.Functions.Realtime;

/// <summary>
/// A user list whose <c>Contains</c> is a hash lookup. SignalR's <c>Clients.Users</c> tests every
/// connection against the list; with a plain list that is connections × recipients comparisons
/// per event, with this it is one lookup per connection.
/// </summary>
internal sealed class UserSet : IReadOnlyList<string>, ICollection<string>
{
    private readonly List<string> _list;
    private readonly HashSet<string> _set;

    public UserSet(IEnumerable<string> userIds)
    {
        _set = new HashSet<string>(userIds, StringComparer.Ordinal);
        _list = [.. _set];
    }

    public int Count => _list.Count;

    public bool IsReadOnly => true;

    public string this[int index] => _list[index];

    public bool Contains(string item) => item is not null && _set.Contains(item);

    public IEnumerator<string> GetEnumerator() => _list.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public void CopyTo(string[] array, int arrayIndex) => _list.CopyTo(array, arrayIndex);

    public void Add(string item) => throw new NotSupportedException();

    public bool Remove(string item) => throw new NotSupportedException();

    public void Clear() => throw new NotSupportedException();
}
