using System.Text.Json;
using Messaging.Domain.Application;
using Microsoft.AspNetCore.SignalR;

namespace Messaging.Functions.Realtime;

/// <summary>
/// The standalone server's SignalR hub. Server-to-client events come from the change fan-out;
/// the client-to-server methods are <see cref="ClientInvocations"/>, as for Azure SignalR Service.
/// </summary>
public sealed class MessagingHub(ClientInvocations invocations, HubConnectionCounter connections) : Hub
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
        await base.OnConnectedAsync();
    }

    /// <summary>The group of one user's connections; SignalR drops a connection from its groups when it closes.</summary>
    public static string UserGroup(string userId) => "user:" + userId;

    public override Task OnDisconnectedAsync(Exception? exception)
    {
        if (Context.Items.ContainsKey(CountedKey) && Context.UserIdentifier is { } userId)
        {
            connections.Remove(userId);
        }

        return base.OnDisconnectedAsync(exception);
    }

    [HubMethodName("message.send")]
    public async Task<MessageResource> SendMessage(JsonElement argument) => (MessageResource)(await InvokeAsync("message.send", argument))!;

    [HubMethodName("message.read")]
    public async Task<MarkReadResult> MarkRead(JsonElement argument) => (MarkReadResult)(await InvokeAsync("message.read", argument))!;

    [HubMethodName("typing.start")]
    public Task TypingStart(JsonElement argument) => InvokeAsync("typing.start", argument);

    [HubMethodName("typing.stop")]
    public Task TypingStop(JsonElement argument) => InvokeAsync("typing.stop", argument);

    private async Task<object?> InvokeAsync(string method, JsonElement argument)
    {
        var userId = Context.UserIdentifier ?? throw new HubException("Not authenticated.");
        var result = await invocations.InvokeAsync(userId, method, argument, Context.ConnectionAborted);
        return result.IsSuccess ? result.Value : throw new HubException(ClientInvocations.Describe(result.Error));
    }
}
