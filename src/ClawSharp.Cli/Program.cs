using ClawSharp.Cli;

// The moment the operator asked, before anything else runs: restart requests are judged by it.
ClawSharp.Control.Lifecycle.OperatorRequest.MarkStarted();
return await CliApplication.RunAsync(args).ConfigureAwait(false);
