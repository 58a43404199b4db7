using System.Net;
using System.Text.Json;
using Serilog.Events;

namespace ClawSharp.Gateway.Configuration;

/// <summary>
/// Reads <c>config.json</c> (missing file = defaults), applies the command-line overrides
/// and validates the result. Unknown keys become warnings; an invalid value throws a
/// <see cref="ConfigException"/> naming the key and the file.
/// </summary>
internal static partial class ConfigLoader
{
    private static readonly HashSet<string> KnownObjects =
        ["gateway", "gateway.auth", "gateway.tls", "gateway.reload", "commands", "logs", "shutdown", "agents", "agents.echo", "agents.exec", "agents.openai", "tasks", "daemon", "webhooks", "store"];

    private static readonly Dictionary<string, Action<JsonElement, Builder, string>> Leaves = new()
    {
        ["gateway.port"] = (v, b, key) => b.Port = ReadInt(v, b, key, 0, 65535, "an integer from 0 to 65535"),
        ["gateway.bind"] = (v, b, key) => b.Bind = ReadBind(ReadString(v, b, key), b, key),
        ["gateway.auth.mode"] = (v, b, key) => b.AuthMode = ReadAuthMode(ReadString(v, b, key), b, key),
        ["gateway.auth.token"] = (v, b, key) => b.Token = ReadToken(v, b, key),
        ["gateway.auth.tokens"] = (v, b, key) => b.Tokens = ReadNamedTokens(v, b, key),
        ["gateway.auth.noneScopes"] = (v, b, key) => b.NoneScopes = ReadNoneScopes(v, b, key),
        ["gateway.allowedOrigins"] = (v, b, key) => b.AllowedOrigins = ReadOrigins(v, b, key),
        ["gateway.maxConnections"] = (v, b, key) => b.MaxConnections = ReadInt(v, b, key, 16, 1_000_000, "an integer from 16 to 1000000"),
        ["gateway.auth.password"] = (v, b, key) => b.Password = ReadNonEmpty(v, b, key),
        ["gateway.tls.certificateFile"] = (v, b, key) => b.TlsCertificateFile = ReadNonEmpty(v, b, key),
        ["gateway.tls.keyFile"] = (v, b, key) => b.TlsKeyFile = ReadNonEmpty(v, b, key),
        ["gateway.reload.mode"] = (v, b, key) => b.ReloadMode = ReadChoice(v, b, key, "off", "restart", "hot", "hybrid"),
        ["gateway.reload.deferralTimeoutMs"] = (v, b, key) =>
            b.DeferralTimeout = MillisecondsOrInfinite(ReadInt(v, b, key, 0, int.MaxValue, "a number of milliseconds ≥ 0 (0 = wait forever)")),
        ["gateway.reload.cooldownMs"] = (v, b, key) =>
            b.Cooldown = TimeSpan.FromMilliseconds(ReadInt(v, b, key, 0, int.MaxValue, "a number of milliseconds ≥ 0")),
        ["gateway.reload.spawnReadyTimeoutMs"] = (v, b, key) =>
            b.SpawnReadyTimeout = TimeSpan.FromMilliseconds(ReadInt(v, b, key, 1, 600_000, "a number of milliseconds from 1 to 600000")),
        ["gateway.reload.debounceMs"] = (v, b, key) =>
            b.Debounce = TimeSpan.FromMilliseconds(ReadInt(v, b, key, 0, 60_000, "a number of milliseconds from 0 to 60000")),
        ["gateway.reload.restartDelayMs"] = (v, b, key) =>
            b.ReloadRestartDelay = TimeSpan.FromMilliseconds(ReadInt(v, b, key, 0, 3_600_000, "a number of milliseconds from 0 to 3600000")),
        ["commands.restart"] = (v, b, key) => b.RestartEnabled = ReadBool(v, b, key),
        ["logs.maxFileBytes"] = (v, b, key) =>
            b.MaxFileBytes = ReadLong(v, b, key, LogFileOptions.MinimumFileBytes, long.MaxValue, $"a byte count ≥ {LogFileOptions.MinimumFileBytes}"),
        ["logs.maxBackups"] = (v, b, key) => b.MaxBackups = ReadInt(v, b, key, 0, 1000, "an integer from 0 to 1000"),
        ["logs.level"] = (v, b, key) => b.Level = ReadLevel(v, b, key),
        ["agents.default"] = (v, b, key) => b.DefaultAgent = ReadChoice(v, b, key, [.. AgentOptions.Names]),
        ["agents.maxConcurrentRuns"] = (v, b, key) => b.MaxConcurrentRuns = ReadInt(v, b, key, 1, 1024, "an integer from 1 to 1024"),
        ["agents.echo.delayMs"] = (v, b, key) => b.EchoDelay = TimeSpan.FromMilliseconds(ReadInt(v, b, key, 0, 3_600_000, "a number of milliseconds from 0 to 3600000")),
        ["agents.exec.command"] = (v, b, key) => b.ExecCommand = ReadNonEmpty(v, b, key),
        ["agents.exec.timeoutMs"] = (v, b, key) => b.ExecTimeout = TimeSpan.FromMilliseconds(ReadInt(v, b, key, 1, int.MaxValue, "a number of milliseconds ≥ 1")),
        ["agents.exec.maxReplyBytes"] = (v, b, key) => b.ExecMaxReplyBytes = ReadInt(v, b, key, 1024, 1024 * 1024 * 1024, "a byte count from 1024 to 1073741824"),
        ["agents.exec.environment"] = (v, b, key) => b.ExecEnvironment = ReadVariableNames(v, b, key),
        ["agents.openai.baseUrl"] = (v, b, key) => b.OpenAiBaseUrl = ReadUrl(v, b, key),
        ["agents.openai.model"] = (v, b, key) => b.OpenAiModel = ReadNonEmpty(v, b, key),
        ["agents.openai.apiKeyEnv"] = (v, b, key) => b.OpenAiApiKeyEnv = ReadNonEmpty(v, b, key),
        ["agents.openai.timeoutMs"] = (v, b, key) => b.OpenAiTimeout = TimeSpan.FromMilliseconds(ReadInt(v, b, key, 1, int.MaxValue, "a number of milliseconds ≥ 1")),
        ["tasks.retentionMs"] = (v, b, key) => b.TaskRetention = TimeSpan.FromMilliseconds(ReadLong(v, b, key, 1, long.MaxValue / 2, "a number of milliseconds ≥ 1")),
        ["store.durability"] = (v, b, key) =>
            b.StoreDurability = ReadChoice(v, b, key, "durable", "fast") == "fast" ? StoreDurability.Fast : StoreDurability.Durable,
        ["store.retentionDays"] = (v, b, key) =>
            b.StoreRetention = ReadInt(v, b, key, 0, 36_500, "a number of days from 0 (keep forever) to 36500") is var days and > 0 ? TimeSpan.FromDays(days) : Timeout.InfiniteTimeSpan,
        ["tasks.defaultTimeoutMs"] = (v, b, key) => b.TaskTimeout = TimeSpan.FromMilliseconds(ReadInt(v, b, key, 1, int.MaxValue, "a number of milliseconds ≥ 1")),
        ["webhooks.timeoutMs"] = (v, b, key) => b.WebhookTimeout = TimeSpan.FromMilliseconds(ReadInt(v, b, key, 1, 600_000, "a number of milliseconds from 1 to 600000")),
        ["webhooks.maxAttempts"] = (v, b, key) => b.WebhookMaxAttempts = ReadInt(v, b, key, 1, 1000, "an integer from 1 to 1000"),
        ["webhooks.maxAgeMs"] = (v, b, key) => b.WebhookMaxAge = TimeSpan.FromMilliseconds(ReadLong(v, b, key, 1, 30L * 86_400_000, "a number of milliseconds from 1 to 2592000000 (30 days)")),
        ["webhooks.maxConcurrentDeliveries"] = (v, b, key) => b.WebhookConcurrency = ReadInt(v, b, key, 1, 1024, "an integer from 1 to 1024"),
        ["webhooks.allowedHosts"] = (v, b, key) => b.WebhookAllowedHosts = ReadHostList(v, b, key),
        ["webhooks.allowLoopback"] = (v, b, key) => b.WebhookAllowLoopback = ReadBool(v, b, key),
        ["webhooks.allowPrivateNetworks"] = (v, b, key) => b.WebhookAllowPrivate = ReadBool(v, b, key),
        ["tasks.maxOutputBytes"] = (v, b, key) => b.TaskMaxOutputBytes = ReadInt(v, b, key, 1024, 1024 * 1024 * 1024, "a byte count from 1024 to 1073741824"),
        ["tasks.environment"] = (v, b, key) => b.TaskEnvironment = ReadVariableNames(v, b, key),
        ["daemon.backoffMs"] = (v, b, key) => b.InitialBackoff = TimeSpan.FromMilliseconds(ReadInt(v, b, key, 1, 3_600_000, "a number of milliseconds from 1 to 3600000")),
        ["daemon.backoffMaxMs"] = (v, b, key) => b.MaxBackoff = TimeSpan.FromMilliseconds(ReadInt(v, b, key, 1, 86_400_000, "a number of milliseconds from 1 to 86400000")),
        ["daemon.crashLimit"] = (v, b, key) => b.CrashLimit = ReadInt(v, b, key, 0, 1000, "an integer from 0 to 1000"),
        ["daemon.crashWindowMs"] = (v, b, key) => b.CrashWindow = TimeSpan.FromMilliseconds(ReadInt(v, b, key, 1, int.MaxValue, "a number of milliseconds ≥ 1")),
        ["daemon.resupervise"] = (v, b, key) => b.Resupervise = ReadBool(v, b, key),
        ["daemon.startTimeoutMs"] = (v, b, key) => b.StartTimeout = TimeSpan.FromMilliseconds(ReadInt(v, b, key, 1, 3_600_000, "a number of milliseconds from 1 to 3600000")),
        ["shutdown.timeoutMs"] = (v, b, key) =>
            b.StopTimeout = TimeSpan.FromMilliseconds(ReadInt(v, b, key, 1, 3_600_000, "a number of milliseconds from 1 to 3600000")),
        ["shutdown.drainTimeoutMs"] = (v, b, key) =>
            b.StopDrainTimeout = TimeSpan.FromMilliseconds(ReadInt(v, b, key, 0, 3_600_000, "a number of milliseconds from 0 (no drain) to 3600000")),
    };

    /// <summary>Every leaf key the loader reads (<c>gateway.port</c>, …): what <c>config set</c> accepts and the reload table classifies.</summary>
    public static IReadOnlyCollection<string> Keys => Leaves.Keys;

    /// <summary>Objects that hold leaves (<c>gateway.auth</c>, …).</summary>
    public static IReadOnlyCollection<string> Objects => KnownObjects;

    /// <summary>Loads and validates the configuration of <paramref name="state"/>.</summary>
    /// <exception cref="ConfigException">The file is unreadable, not JSON, or holds an invalid value.</exception>
    /// <summary>A <c>--password-file</c>'s password (any mode, as the gateway has always read it), for the gateway and the CLI alike.</summary>
    /// <exception cref="ConfigException">Missing, unreadable or empty.</exception>
    public static string ReadPasswordFile(string file)
    {
        try
        {
            var password = File.ReadAllText(file).Trim();
            return password.Length > 0 ? password : throw new ConfigException($"password file {file} is empty", file: file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigException($"cannot read password file {file}: {e.Message}", file: file);
        }
    }

    /// <summary>
    /// A directory where config.json should be: its message, else null. Not "no config": the
    /// operator's settings may be in there, and the defaults would silently apply instead.
    /// </summary>
    public static string? DirectoryInPlaceOfTheFile(string configFile) =>
        Directory.Exists(configFile) ? $"{configFile} is a directory, not the config file: move it away" : null;

    public static GatewayConfig Load(StateDirectory state, ConfigOverrides? overrides = null)
    {
        var builder = new Builder(state.ConfigFile);
        if (DirectoryInPlaceOfTheFile(state.ConfigFile) is { } inTheWay)
        {
            throw new ConfigException(inTheWay, file: state.ConfigFile);
        }
        if (File.Exists(state.ConfigFile))
        {
            ReadFile(state.ConfigFile, builder);
        }
        if (overrides is not null)
        {
            builder.Apply(overrides);
        }
        return builder.Build();
    }

    /// <summary>Validates <paramref name="text"/> as if it were the file <paramref name="path"/> (what <c>config set</c> would write).</summary>
    /// <exception cref="ConfigException">Not JSON, or an invalid value.</exception>
    public static GatewayConfig Parse(string text, string path, ConfigOverrides? overrides = null)
    {
        var builder = new Builder(path);
        ReadText(text, path, builder);
        if (overrides is not null)
        {
            builder.Apply(overrides);
        }
        return builder.Build();
    }

    private static void ReadFile(string path, Builder builder)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigException($"cannot read config file {path}: {e.Message}", file: path);
        }
        ReadText(text, path, builder);
    }

    private static void ReadText(string text, string path, Builder builder)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return;
        }
        try
        {
            using var document = JsonDocument.Parse(text, new JsonDocumentOptions
            {
                AllowTrailingCommas = true,
                CommentHandling = JsonCommentHandling.Skip,
                // A key given twice is ambiguous (which one did the operator mean?): refused, not the last one silently.
                AllowDuplicateProperties = false,
            });
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new ConfigException($"config file {path} must hold a JSON object", file: path);
            }
            Walk(document.RootElement, prefix: "", builder);
        }
        catch (JsonException e)
        {
            throw new ConfigException($"config file {path} is not valid JSON: {e.Message}", file: path);
        }
    }

    private static void Walk(JsonElement obj, string prefix, Builder builder)
    {
        foreach (var property in obj.EnumerateObject())
        {
            var key = prefix.Length == 0 ? property.Name : $"{prefix}.{property.Name}";
            if (Leaves.TryGetValue(key, out var apply))
            {
                apply(property.Value, builder, key);
            }
            else if (KnownObjects.Contains(key))
            {
                if (property.Value.ValueKind != JsonValueKind.Object)
                {
                    throw builder.Invalid(key, "must be an object");
                }
                Walk(property.Value, key, builder);
            }
            else
            {
                builder.Warnings.Add($"unknown config key '{key}' in {builder.Path} (ignored)");
            }
        }
    }

    private static int ReadInt(JsonElement value, Builder b, string key, int min, int max, string expected) =>
        (int)ReadLong(value, b, key, min, max, expected);

    private static long ReadLong(JsonElement value, Builder b, string key, long min, long max, string expected)
    {
        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number) && number >= min && number <= max)
        {
            return number;
        }
        throw b.InvalidValue(key, value, expected);
    }

    private static bool ReadBool(JsonElement value, Builder b, string key) => value.ValueKind switch
    {
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => throw b.InvalidValue(key, value, "true or false"),
    };

    private static string ReadString(JsonElement value, Builder b, string key) =>
        value.ValueKind == JsonValueKind.String ? value.GetString()! : throw b.InvalidValue(key, value, "a string");

    private static string ReadNonEmpty(JsonElement value, Builder b, string key)
    {
        var text = ReadString(value, b, key);
        return string.IsNullOrWhiteSpace(text) ? throw b.InvalidValue(key, value, "a non-empty string") : text;
    }

    /// <summary>A list of environment variable names, each optionally ending in <c>*</c> (a prefix).</summary>
    private static string[] ReadVariableNames(JsonElement value, Builder b, string key)
    {
        const string Expected = "an array of environment variable names (letters, digits, '_'; a trailing '*' matches a prefix)";
        if (value.ValueKind != JsonValueKind.Array)
        {
            throw b.InvalidValue(key, value, Expected);
        }
        var names = new List<string>();
        foreach (var item in value.EnumerateArray())
        {
            var name = item.ValueKind == JsonValueKind.String ? item.GetString()! : "";
            var stem = name.EndsWith('*') ? name[..^1] : name;
            if (stem.Length == 0 || !stem.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
            {
                throw b.InvalidValue(key, item, Expected);
            }
            names.Add(name);
        }
        return [.. names];
    }

    private static string ReadChoice(JsonElement value, Builder b, string key, params string[] choices)
    {
        var text = ReadString(value, b, key);
        return choices.Contains(text) ? text : throw b.InvalidValue(key, value, "one of " + string.Join(", ", choices));
    }

    private static string ReadUrl(JsonElement value, Builder b, string key)
    {
        var text = ReadString(value, b, key);
        return Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
            ? text.TrimEnd('/')
            : throw b.InvalidValue(key, value, "an http or https URL");
    }

    private static List<string> ReadHostList(JsonElement value, Builder b, string key)
    {
        const string Expected = "an array of host names (no scheme, port or path)";
        if (value.ValueKind != JsonValueKind.Array)
        {
            throw b.InvalidValue(key, value, Expected);
        }
        var hosts = new List<string>();
        foreach (var item in value.EnumerateArray())
        {
            var host = item.ValueKind == JsonValueKind.String ? item.GetString()!.Trim() : "";
            if (Uri.CheckHostName(host) == UriHostNameType.Unknown)
            {
                throw b.InvalidValue(key, item, Expected);
            }
            hosts.Add(host.ToLowerInvariant());
        }
        return hosts;
    }

    private static IPAddress ReadBind(string text, Builder b, string key) =>
        ConfigValues.TryParseBind(text, out var address)
            ? address
            : throw b.Invalid(key, $"must be an IP address or 'loopback', got \"{text}\"");

    private static AuthMode ReadAuthMode(string text, Builder b, string key) =>
        ConfigValues.TryParseAuthMode(text, out var mode)
            ? mode
            : throw b.Invalid(key, $"must be one of token, password, none, got \"{text}\"");

    private static LogEventLevel ReadLevel(JsonElement value, Builder b, string key)
    {
        var text = ReadString(value, b, key).ToLowerInvariant();
        return text switch
        {
            "verbose" or "trace" => LogEventLevel.Verbose,
            "debug" => LogEventLevel.Debug,
            "information" or "info" => LogEventLevel.Information,
            "warning" or "warn" => LogEventLevel.Warning,
            "error" => LogEventLevel.Error,
            "fatal" or "critical" => LogEventLevel.Fatal,
            _ => throw b.InvalidValue(key, value, "one of trace, debug, info, warn, error, fatal"),
        };
    }

    private static TimeSpan MillisecondsOrInfinite(int milliseconds) =>
        milliseconds == 0 ? Timeout.InfiniteTimeSpan : TimeSpan.FromMilliseconds(milliseconds);

    private sealed partial class Builder(string path)
    {
        public string Path { get; } = path;
        public List<string> Warnings { get; } = [];
        public int Port { get; set; } = GatewayOptions.DefaultPort;
        public IPAddress Bind { get; set; } = IPAddress.Loopback;
        public AuthMode AuthMode { get; set; } = AuthMode.Token;
        public string? Token { get; set; }

        /// <summary>True when <see cref="Token"/> came from <c>--token</c>, so a problem names that flag.</summary>
        public bool TokenFromFlag { get; set; }
        public string? Password { get; set; }
        public IReadOnlyList<NamedToken> Tokens { get; set; } = [];
        public IReadOnlySet<string> NoneScopes { get; set; } = new GatewayOptions().NoneScopes;
        public IReadOnlyList<string> AllowedOrigins { get; set; } = [];
        public int MaxConnections { get; set; } = GatewayOptions.DefaultMaxConnections;
        public string? TokenFile { get; set; }
        public string? TlsCertificateFile { get; set; }
        public string? TlsKeyFile { get; set; }
        public string ReloadMode { get; set; } = new RestartOptions().ReloadMode;
        public TimeSpan DeferralTimeout { get; set; } = new RestartOptions().DeferralTimeout;
        public bool RestartEnabled { get; set; } = true;
        public TimeSpan Cooldown { get; set; } = new RestartOptions().Cooldown;
        public TimeSpan SpawnReadyTimeout { get; set; } = new RestartOptions().SpawnReadyTimeout;
        public TimeSpan Debounce { get; set; } = new RestartOptions().ReloadDebounce;
        public TimeSpan ReloadRestartDelay { get; set; } = new RestartOptions().ReloadRestartDelay;
        public long MaxFileBytes { get; set; } = new LogFileOptions().MaxFileBytes;
        public int MaxBackups { get; set; } = new LogFileOptions().MaxBackups;
        public LogEventLevel Level { get; set; } = new LogFileOptions().Level;
        public TimeSpan StopTimeout { get; set; } = new ShutdownOptions().StopTimeout;
        public TimeSpan StopDrainTimeout { get; set; } = new ShutdownOptions().DrainTimeout;
        public string DefaultAgent { get; set; } = new AgentOptions().Default;
        public int MaxConcurrentRuns { get; set; } = new AgentOptions().MaxConcurrentRuns;
        public TimeSpan EchoDelay { get; set; }
        public string? ExecCommand { get; set; }
        public TimeSpan ExecTimeout { get; set; } = new AgentOptions().ExecTimeout;
        public int ExecMaxReplyBytes { get; set; } = new AgentOptions().ExecMaxReplyBytes;
        public IReadOnlyList<string> ExecEnvironment { get; set; } = AgentOptions.DefaultChildEnvironment;
        public string? OpenAiBaseUrl { get; set; }
        public string OpenAiModel { get; set; } = new AgentOptions().OpenAiModel;
        public string OpenAiApiKeyEnv { get; set; } = new AgentOptions().OpenAiApiKeyEnv;
        public TimeSpan OpenAiTimeout { get; set; } = new AgentOptions().OpenAiTimeout;
        public TimeSpan TaskRetention { get; set; } = new TaskOptions().Retention;
        public StoreDurability StoreDurability { get; set; } = new StoreOptions().Durability;
        public TimeSpan StoreRetention { get; set; } = StoreOptions.DefaultRetention;
        public TimeSpan TaskTimeout { get; set; } = new TaskOptions().DefaultTimeout;
        public TimeSpan WebhookTimeout { get; set; } = new WebhookOptions().Timeout;
        public int WebhookMaxAttempts { get; set; } = new WebhookOptions().MaxAttempts;
        public TimeSpan WebhookMaxAge { get; set; } = new WebhookOptions().MaxAge;
        public int WebhookConcurrency { get; set; } = new WebhookOptions().MaxConcurrentDeliveries;
        public List<string> WebhookAllowedHosts { get; set; } = [];
        public bool WebhookAllowLoopback { get; set; }
        public bool WebhookAllowPrivate { get; set; }
        public int TaskMaxOutputBytes { get; set; } = new TaskOptions().MaxOutputBytes;
        public IReadOnlyList<string> TaskEnvironment { get; set; } = AgentOptions.DefaultChildEnvironment;
        public TimeSpan InitialBackoff { get; set; } = new DaemonOptions().InitialBackoff;
        public TimeSpan MaxBackoff { get; set; } = new DaemonOptions().MaxBackoff;
        public int CrashLimit { get; set; } = new DaemonOptions().CrashLimit;
        public TimeSpan CrashWindow { get; set; } = new DaemonOptions().CrashWindow;
        public TimeSpan StartTimeout { get; set; } = new DaemonOptions().StartTimeout;
        public bool Resupervise { get; set; } = new DaemonOptions().Resupervise;

        public ConfigException InvalidValue(string key, JsonElement value, string expected) =>
            Invalid(key, $"must be {expected}, got {Describe(value)}");

        public ConfigException Invalid(string key, string problem) => new($"{key} {problem} (in {Path})", key, Path);

        public void Apply(ConfigOverrides overrides)
        {
            if (overrides.Port is { } port)
            {
                Port = port;
            }
            if (overrides.Bind is { } bind)
            {
                Bind = bind;
            }
            if (overrides.AuthMode is { } mode)
            {
                AuthMode = mode;
            }
            if (overrides.Token is { } token)
            {
                Token = token;
                TokenFromFlag = true;
            }
            else if (overrides.TokenFile is { } tokenFile)
            {
                Token = PrivateSecretFile.Read(tokenFile, "token file");
                TokenFile = tokenFile;
            }
            if (overrides.PasswordFile is { } passwordFile)
            {
                Password = ReadPasswordFile(passwordFile);
                if (overrides.AuthMode is null)
                {
                    AuthMode = AuthMode.Password;
                }
            }
        }

        public GatewayConfig Build()
        {
            if (AuthMode == AuthMode.Password && string.IsNullOrEmpty(Password))
            {
                throw new ConfigException(
                    $"gateway.auth.mode is password but no password is set: pass --password-file FILE or set gateway.auth.password in {Path}", "gateway.auth.password", Path);
            }
            if (!IPAddress.IsLoopback(Bind) && AuthMode == AuthMode.None)
            {
                throw new ConfigException(
                    $"refusing to bind {Bind} without auth: a non-loopback bind needs gateway.auth.mode token or password (in {Path} or --auth)", "gateway.auth.mode", Path);
            }
            CheckSecrets();
            if ((TlsCertificateFile is null) != (TlsKeyFile is null))
            {
                var missing = TlsCertificateFile is null ? "gateway.tls.certificateFile" : "gateway.tls.keyFile";
                throw new ConfigException($"{missing} is missing: gateway.tls needs both certificateFile and keyFile (PEM) (in {Path})", missing, Path);
            }
            TlsFiles? tls = null;
            if (TlsCertificateFile is not null && TlsKeyFile is not null)
            {
                var directory = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(Path))!;
                tls = new TlsFiles(System.IO.Path.GetFullPath(TlsCertificateFile, directory), System.IO.Path.GetFullPath(TlsKeyFile, directory));
                // Loaded once here, so that a bad file is a configuration error (exit 78) naming it, not a failed server start.
                tls.Load().Dispose();
            }
            return new GatewayConfig
            {
                Gateway = new GatewayOptions
                {
                    Port = Port,
                    Bind = Bind,
                    AuthMode = AuthMode,
                    Token = Token,
                    TokenFile = TokenFile,
                    Password = Password,
                    Tokens = Tokens,
                    NoneScopes = NoneScopes,
                    AllowedOrigins = AllowedOrigins,
                    MaxConnections = MaxConnections,
                    Tls = tls,
                },
                Logs = new LogFileOptions { MaxFileBytes = MaxFileBytes, MaxBackups = MaxBackups, Level = Level },
                Shutdown = new ShutdownOptions { StopTimeout = StopTimeout, DrainTimeout = StopDrainTimeout },
                Restart = new RestartOptions
                {
                    Enabled = RestartEnabled,
                    ReloadMode = ReloadMode,
                    DeferralTimeout = DeferralTimeout,
                    Cooldown = Cooldown,
                    SpawnReadyTimeout = SpawnReadyTimeout,
                    ReloadDebounce = Debounce,
                    ReloadRestartDelay = ReloadRestartDelay,
                },
                Agents = new AgentOptions
                {
                    Default = DefaultAgent,
                    MaxConcurrentRuns = MaxConcurrentRuns,
                    EchoDelay = EchoDelay,
                    ExecCommand = ExecCommand,
                    ExecTimeout = ExecTimeout,
                    ExecMaxReplyBytes = ExecMaxReplyBytes,
                    ExecEnvironment = ExecEnvironment,
                    OpenAiBaseUrl = OpenAiBaseUrl,
                    OpenAiModel = OpenAiModel,
                    OpenAiApiKeyEnv = OpenAiApiKeyEnv,
                    OpenAiTimeout = OpenAiTimeout,
                },
                Webhooks = new WebhookOptions
                {
                    Timeout = WebhookTimeout,
                    MaxAttempts = WebhookMaxAttempts,
                    MaxAge = WebhookMaxAge,
                    MaxConcurrentDeliveries = WebhookConcurrency,
                    AllowedHosts = WebhookAllowedHosts,
                    AllowLoopback = WebhookAllowLoopback,
                    AllowPrivateNetworks = WebhookAllowPrivate,
                },
                Tasks = new TaskOptions
                {
                    Retention = TaskRetention,
                    DefaultTimeout = TaskTimeout,
                    MaxOutputBytes = TaskMaxOutputBytes,
                    Environment = TaskEnvironment,
                },
                Store = new StoreOptions { Durability = StoreDurability, Retention = StoreRetention },
                Daemon = new DaemonOptions
                {
                    InitialBackoff = InitialBackoff,
                    MaxBackoff = MaxBackoff < InitialBackoff ? InitialBackoff : MaxBackoff,
                    CrashLimit = CrashLimit,
                    CrashWindow = CrashWindow,
                    StartTimeout = StartTimeout,
                    Resupervise = Resupervise,
                },
                Warnings = Warnings,
            };
        }

        public static string Describe(JsonElement value) => value.ValueKind switch
        {
            JsonValueKind.String => $"\"{value.GetString()}\"",
            JsonValueKind.Object => "an object",
            JsonValueKind.Array => "an array",
            _ => value.GetRawText(),
        };
    }
}
