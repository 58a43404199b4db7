using BenchmarkDotNet.Running;
using ClawSharp.Bench;

// usage:
//   dotnet run -c Release --project bench/ClawSharp.Bench -- throughput BINARY [clients] [messagesPerClient]
//   dotnet run -c Release --project bench/ClawSharp.Bench -- latency BINARY [ratePerSecond] [seconds] [clients]
//   dotnet run -c Release --project bench/ClawSharp.Bench -- micro [BenchmarkDotNet args]
//   dotnet run -c Release --project bench/ClawSharp.Bench -- restart BINARY [rounds]
//   dotnet run -c Release --project bench/ClawSharp.Bench -- pressure BINARY [rounds]   (issue 17; exit 1 if a round violated a check)
return args.FirstOrDefault() switch
{
    "throughput" => await MessageBench.ThroughputAsync(args[1], Arg(2, 8), Arg(3, 2000)),
    "latency" => await MessageBench.LatencyAsync(args[1], Arg(2, 1000), Arg(3, 10), Arg(4, 4)),
    "micro" => Micro(args[1..]),
    "store" => await StoreBench.RunAsync(Arg(1, 5000), Arg(2, 1)),
    "restart" => await RestartBench.RunAsync(args[1], Arg(2, 20)),
    "pressure" => await PressureBench.RunAsync(args[1], Arg(2, 20)),
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
    Console.Error.WriteLine("usage: ClawSharp.Bench throughput|latency|restart|pressure BINARY [...] | store [n] [pipelines] | micro [...]");
    return 2;
}
