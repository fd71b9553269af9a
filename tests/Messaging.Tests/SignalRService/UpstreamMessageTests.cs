using System.Text;
using Messaging.Domain.Common;
using Messaging.Functions.Realtime.SignalRService;

namespace Messaging.Tests.SignalRService;

/// <summary>The JSON hub protocol as Azure SignalR Service posts it upstream, and the completion that answers it.</summary>
public sealed class UpstreamMessageTests
{
    [Fact]
    public void An_invocation_with_its_record_separator_gives_its_target_id_and_first_argument()
    {
        var message = UpstreamMessage.Parse(Bytes("""{"type":1,"invocationId":"7","target":"message.send","arguments":[{"text":"hi"}]}""" + "\u001e")).Value;

        Assert.False(message.IsPing);
        Assert.Equal("7", message.InvocationId);
        Assert.Equal("message.send", message.Target);
        Assert.Equal("hi", message.Argument.GetProperty("text").GetString());
    }

    [Fact]
    public void A_ping_is_told_apart_and_an_invocation_without_id_wants_no_answer()
    {
        Assert.True(UpstreamMessage.Parse(Bytes("""{"type":6}""")).Value.IsPing);
        Assert.Null(UpstreamMessage.Parse(Bytes("""{"type":1,"target":"typing.start","arguments":[]}""")).Value.InvocationId);
    }

    [Theory]
    [InlineData("{\"type\":1,\"target\":\"a\"}\u001e{\"type\":1,\"target\":\"b\"}\u001e", "body")]
    [InlineData("{\"type\":3,\"invocationId\":\"1\"}", "type")]
    [InlineData("{\"type\":1,\"invocationId\":5,\"target\":\"message.send\"}", "invocationId")]
    [InlineData("{\"type\":1}", "target")]
    [InlineData("not json", "body")]
    public void Anything_else_is_refused_naming_the_field(string body, string field)
    {
        var parsed = UpstreamMessage.Parse(Bytes(body));

        Assert.False(parsed.IsSuccess);
        Assert.Equal(ErrorKind.Invalid, parsed.Error.Kind);
        Assert.Contains(field, parsed.Error.FieldErrors!.Keys);
    }

    [Fact]
    public void A_completion_carries_the_result_in_the_api_shape_or_the_error_in_the_problem_words()
    {
        var ok = new CompletionResult("1", Result<object?>.Success(new { ConversationId = "c" })).Bytes();
        var failed = new CompletionResult("2", Result<object?>.Failure(Error.Invalid("text", "Text is required."))).Bytes();

        Assert.Equal("""{"type":3,"invocationId":"1","result":{"conversationId":"c"}}""" + "\u001e", Encoding.UTF8.GetString(ok));
        Assert.StartsWith("""{"type":3,"invocationId":"2","error":""", Encoding.UTF8.GetString(failed), StringComparison.Ordinal);
        Assert.EndsWith("\u001e", Encoding.UTF8.GetString(failed), StringComparison.Ordinal);
    }

    private static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);
}
