using System.Text.Json;

namespace Messaging.Testing.SignalRService;

/// <summary>One request the fake accepted (or refused, with the reason).</summary>
public sealed record ServiceRequest(string Method, string Path, string Query, string? Target, JsonElement[]? Arguments, DateTimeOffset? TokenExpires, string? Refusal);
