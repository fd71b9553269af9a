using System.Buffers;
using System.Text.Json;
using Messaging.Domain.Common;
using Messaging.Functions.Http;
using Microsoft.AspNetCore.Http;

namespace Messaging.Functions.Realtime.SignalRService;

/// <summary>
/// The answer to an upstream invocation: a completion message of the JSON hub protocol
/// (<c>{"type":3,"invocationId","result"|"error"}</c> and the record separator 0x1E), the result in
/// the API's JSON shape, the error in the words of the REST problem's detail.
/// </summary>
public sealed class CompletionResult(string invocationId, Result<object?> result) : IResult
{
    private const int CompletionMessageType = 3;

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        httpContext.Response.StatusCode = StatusCodes.Status200OK;
        httpContext.Response.ContentType = "application/json; charset=utf-8";
        await httpContext.Response.Body.WriteAsync(Bytes(), httpContext.RequestAborted);
    }

    public byte[] Bytes()
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = ApiJson.Options.Encoder }))
        {
            writer.WriteStartObject();
            writer.WriteNumber("type", CompletionMessageType);
            writer.WriteString("invocationId", invocationId);
            if (!result.IsSuccess)
            {
                writer.WriteString("error", ClientInvocations.Describe(result.Error));
            }
            else if (result.Value is { } value)
            {
                writer.WritePropertyName("result");
                JsonSerializer.Serialize(writer, value, value.GetType(), ApiJson.Options);
            }

            writer.WriteEndObject();
        }

        buffer.Write([UpstreamMessage.RecordSeparator]);
        return buffer.WrittenSpan.ToArray();
    }
}
