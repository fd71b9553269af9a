namespace Messaging.Tests.Support;

public static class TemporaryFolder
{
    /// <summary>
    /// Removes a test's data folder. SQLite removes its -wal and -shm files when its last connection
    /// closes, which can race a recursive delete ("Directory not empty"): try again briefly, and
    /// leave the folder to the OS's temp cleanup rather than fail the test over it.
    /// </summary>
    public static void DeleteQuietly(string path)
    {
        for (var attempt = 1; attempt <= 3; attempt++)
        {
            try
            {
                if (Directory.Exists(path))
                {
                    Directory.Delete(path, recursive: true);
                }

                return;
            }
            catch (IOException)
            {
                Thread.Sleep(50 * attempt);
            }
            catch (UnauthorizedAccessException)
            {
                return;
            }
        }
    }
}
