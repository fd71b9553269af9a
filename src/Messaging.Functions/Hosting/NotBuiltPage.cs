namespace Messaging.Functions.Hosting;

/// <summary>What <c>/</c> answers when the web client is not built: what to install, and the command that builds it.</summary>
public static class NotBuiltPage
{
    /// <summary>A static page: no script, no style, nothing loaded.</summary>
    public const string ContentSecurityPolicy = "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    public const string Html = """
        <!doctype html>
        <html lang="en">
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>Messaging: the web client is not built</title>
        <h1>The server runs, but the web client is not built</h1>
        <p>The chat page is built from <code>web/</code> with Node.js. Install
        <a href="https://nodejs.org/">Node.js</a> 20.19 or later (with npm), then build and start again
        from the repository root:</p>
        <pre>dotnet run --project src/Messaging.Functions</pre>
        <p>The build runs <code>npm ci</code> and <code>npm run build</code> in <code>web/</code> whenever
        Node.js is on the PATH. To build the client by hand instead:</p>
        <pre>cd web &amp;&amp; npm ci &amp;&amp; npm run build</pre>
        <p>then restart the server. Meanwhile the API answers under <a href="/api/health">/api/</a>.</p>
        </html>
        """;
}
