using System.Text;

namespace Workflows.Tests.Support;

/// <summary>Sends JSON text as the tests write it (hand-made, sometimes hostile), disposing the request content.</summary>
public static class HttpJson
{
    public static async Task<HttpResponseMessage> PostJsonAsync(this HttpClient http, string url, string json)
    {
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        return await http.PostAsync(url, content);
    }

    public static async Task<HttpResponseMessage> PutJsonAsync(this HttpClient http, string url, string json)
    {
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        return await http.PutAsync(url, content);
    }
}
