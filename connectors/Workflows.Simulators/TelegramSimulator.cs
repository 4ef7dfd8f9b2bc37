using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Workflows.Simulators;

/// <summary>
/// Telegram Bot API sendMessage at /bot{token}/sendMessage (and getMe) (JSON, form or query). 401 Unauthorized for
/// a bad token, 400 "chat not found" for chat <see cref="MissingChat"/>, 403 for <see cref="BlockedChat"/>,
/// 429 with retry_after for the configured failures. What was sent is at GET /sent.
/// </summary>
public sealed class TelegramSimulator : HttpSimulator
{
    public const string Token = "123456:demo-bot-token";
    public const string MissingChat = "404";
    public const string BlockedChat = "403";
    int _message;

    protected override void Map(WebApplication app) =>
        app.MapMethods("/{bot}/{method}", ["GET", "POST"], async (string bot, string method, HttpRequest request) =>
        {
            if (!bot.StartsWith("bot", StringComparison.Ordinal)) return Fail(404, "Not Found");
            if (bot[3..] != Token) return Fail(401, "Unauthorized");
            if (method.Equals("getMe", StringComparison.OrdinalIgnoreCase))
                return Json(new JsonObject { ["ok"] = true, ["result"] = new JsonObject { ["id"] = 123456, ["is_bot"] = true, ["first_name"] = "Shop", ["username"] = "demo_shop_bot" } });
            if (!method.Equals("sendMessage", StringComparison.OrdinalIgnoreCase)) return Fail(404, "Not Found");
            if (TakeFailure())
            {
                var limited = Error(429, "Too Many Requests: retry after 1");
                limited["parameters"] = new JsonObject { ["retry_after"] = 1 };
                return Json(limited, 429);
            }
            var p = await ReadParams(request);
            var chat = Str(p["chat_id"]);
            var text = Str(p["text"]);
            if (string.IsNullOrEmpty(chat)) return Fail(400, "Bad Request: chat_id is empty");
            if (string.IsNullOrEmpty(text)) return Fail(400, "Bad Request: message text is empty");
            if (chat == MissingChat) return Fail(400, "Bad Request: chat not found");
            if (chat == BlockedChat) return Fail(403, "Forbidden: bot was blocked by the user");
            var id = Interlocked.Increment(ref _message);
            Sent.Enqueue(new JsonObject { ["chat_id"] = chat, ["text"] = text, ["parse_mode"] = Str(p["parse_mode"]), ["message_id"] = id });
            return Json(new JsonObject
            {
                ["ok"] = true,
                ["result"] = new JsonObject
                {
                    ["message_id"] = id,
                    ["from"] = new JsonObject { ["id"] = 1, ["is_bot"] = true, ["first_name"] = "Shop" },
                    ["chat"] = new JsonObject { ["id"] = long.TryParse(chat, out var c) ? c : 0, ["type"] = "private" },
                    ["date"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
                    ["text"] = text,
                },
            });
        });

    static JsonObject Error(int code, string description) => new() { ["ok"] = false, ["error_code"] = code, ["description"] = description };
    static IResult Fail(int code, string description) => Json(Error(code, description), code);
}
