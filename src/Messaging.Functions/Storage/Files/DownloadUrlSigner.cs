using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Messaging.Functions.Auth;

namespace Messaging.Functions.Storage.Files;

/// <summary>
/// Signs the standalone server's own download URLs: <c>/api/messaging/files/{id}?expires=…&amp;signature=…</c>,
/// an HMAC over the attachment id and expiry with a secret generated once under the data path.
/// </summary>
public sealed class DownloadUrlSigner
{
    public const string KeyFileName = "download-url-key";
    private readonly byte[] _key;
    private readonly TimeProvider _time;

    public DownloadUrlSigner(string dataPath, TimeProvider time, TimeSpan lifetime)
    {
        _key = LoadOrCreateKey(dataPath);
        _time = time;
        Lifetime = lifetime;
    }

    public TimeSpan Lifetime { get; }

    public string Sign(string attachmentId)
    {
        var expires = _time.GetUtcNow().Add(Lifetime).ToUnixTimeSeconds();
        return $"/api/messaging/files/{Uri.EscapeDataString(attachmentId)}?expires={expires.ToString(CultureInfo.InvariantCulture)}&signature={Signature(attachmentId, expires)}";
    }

    public bool Verify(string attachmentId, string? expires, string? signature)
    {
        if (!long.TryParse(expires, NumberStyles.None, CultureInfo.InvariantCulture, out var expiresAt)
            || expiresAt < _time.GetUtcNow().ToUnixTimeSeconds()
            || string.IsNullOrEmpty(signature))
        {
            return false;
        }

        return CryptographicOperations.FixedTimeEquals(
            Encoding.ASCII.GetBytes(Signature(attachmentId, expiresAt)), Encoding.ASCII.GetBytes(signature));
    }

    private string Signature(string attachmentId, long expires)
    {
        var mac = HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes($"{attachmentId}\n{expires.ToString(CultureInfo.InvariantCulture)}"));
        return Convert.ToBase64String(mac).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    private static byte[] LoadOrCreateKey(string dataPath) => SecretFile.LoadOrCreate(dataPath, KeyFileName, 32);
}

/// <summary>The standalone download URLs when attachments are files; both null when they live in Blob storage.</summary>
public sealed record LocalDownloads(DownloadUrlSigner? Signer, FileSystemContentStore? Files);
