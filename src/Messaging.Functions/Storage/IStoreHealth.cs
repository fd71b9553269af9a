namespace Messaging.Functions.Storage;

/// <summary>Whether the configured store answers, for <c>GET /api/health</c>.</summary>
public interface IStoreHealth
{
    Task<bool> IsAvailableAsync(CancellationToken cancellationToken);
}
