using Messaging.Domain.Application;
using Messaging.Domain.Attachments;
using Messaging.Domain.Common;
using Messaging.Functions.Http;
using Messaging.Functions.Storage.Files;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Net.Http.Headers;

namespace Messaging.Functions.Endpoints;

public sealed class AttachmentFunctions(AttachmentService attachments, IAttachmentRepository records, MessagingLimits limits, LocalDownloads downloads)
{
    // Multipart framing and the small form fields around the file.
    private const long MultipartOverheadBytes = 64 * 1024;

    [Function("UploadAttachment")]
    public async Task<IResult> Upload(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", "options", Route = "messaging/attachments")] HttpRequest req, CancellationToken cancellationToken)
    {
        if (!MediaTypeHeaderValue.TryParse(req.ContentType, out var mediaType)
            || !mediaType.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase)
            || HeaderUtilities.RemoveQuotes(mediaType.Boundary).Value is not { Length: > 0 and <= 200 } boundary)
        {
            return ApiResults.Problem(new Error(ErrorKind.UnsupportedMediaType, "Upload the file as multipart/form-data with a 'file' part."));
        }

        var admitted = attachments.AdmitUpload(req.UserId());
        if (!admitted.IsSuccess)
        {
            return ApiResults.Problem(admitted.Error);
        }

        if (req.ContentLength > limits.MaxAttachmentBytes + MultipartOverheadBytes)
        {
            return ApiResults.Problem(Error.TooLarge($"The file exceeds the limit of {limits.MaxAttachmentBytes} bytes."));
        }

        if (req.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodyLimit)
        {
            bodyLimit.MaxRequestBodySize = limits.MaxAttachmentBytes + MultipartOverheadBytes;
        }

        var userId = req.UserId();
        var reader = new MultipartReader(boundary, req.Body) { HeadersLengthLimit = 16 * 1024 };
        string? conversationId = null;
        PendingUpload? upload = null;
        try
        {
            while (await reader.ReadNextSectionAsync(cancellationToken) is { } section)
            {
                if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition)
                    || !disposition.DispositionType.Equals("form-data", StringComparison.OrdinalIgnoreCase))
                {
                    continue;
                }

                var name = HeaderUtilities.RemoveQuotes(disposition.Name).Value;
                if (name == "conversationId" && !disposition.IsFileDisposition())
                {
                    conversationId = await ReadFieldAsync(section, cancellationToken);
                    if (!Ids.IsWellFormed(conversationId))
                    {
                        return await FailAsync(Error.Invalid("conversationId", "conversationId must be a conversation id."));
                    }

                    if (upload is null && !(await attachments.CheckUploadTargetAsync(userId, conversationId, cancellationToken)).IsSuccess)
                    {
                        return ApiResults.Problem(Error.ConversationNotFound);
                    }
                }
                else if (name == "file" && disposition.IsFileDisposition())
                {
                    if (upload is not null)
                    {
                        return await FailAsync(Error.Invalid("file", "Upload one file per request."));
                    }

                    var fileName = HeaderUtilities.RemoveQuotes(disposition.FileNameStar.HasValue ? disposition.FileNameStar : disposition.FileName).Value;
                    var stored = await attachments.StoreContentAsync(userId, fileName, section.ContentType, section.Body, cancellationToken);
                    if (!stored.IsSuccess)
                    {
                        return ApiResults.Problem(stored.Error);
                    }

                    upload = stored.Value;
                }
            }
        }
        catch (Exception exception) when (exception is InvalidDataException or IOException or BadHttpRequestException)
        {
            var tooLarge = exception is BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge };
            return await FailAsync(tooLarge
                ? Error.TooLarge($"The file exceeds the limit of {limits.MaxAttachmentBytes} bytes.")
                : Error.Invalid("file", "The multipart body is malformed or was cut short."));
        }

        if (upload is null)
        {
            return ApiResults.Problem(Error.Invalid("file", "A 'file' part is required."));
        }

        var completed = await attachments.CompleteUploadAsync(userId, upload, conversationId, cancellationToken);
        return ApiResults.From(completed, ApiResults.Created);

        async Task<IResult> FailAsync(Error error)
        {
            if (upload is not null)
            {
                await attachments.DiscardAsync(upload, CancellationToken.None);
            }

            return ApiResults.Problem(error);
        }
    }

    [Function("GetAttachment")]
    public async Task<IResult> Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "options", Route = "messaging/attachments/{id}")] HttpRequest req,
        string id, CancellationToken cancellationToken) =>
        ApiResults.From(await attachments.GetAsync(req.UserId(), id, cancellationToken), ApiResults.Ok);

    [Function("DeleteAttachment")]
    public async Task<IResult> Delete(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = "messaging/attachments/{id}")] HttpRequest req,
        string id, CancellationToken cancellationToken) =>
        ApiResults.From(await attachments.DeleteAsync(req.UserId(), id, cancellationToken), ApiResults.NoContent);

    [Function("DeleteAttachmentLegacy")]
    public Task<IResult> DeleteLegacy(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", "options", Route = "messaging/attachments/{id}/delete")] HttpRequest req,
        string id, CancellationToken cancellationToken) =>
        Delete(req, id, cancellationToken);

    /// <summary>The standalone store's signed download URL: no bearer token, the signature is the permission.</summary>
    [AllowAnonymous]
    [Function("DownloadFile")]
    public async Task<IResult> Download(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "messaging/files/{id}")] HttpRequest req, string id, CancellationToken cancellationToken)
    {
        if (downloads is not { Signer: { } signer, Files: { } files } || !Ids.IsWellFormed(id) || !signer.Verify(id, req.Query["expires"], req.Query["signature"]))
        {
            return ApiResults.Problem(Error.NotFound("File"));
        }

        var attachment = await records.GetAsync(id, cancellationToken);
        var content = attachment is null ? null : files.OpenRead(attachment.StorageKey);
        if (attachment is null || content is null)
        {
            return ApiResults.Problem(Error.NotFound("File"));
        }

        req.HttpContext.Response.Headers.XContentTypeOptions = "nosniff";
        req.HttpContext.Response.Headers.CacheControl = "private, max-age=300";
        req.HttpContext.Response.Headers.ContentSecurityPolicy = "default-src 'none'; sandbox";
        return Results.File(content, attachment.Info.ContentType, attachment.Info.FileName, enableRangeProcessing: true);
    }

    private static async Task<string> ReadFieldAsync(MultipartSection section, CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(section.Body);
        var buffer = new char[257];
        var read = await reader.ReadBlockAsync(buffer.AsMemory(), cancellationToken);
        return new string(buffer, 0, read).Trim();
    }
}
