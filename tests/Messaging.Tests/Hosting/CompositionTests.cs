using Messaging.Domain.Common;
using Messaging.Domain.Realtime;
using Messaging.Functions.Diagnostics;
using Messaging.Functions.Hosting;
using Messaging.Functions.Realtime;
using Messaging.Functions.Realtime.SignalRService;
using Messaging.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Messaging.Tests.Hosting;

/// <summary>What the composition root chooses from configuration, and what it refuses when the host starts.</summary>
public sealed class CompositionTests : IDisposable
{
    private readonly string _dataPath = Path.Combine(Path.GetTempPath(), "messaging-composition", Guid.NewGuid().ToString("N"));

    public void Dispose() => TemporaryFolder.DeleteQuietly(_dataPath);

    [Theory]
    [InlineData("Messaging:MaxMessageLength", "0", "Messaging__MaxMessageLength must be at least 1.")]
    [InlineData("Messaging:SendsPerSecond", "-1", "Messaging__SendsPerSecond must be 0 (no limit) or a positive number.")]
    [InlineData("Messaging:ReactionsPerSecond", "-1", "Messaging__ReactionsPerSecond must be 0 (no limit) or a positive number.")]
    [InlineData("Messaging:ReactionBurst", "-1", "Messaging__ReactionBurst must be at least 0.")]
    [InlineData("Attachments:DownloadUrlMinutes", "0", "Attachments__DownloadUrlMinutes must be a positive number of minutes.")]
    public async Task A_setting_that_cannot_work_stops_the_server_at_start_with_one_line_naming_it(string setting, string value, string expected)
    {
        using var error = new StringWriter();
        string[] args = ["--urls", "http://127.0.0.1:0", $"--Messaging:DataPath={_dataPath}", $"--{setting}={value}"];

        var exitCode = await StartupFailures.RunAsync(() => StandaloneServer.RunAsync(args), error).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(StartupFailures.ExitCode, exitCode);
        Assert.Equal($"messaging: {expected}", error.ToString().TrimEnd());
    }

    [Fact]
    public void Limits_bind_by_name_from_the_messaging_section()
    {
        using var provider = Build(MessagingHost.Standalone, ("Messaging:MaxMessageLength", "42"), ("Messaging:SendsPerSecond", "0"));

        var limits = provider.GetRequiredService<MessagingLimits>();

        Assert.Equal(42, limits.MaxMessageLength);
        Assert.Equal(0, limits.SendsPerSecond);
        Assert.Equal(new MessagingLimits().MaxParticipants, limits.MaxParticipants);
    }

    [Fact]
    public void The_standalone_hub_publishes_through_the_event_counter()
    {
        using var provider = Build(MessagingHost.Standalone);

        var publisher = Assert.IsType<MeteredRealtimePublisher>(provider.GetRequiredService<IRealtimePublisher>());
        Assert.IsType<HubRealtimePublisher>(publisher.Inner);
        Assert.IsType<StandaloneHubNegotiator>(provider.GetRequiredService<INegotiator>());
    }

    [Fact]
    public void Azure_signalr_service_publishes_through_the_event_counter_on_either_host()
    {
        foreach (var host in new[] { MessagingHost.Standalone, MessagingHost.Functions })
        {
            using var provider = Build(
                host, (MessagingServices.SignalRConnectionSetting, "Endpoint=https://example.service.signalr.net;AccessKey=a2V5;Version=1.0;"));

            var publisher = Assert.IsType<MeteredRealtimePublisher>(provider.GetRequiredService<IRealtimePublisher>());
            Assert.IsType<AzureSignalRPublisher>(publisher.Inner);
            Assert.IsType<AzureSignalRNegotiator>(provider.GetRequiredService<INegotiator>());
        }
    }

    [Fact]
    public void The_functions_host_without_signalr_publishes_nothing_and_counts_nothing()
    {
        using var provider = Build(MessagingHost.Functions);

        Assert.IsType<NoRealtimePublisher>(provider.GetRequiredService<IRealtimePublisher>());
        Assert.IsType<NoNegotiator>(provider.GetRequiredService<INegotiator>());
    }

    private ServiceProvider Build(MessagingHost host, params (string Key, string Value)[] settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(
            settings.Select(s => KeyValuePair.Create(s.Key, (string?)s.Value)).Append(KeyValuePair.Create("Messaging:DataPath", (string?)_dataPath))).Build();
        return new ServiceCollection().AddLogging().AddMessaging(configuration, host).BuildServiceProvider();
    }
}
