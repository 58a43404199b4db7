using BenchmarkDotNet.Running;
using ClawSharp.Bench;

// usage (bench/README.md says which figure each gives):
//   dotnet run -c Release --project bench/ClawSharp.Bench -- throughput BINARY [clients=8] [messagesPerClient=2000] [window=0 (unbounded)]
//   dotnet run -c Release --project bench/ClawSharp.Bench -- latency BINARY [ratePerSecond=1000] [seconds=10] [clients=4]
//   dotnet run -c Release --project bench/ClawSharp.Bench -- http BINARY [messages=20000] [connections=1]
//   dotnet run -c Release --project bench/ClawSharp.Bench -- send HOME PORT [messages=100000] [clients=8] [window=256]   (a running gateway)
//   dotnet run -c Release --project bench/ClawSharp.Bench -- ceiling [clients=8] [messagesPerClient=20000] [window=0]   (the generator's own limit)
//   dotnet run -c Release --project bench/ClawSharp.Bench -- ceiling-http [messages=20000] [connections=1]           (the HTTP client's own limit)
//   dotnet run -c Release --project bench/ClawSharp.Bench -- micro [BenchmarkDotNet args]
//   dotnet run -c Release --project bench/ClawSharp.Bench -- store [messages=5000] [pipelines=1] [durable|fast]        (the store alone, through the group commit)
//   dotnet run -c Release --project bench/ClawSharp.Bench -- restart BINARY [rounds]
//   dotnet run -c Release --project bench/ClawSharp.Bench -- pressure BINARY [rounds]   (issue 17; exit 1 if a round violated a check)
// throughput, latency, http and send print a human line and then one JSON line; exit 1 when a message went unanswered.
return args.FirstOrDefault() switch
{
    "throughput" when args.Length > 1 => await MessageBench.ThroughputAsync(args[1], Arg(2, 8), Arg(3, 2000), Arg(4, 0)),
    "latency" when args.Length > 1 => await MessageBench.LatencyAsync(args[1], Arg(2, 1000), Arg(3, 10), Arg(4, 4)),
    "http" when args.Length > 1 => await HttpBench.RunAsync(args[1], Arg(2, 20000), Arg(3, 1)),
    "send" when args.Length > 2 => await MessageBench.SendAsync(args[1], Arg(2, 0), Arg(3, 100000), Arg(4, 8), Arg(5, 256)),
    "ceiling" => await CeilingBench.RunAsync(Arg(1, 8), Arg(2, 20000), Arg(3, 0)),
    "ceiling-http" => await CeilingBench.HttpAsync(Arg(1, 20000), Arg(2, 1)),
    "micro" => Micro(args[1..]),
    "store" => await StoreBench.RunAsync(Arg(1, 5000), Arg(2, 1),
        args.Length > 3 && args[3] == "fast" ? ClawSharp.Gateway.Configuration.StoreDurability.Fast : ClawSharp.Gateway.Configuration.StoreDurability.Durable),
    "restart" when args.Length > 1 => await RestartBench.RunAsync(args[1], Arg(2, 20)),
    "pressure" when args.Length > 1 => await PressureBench.RunAsync(args[1], Arg(2, 20)),
    _ => Usage(),
};

int Arg(int index, int fallback) => args.Length > index ? int.Parse(args[index], System.Globalization.CultureInfo.InvariantCulture) : fallback;

static int Micro(string[] rest)
{
    BenchmarkSwitcher.FromAssembly(typeof(MessageBench).Assembly).Run(rest);
    return 0;
}

static int Usage()
{
    Console.Error.WriteLine("usage: ClawSharp.Bench throughput|latency|http|restart|pressure BINARY [...] | send HOME PORT [...] | ceiling [clients] [perClient] | ceiling-http [messages] [connections] | store [n] [pipelines] [durable|fast] | micro [...]");
    return 2;
}
