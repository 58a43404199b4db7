using ClawSharp.Cli;

return await CliApplication.RunAsync(args).ConfigureAwait(false);
