namespace ClawSharp.Gateway.Configuration;

/// <summary>Agents and run concurrency (config object <c>agents</c>).</summary>
internal sealed class AgentOptions
{
    /// <summary>Agent of a session that names none: <c>echo</c> (default, offline), <c>exec</c> or <c>openai</c>.</summary>
    public string Default { get; init; } = "echo";

    /// <summary>Global cap on concurrent runs across sessions. Default: the processor count.</summary>
    public int MaxConcurrentRuns { get; init; } = Environment.ProcessorCount;

    /// <summary>Delay before the echo agent answers (<c>agents.echo.delayMs</c>). Default 0.</summary>
    public TimeSpan EchoDelay { get; init; } = TimeSpan.Zero;

    /// <summary>Command line of the exec agent, run with <c>/bin/sh -c</c> (<c>agents.exec.command</c>). Default none.</summary>
    public string? ExecCommand { get; init; }

    /// <summary>How long an exec run may take (<c>agents.exec.timeoutMs</c>). Default 60 s.</summary>
    public TimeSpan ExecTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Bytes of an exec reply kept (<c>agents.exec.maxReplyBytes</c>); past it the rest is read and dropped and the reply ends with a marker. Default 1 MiB.</summary>
    public int ExecMaxReplyBytes { get; init; } = 1024 * 1024;

    /// <summary>
    /// Names of the gateway's environment variables an exec agent sees (<c>agents.exec.environment</c>;
    /// <c>NAME*</c> is a prefix). Default <see cref="DefaultChildEnvironment"/>. The variable named
    /// by <see cref="OpenAiApiKeyEnv"/>, <c>CLAWSHARP_TOKEN</c> and <c>CLAWSHARP_PASSWORD</c> are never passed.
    /// </summary>
    public IReadOnlyList<string> ExecEnvironment { get; init; } = DefaultChildEnvironment;

    /// <summary>Base URL of an OpenAI-compatible API, up to and including <c>/v1</c> (<c>agents.openai.baseUrl</c>).</summary>
    public string? OpenAiBaseUrl { get; init; }

    /// <summary>Model name sent to the API (<c>agents.openai.model</c>). Default <c>gpt-4o-mini</c>.</summary>
    public string OpenAiModel { get; init; } = "gpt-4o-mini";

    /// <summary>Environment variable holding the API key (<c>agents.openai.apiKeyEnv</c>). Default <c>OPENAI_API_KEY</c>; else <c>secrets.json</c> key <c>openaiApiKey</c>.</summary>
    public string OpenAiApiKeyEnv { get; init; } = "OPENAI_API_KEY";

    /// <summary>How long an openai run may take (<c>agents.openai.timeoutMs</c>). Default 120 s.</summary>
    public TimeSpan OpenAiTimeout { get; init; } = TimeSpan.FromSeconds(120);

    public static readonly IReadOnlyList<string> Names = ["echo", "exec", "openai"];

    /// <summary>What a child command needs to find programs, write temporary files and speak the locale; nothing secret.</summary>
    public static readonly IReadOnlyList<string> DefaultChildEnvironment =
        ["PATH", "HOME", "USER", "LOGNAME", "LANG", "LANGUAGE", "LC_*", "TZ", "TMPDIR", "SHELL", "TERM"];
}
