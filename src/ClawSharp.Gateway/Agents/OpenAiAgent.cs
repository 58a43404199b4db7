using System.Net.Http.Headers;
using System.Text.Json;

namespace ClawSharp.Gateway.Agents;

/// <summary>
/// Any OpenAI-compatible <c>/chat/completions</c> endpoint. The API key comes from the
/// environment or the state directory's <c>secrets.json</c>, never from a command line.
/// </summary>
internal sealed class OpenAiAgent(Lazy<HttpClient> http, string? baseUrl, string model, string? apiKey, TimeSpan timeout) : IAgent
{
    public string Name => "openai";

    /// <summary>Never: it acts outside the gateway (an HTTP request).</summary>
    public AgentReply? AnswerAtOnce(AgentRequest request) => null;

    public async Task<AgentReply> RunAsync(AgentRequest request, CancellationToken cancellationToken)
    {
        if (baseUrl is null)
        {
            return AgentReply.Failure("the openai agent has no endpoint: set agents.openai.baseUrl in config.json");
        }
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        using var message = new HttpRequestMessage(HttpMethod.Post, $"{baseUrl}/chat/completions")
        {
            Content = new ByteArrayContent(RequestBody(request.Text)) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } },
        };
        if (apiKey is not null)
        {
            message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        }
        try
        {
            using var response = await http.Value.SendAsync(message, limit.Token).ConfigureAwait(false);
            var body = await response.Content.ReadAsStringAsync(limit.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                return AgentReply.Failure($"openai endpoint answered {(int)response.StatusCode}: {Truncate(body)}");
            }
            using var document = JsonDocument.Parse(body);
            var content = document.RootElement.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString();
            return AgentReply.Success(content ?? "");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return AgentReply.Failure($"openai endpoint did not answer within {timeout.TotalMilliseconds:F0} ms");
        }
        catch (HttpRequestException e)
        {
            return AgentReply.Failure($"openai endpoint unreachable: {e.Message}");
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or IndexOutOfRangeException)
        {
            return AgentReply.Failure($"openai endpoint sent an unexpected answer: {e.Message}");
        }
    }

    private byte[] RequestBody(string text)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            writer.WriteString("model", model);
            writer.WriteStartArray("messages");
            writer.WriteStartObject();
            writer.WriteString("role", "user");
            writer.WriteString("content", text);
            writer.WriteEndObject();
            writer.WriteEndArray();
            writer.WriteEndObject();
        }
        return stream.ToArray();
    }

    private static string Truncate(string text) => text.Length > 300 ? text[..300] + "…" : text;
}
