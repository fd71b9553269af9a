using Messaging.Functions.Hosting;

// One executable, three ways to start it:
// - by the Azure Functions host (func start, Azure): the isolated worker;
// - "token <userId> [--name N]": print a development token;
// - otherwise: the standalone server, the same functions on ASP.NET Core.
if (FunctionsWorkerHost.IsStartedByFunctionsHost(args))
{
    FunctionsWorkerHost.Run(args);
}
else if (args is ["token", ..])
{
    return TokenCommand.Run(args[1..], Console.Out, Console.Error);
}
else
{
    await StandaloneServer.RunAsync(args);
}

return 0;
