using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Workflows.Simulators;

/// <summary>
/// An SMS.ru-style gateway at /sms/send (api_id, to, msg, json=1). Answers HTTP 200 with
/// status OK/ERROR and SMS.ru status codes: 200 wrong api_id, 202 bad recipient, 203 empty text,
/// 220 temporarily unavailable (the configured failures). What was sent is at GET /sent.
/// </summary>
public sealed class SmsSimulator : HttpSimulator
{
    public const string ApiId = "demo-sms-api-id";
    int _id;

    protected override void Map(WebApplication app) =>
        app.MapMethods("/sms/send", ["GET", "POST"], async (HttpRequest request) =>
        {
            var p = await ReadParams(request);
            if (Str(p["api_id"]) != ApiId) return Error(200, "Неправильный api_id");
            if (TakeFailure()) return Error(220, "Сервис временно недоступен, попробуйте чуть позже");
            var to = Str(p["to"]) ?? "";
            var text = Str(p["msg"]) ?? "";
            if (text.Length == 0) return Error(203, "Нет текста сообщения");
            var digits = new string(to.Where(char.IsDigit).ToArray());
            if (digits.Length is < 10 or > 15) return Error(202, "Неправильно указан номер телефона получателя");
            var smsId = $"{Interlocked.Increment(ref _id):000000}-{Random.Shared.Next(10000000, 99999999)}";
            Sent.Enqueue(new JsonObject { ["to"] = digits, ["text"] = text, ["from"] = Str(p["from"]), ["sms_id"] = smsId });
            return Json(new JsonObject
            {
                ["status"] = "OK",
                ["status_code"] = 100,
                ["sms"] = new JsonObject { [digits] = new JsonObject { ["status"] = "OK", ["status_code"] = 100, ["sms_id"] = smsId } },
                ["balance"] = 4122.56,
            });
        });

    static IResult Error(int code, string text) =>
        Json(new JsonObject { ["status"] = "ERROR", ["status_code"] = code, ["status_text"] = text });
}
