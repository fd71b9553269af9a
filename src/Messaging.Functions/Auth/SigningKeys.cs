using System.Text;
using Messaging.Functions.Hosting;

namespace Messaging.Functions.Auth;

/// <summary>
/// The HS256 key in force: the configured <c>Auth__SigningKey</c>, or with no auth configuration at
/// all a development key generated once and kept under the data path, so that the server and the
/// <c>token</c> command agree. There is never a well-known fallback key.
/// </summary>
public static class SigningKeys
{
    public const int MinimumKeyBytes = 32;
    public const string DevelopmentKeyFileName = "dev-signing-key";

    public static bool IsDevelopmentMode(AuthOptions options) =>
        string.IsNullOrWhiteSpace(options.SigningKey) && string.IsNullOrWhiteSpace(options.Authority);

    public static byte[] Resolve(AuthOptions options, string dataPath)
    {
        if (!string.IsNullOrWhiteSpace(options.SigningKey))
        {
            var key = Encoding.UTF8.GetBytes(options.SigningKey);
            if (key.Length < MinimumKeyBytes)
            {
                // Never the key, nor its length: a key in a log or a terminal is a key given away.
                throw new StartupException($"Auth__SigningKey must be at least {MinimumKeyBytes} bytes (UTF-8); make one with: openssl rand -base64 32");
            }

            return key;
        }

        return LoadOrCreateDevelopmentKey(dataPath);
    }

    private static byte[] LoadOrCreateDevelopmentKey(string dataPath) => SecretFile.LoadOrCreate(dataPath, DevelopmentKeyFileName, 64);
}
