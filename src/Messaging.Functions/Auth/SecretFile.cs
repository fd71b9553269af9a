using System.Security.Cryptography;

namespace Messaging.Functions.Auth;

/// <summary>
/// A random secret generated once and kept in a file readable by its owner only (0600). Concurrent
/// first starts agree: the file is created by an atomic move, and the loser reads the winner's.
/// </summary>
public static class SecretFile
{
    public static byte[] LoadOrCreate(string folder, string fileName, int bytes)
    {
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, fileName);
        if (File.Exists(path))
        {
            return Convert.FromBase64String(File.ReadAllText(path).Trim());
        }

        var secret = RandomNumberGenerator.GetBytes(bytes);
        var temporary = $"{path}.{Guid.NewGuid():N}";
        File.WriteAllText(temporary, Convert.ToBase64String(secret));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        try
        {
            File.Move(temporary, path, overwrite: false);
            return secret;
        }
        catch (IOException) when (File.Exists(path))
        {
            File.Delete(temporary);
            return Convert.FromBase64String(File.ReadAllText(path).Trim());
        }
    }
}
