# syntax=docker/dockerfile:1
# ClawSharp gateway image: the linux-x64 Native AOT binary on Ubuntu 24.04 runtime-deps (the .NET 10
# images ship no Debian variant). How to build and run it, the token, the probes: docs/deploy.md.
#   docker build -t clawsharp .
#   docker run -d --name clawsharp -p 18790:18790 -v clawsharp-state:/var/lib/clawsharp --stop-timeout 45 clawsharp

# --- build: the AOT compiler links with clang; zlib1g-dev for the runtime's compression --------------
FROM mcr.microsoft.com/dotnet/sdk:10.0-noble AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends clang zlib1g-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY global.json Directory.Build.props Directory.Packages.props ./
COPY src/ src/
RUN dotnet publish src/ClawSharp.Cli/ClawSharp.Cli.csproj -c Release -r linux-x64 -p:PublishAot=true -o /out --nologo \
 && rm -f /out/*.dbg /out/*.pdb

# --- runtime: the binary, SQLite's native library beside it, tini, a non-root user --------------------
FROM mcr.microsoft.com/dotnet/runtime-deps:10.0-noble AS runtime
# tini is PID 1: it forwards SIGTERM to the gateway and reaps what an exec agent leaves orphaned
# (the gateway, as PID 1, would leave those zombies).
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 clawsharp \
 && useradd --system --uid 10001 --gid 10001 --home-dir /var/lib/clawsharp --no-create-home --shell /usr/sbin/nologin clawsharp \
 && install -d -m 0700 -o 10001 -g 10001 /var/lib/clawsharp
COPY --from=build /out/clawsharp /out/libe_sqlite3.so /usr/local/bin/
# The state directory (config.json, token, state.db, logs) is the volume. CLAWSHARP_NO_RESPAWN: a
# restart stays in process; a fresh-PID respawn would end the container's main process.
ENV CLAWSHARP_HOME=/var/lib/clawsharp \
    CLAWSHARP_NO_RESPAWN=1
VOLUME ["/var/lib/clawsharp"]
USER 10001:10001
EXPOSE 18790
# The gateway stops on SIGTERM: drain (10 s) then close (25 s). Give `docker stop` 45 s (--stop-timeout 45).
STOPSIGNAL SIGTERM
# /healthz without curl: bash's /dev/tcp. The port is the default; change it here if config.json moves it.
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s --retries=3 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/18790 && printf 'GET /healthz HTTP/1.0\\r\\n\\r\\n' >&3 && IFS= read -r line <&3 && [[ $line == *' 200 '* ]]"]
# 0.0.0.0, so that the published port reaches it: a non-loopback bind requires token auth (the default),
# the token being the state directory's `token` file (generated into the volume on first run, or yours).
ENTRYPOINT ["tini", "--", "clawsharp", "gateway", "run", "--bind", "0.0.0.0"]
