namespace Messaging.Tests.Support.Builders;

/// <summary>Unique user and task ids, so tests never see each other's data even in a shared store.</summary>
public static class Some
{
    public static string User(string name) => $"{name}-{Guid.NewGuid():N}"[..20];

    public static string TaskId() => $"task-{Guid.NewGuid():N}";
}
