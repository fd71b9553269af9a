using System.Text.Json;
using Messaging.Domain.Application;
using Messaging.Domain.Common;
using Messaging.Domain.Realtime;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.SignalR;

namespace Messaging.Functions.Realtime;

/// <summary>
/// The standalone server's SignalR hub. Server-to-client events come from the change fan-out;
/// the client-to-server methods are <see cref="ClientInvocations"/>, as for Azure SignalR Service.
/// </summary>
public sealed class MessagingHub(
    ClientInvocations invocations, HubConnectionCounter connections, HubPresence presence) : Hub
{
    public const string Path = "/api/messaging/hub";
    private const string CountedKey = "counted";

    public override async Task OnConnectedAsync()
    {
        if (Context.UserIdentifier is not { } userId || !connections.TryAdd(userId))
        {
            // Over the per-user limit: the client sees the connection close.
            Context.Abort();
            return;
        }

        Context.Items[CountedKey] = true;
        await Groups.AddToGroupAsync(Context.ConnectionId, UserGroup(userId));
        await presence.OpenedAsync(userId, Context.ConnectionId);
        await base.OnConnectedAsync();
    }

    /// <summary>
    /// The client's negotiate connection would otherwise idle beside its WebSocket until the
    /// keep-alive timeout: a second socket per client. See docs/decisions/0004.
    /// </summary>
    public static void CloseAfterNegotiate(HttpContext context)
    {
        if (HttpProtocol.IsHttp11(context.Request.Protocol) && context.Request.Path.Value!.EndsWith("/negotiate", StringComparison.OrdinalIgnoreCase))
        {
            context.Response.Headers.Connection = "close";
        }
    }

    /// <summary>The group of one user's connections; SignalR drops a connection from its groups when it closes.</summary>
    public static string UserGroup(string userId) => "user:" + userId;

    public override async Task OnDisconnectedAsync(Exception? exception)
    {
        if (Context.Items.ContainsKey(CountedKey) && Context.UserIdentifier is { } userId)
        {
            connections.Remove(userId);
            await presence.ClosedAsync(userId, Context.ConnectionId);
        }

        await base.OnDisconnectedAsync(exception);
    }

    [HubMethodName(HubMethods.MessageSend)]
    public async Task<MessageResource> SendMessage(JsonElement argument) => OrThrow(await invocations.SendAsync(UserId, argument, Context.ConnectionAborted));

    [HubMethodName(HubMethods.MessageRead)]
    public async Task<MarkReadResult> MarkRead(JsonElement argument) => OrThrow(await invocations.MarkReadAsync(UserId, argument, Context.ConnectionAborted));

    [HubMethodName(HubMethods.TypingStart)]
    public async Task TypingStart(JsonElement argument) =>
        OrThrow(await invocations.SetTypingAsync(UserId, argument, isTyping: true, Context.ConnectionAborted));

    [HubMethodName(HubMethods.TypingStop)]
    public async Task TypingStop(JsonElement argument) =>
        OrThrow(await invocations.SetTypingAsync(UserId, argument, isTyping: false, Context.ConnectionAborted));

    [HubMethodName(HubMethods.ReactionAdd)]
    public async Task<MessageResource> AddReaction(JsonElement argument) =>
        OrThrow(await invocations.ReactAsync(UserId, argument, add: true, Context.ConnectionAborted));

    [HubMethodName(HubMethods.ReactionRemove)]
    public async Task<MessageResource> RemoveReaction(JsonElement argument) =>
        OrThrow(await invocations.ReactAsync(UserId, argument, add: false, Context.ConnectionAborted));

    private string UserId => Context.UserIdentifier ?? throw new HubException("Not authenticated.");

    private static T OrThrow<T>(Result<T> result) => result.IsSuccess ? result.Value : throw new HubException(ClientInvocations.Describe(result.Error));

    private static void OrThrow(Outcome outcome)
    {
        if (!outcome.IsSuccess)
        {
            throw new HubException(ClientInvocations.Describe(outcome.Error));
        }
    }
}
