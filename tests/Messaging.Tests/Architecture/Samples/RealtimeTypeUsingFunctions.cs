using System.Text.Json;
using Messaging.Functions.Endpoints;
using Messaging.Functions.Hosting;

namespace Messaging.Functions.Realtime.LayeringSamples;

/// <summary>Breaks the real-time rule the way it once was broken (a request record of the HTTP functions as a generic argument), and by asking which host runs.</summary>
public static class RealtimeTypeUsingFunctions
{
    public static bool IsTyping(string json) => JsonSerializer.Deserialize<TypingRequest>(json)?.IsTyping ?? false;

    public static bool HasOwnHub(MessagingHost host) => host == MessagingHost.Standalone;
}
