using Microsoft.AspNetCore.SignalR;

namespace Messaging.Functions.Realtime;

/// <summary>A connection's user is the token's <c>sub</c>.</summary>
public sealed class SubjectUserIdProvider : IUserIdProvider
{
    public string? GetUserId(HubConnectionContext connection) => connection.User.FindFirst("sub")?.Value;
}
