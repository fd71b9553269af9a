using Messaging.Domain.Common;
using Messaging.Domain.Conversations;
using Messaging.Functions.Auth;
using Messaging.Functions.Http;
using Messaging.Tests.Store.Cosmos.Double;
using Messaging.Tests.Support;
using Messaging.Tests.Support.Builders;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Messaging.Tests.Store.Cosmos;

/// <summary>
/// A 429 whose SDK retries ran out, on each kind of database operation, reaches the client as a 429
/// problem with Retry-After through the API pipeline (never a 500, never a misleading domain answer).
/// </summary>
public sealed class CosmosThrottlingThroughApiTests : CosmosDoubleTest, IDisposable
{
    private readonly string _dataPath = Path.Combine(Path.GetTempPath(), "messaging-cosmos-throttling", Guid.NewGuid().ToString("N"));

    public void Dispose() => TemporaryFolder.DeleteQuietly(_dataPath);

    public static TheoryData<CosmosOperation> Operations => [.. Enum.GetValues<CosmosOperation>()];

    /// <summary>A store call that performs the operation kind (set up so that it reaches it).</summary>
    private async Task<Func<Task>> CallUsingAsync(CosmosOperation operation)
    {
        var (alice, bob) = (Some.User("alice"), Some.User("bob"));
        Conversation group = AGroup.OwnedBy(alice).With([bob]).At(Time.T0);
        await Store.Conversations.AddAsync(group, Ct);
        Messaging.Domain.Attachments.Attachment photo = AnAttachment.UploadedBy(alice).Named("a.png", "image/png", 10).At(Time.T0);
        await Store.Attachments.AddAsync(photo, Ct);
        await Store.Messages.AppendAsync(AMessage.From(alice).In(group).Saying("hi").At(Time.At(1)), Ct);
        return operation switch
        {
            CosmosOperation.Read => () => Store.Conversations.GetAsync(group.Id, Ct),
            CosmosOperation.Query => () => Store.Messages.ListNewestFirstAsync(group.Id, 10, null, Ct),
            CosmosOperation.ReadMany => () => Store.Conversations.ListForParticipantAsync(alice, 10, null, Ct),
            CosmosOperation.Create => () => Store.Conversations.GetOrAddDirectAsync(ADirect.Between(alice, bob), Ct),
            CosmosOperation.Replace => () => Store.Messages.AppendAsync(AMessage.From(alice).In(group).Saying("photo").WithAttachments(photo).At(Time.At(2)), Ct),
            // The message locator, written before the send's batch (a membership row written after a commit is never reported as failed).
            CosmosOperation.Upsert => () => Store.Messages.AppendAsync(AMessage.From(alice).In(group).Saying("located").At(Time.At(3)), Ct),
            CosmosOperation.Delete => () => Store.Attachments.DeleteUnusedAsync(photo.Id, Ct),
            // Closing the counter of the deleted conversation (a mark-read replaces its participant document in a batch).
            CosmosOperation.Patch => () => Store.Conversations.DeleteAsync(group.Id, Ct),
            CosmosOperation.Batch => () => Store.Messages.AppendAsync(AMessage.From(bob).In(group).Saying("reply").At(Time.At(5)), Ct),
            _ => throw new ArgumentOutOfRangeException(nameof(operation), operation, null),
        };
    }

    private async Task<HttpResponse> InvokeAsync(Func<Task> call)
    {
        Directory.CreateDirectory(_dataPath);
        var pipeline = new ApiPipeline(
            new TokenValidator(new AuthOptions { SigningKey = new string('k', 48), Issuer = "test", Audience = "test" }, _dataPath),
            new CorsPolicy([]),
            NullLogger<ApiPipeline>.Instance);
        var context = new DefaultHttpContext { RequestServices = new ServiceCollection().AddLogging().BuildServiceProvider() };
        context.Response.Body = new MemoryStream();
        await pipeline.InvokeAsync(context, allowsAnonymous: true, call);
        return context.Response;
    }

    [Theory]
    [MemberData(nameof(Operations))]
    public async Task A_429_on_any_kind_of_operation_is_a_429_problem_with_retry_after(CosmosOperation operation)
    {
        var call = await CallUsingAsync(operation);
        Database.Faults.Inject(operation, new CosmosFault.Throttled(TimeSpan.FromMilliseconds(2500)), times: 1000);
        var callsBefore = Database.Calls;

        var response = await InvokeAsync(call);

        Assert.Equal(StatusCodes.Status429TooManyRequests, response.StatusCode);
        Assert.True(int.TryParse(response.Headers.RetryAfter.ToString(), out var seconds) && seconds >= 1, $"Retry-After was '{response.Headers.RetryAfter}'");
        Assert.StartsWith("application/problem+json", response.ContentType, StringComparison.Ordinal);
        Assert.True(Database.Calls > callsBefore, "the call reached the database");
    }

    [Fact]
    public async Task A_throttled_send_answers_the_databases_retry_after_and_writes_nothing()
    {
        var (alice, bob) = (Some.User("alice"), Some.User("bob"));
        Conversation group = AGroup.OwnedBy(alice).With([bob]).At(Time.T0);
        await Store.Conversations.AddAsync(group, Ct);
        Messaging.Domain.Attachments.Attachment photo = AnAttachment.UploadedBy(alice).Named("a.png", "image/png", 10).At(Time.T0);
        await Store.Attachments.AddAsync(photo, Ct);
        Database.Faults.Inject(CosmosOperation.Batch, new CosmosFault.Throttled(TimeSpan.FromMilliseconds(6500)), times: 1000);

        var response = await InvokeAsync(
            () => Store.Messages.AppendAsync(AMessage.From(alice).In(group).Saying("photo").WithAttachments(photo).At(Time.At(1)), Ct));

        Assert.Equal(StatusCodes.Status429TooManyRequests, response.StatusCode);
        Assert.Equal("7", response.Headers.RetryAfter.ToString());
        Database.Faults.Clear();
        Assert.Null(await Store.Messages.GetLatestAsync(group.Id, Ct));
        Assert.Null((await Store.Attachments.GetAsync(photo.Id, Ct))!.MessageId);
    }

    [Fact]
    public async Task A_throttled_edit_answers_the_databases_retry_after_and_keeps_the_text()
    {
        var (alice, bob) = (Some.User("alice"), Some.User("bob"));
        Conversation group = AGroup.OwnedBy(alice).With([bob]).At(Time.T0);
        await Store.Conversations.AddAsync(group, Ct);
        var sent = (await Store.Messages.AppendAsync(AMessage.From(alice).In(group).Saying("draft").At(Time.At(1)), Ct)).Message!;
        var edit = (await Store.Messages.GetAsync(sent.Id, Ct))!;
        edit.Edit(alice, "final", Time.At(2), new MessagingLimits()).Ok();
        Database.Faults.Inject(CosmosOperation.Batch, new CosmosFault.Throttled(TimeSpan.FromSeconds(4)), times: 1000);

        var response = await InvokeAsync(() => Store.Messages.UpdateAsync(edit, Ct));

        Assert.Equal(StatusCodes.Status429TooManyRequests, response.StatusCode);
        Assert.Equal("4", response.Headers.RetryAfter.ToString());
        Database.Faults.Clear();
        Assert.Equal("draft", (await Store.Messages.GetAsync(sent.Id, Ct))!.Text);
    }

    [Fact]
    public async Task A_send_whose_sequence_kept_moving_is_a_409_problem()
    {
        var response = await InvokeAsync(() => throw new ConcurrencyConflictException("kept moving"));

        Assert.Equal(StatusCodes.Status409Conflict, response.StatusCode);
        Assert.StartsWith("application/problem+json", response.ContentType, StringComparison.Ordinal);
    }
}
