namespace Messaging.Functions.Storage;

/// <summary>The <c>Attachments:DownloadUrlMinutes</c> setting: how long a download URL works (files and Blob storage alike).</summary>
public sealed class DownloadUrlOptions
{
    public const string Section = "Attachments";

    public const string Requirement = "Attachments__DownloadUrlMinutes must be a positive number of minutes.";

    public double DownloadUrlMinutes { get; set; } = 15;

    public TimeSpan Lifetime => TimeSpan.FromMinutes(DownloadUrlMinutes);

    public bool IsUsable => double.IsFinite(DownloadUrlMinutes) && DownloadUrlMinutes > 0 && DownloadUrlMinutes <= TimeSpan.MaxValue.TotalMinutes / 2;
}
