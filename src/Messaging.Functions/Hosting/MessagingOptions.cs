using Messaging.Domain.Common;
using Messaging.Functions.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Messaging.Functions.Hosting;

/// <summary>
/// The settings bound by name onto options classes, each checked when the host starts: a value that
/// cannot work stops the process with one line naming the setting (see <see cref="StartupFailures"/>).
/// </summary>
public static class MessagingOptions
{
    /// <summary>
    /// Binds from the registered <c>IConfiguration</c> (both hosts register it;
    /// <see cref="MessagingServices.AddMessaging"/> does it for a bare collection).
    /// </summary>
    public static IServiceCollection AddMessagingOptions(this IServiceCollection services)
    {
        // Messaging__MaxMessageLength, Messaging__SendsPerSecond, …
        services.AddOptions<MessagingLimits>().BindConfiguration("Messaging").ValidateOnStart();
        services.AddSingleton<IValidateOptions<MessagingLimits>, LimitsValidation>();
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<MessagingLimits>>().Value);

        services.AddOptions<DownloadUrlOptions>().BindConfiguration(DownloadUrlOptions.Section)
            .Validate(options => options.IsUsable, DownloadUrlOptions.Requirement)
            .ValidateOnStart();
        return services;
    }

    /// <summary>Limits that would refuse everything, or that are not numbers a limit can be. A rate or burst of 0 turns its limit off.</summary>
    private sealed class LimitsValidation : IValidateOptions<MessagingLimits>
    {
        public ValidateOptionsResult Validate(string? name, MessagingLimits options)
        {
            var failures = new List<string>();
            AtLeast(failures, options.MaxMessageLength, 1, nameof(options.MaxMessageLength));
            AtLeast(failures, options.MaxAttachmentBytes, 1, nameof(options.MaxAttachmentBytes));
            AtLeast(failures, options.MaxParticipants, 2, nameof(options.MaxParticipants));
            AtLeast(failures, options.MaxTitleLength, 1, nameof(options.MaxTitleLength));
            AtLeast(failures, options.MaxClientMessageIdLength, 1, nameof(options.MaxClientMessageIdLength));
            AtLeast(failures, options.MaxAttachmentsPerMessage, 0, nameof(options.MaxAttachmentsPerMessage));
            AtLeast(failures, options.SendBurst, 0, nameof(options.SendBurst));
            AtLeast(failures, options.UploadBurst, 0, nameof(options.UploadBurst));
            AtLeast(failures, options.ReactionBurst, 0, nameof(options.ReactionBurst));
            AtLeast(failures, options.MaxConnectionsPerUser, 1, nameof(options.MaxConnectionsPerUser));
            Rate(failures, options.SendsPerSecond, nameof(options.SendsPerSecond));
            Rate(failures, options.UploadsPerMinute, nameof(options.UploadsPerMinute));
            Rate(failures, options.ReactionsPerSecond, nameof(options.ReactionsPerSecond));
            return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
        }

        private static void AtLeast(List<string> failures, long value, long minimum, string setting)
        {
            if (value < minimum)
            {
                failures.Add($"Messaging__{setting} must be at least {minimum}.");
            }
        }

        private static void Rate(List<string> failures, double value, string setting)
        {
            if (!double.IsFinite(value) || value < 0)
            {
                failures.Add($"Messaging__{setting} must be 0 (no limit) or a positive number.");
            }
        }
    }
}
