using Workflows.Connectors.Common;

namespace Workflows.Connectors.Credentials;

/// <summary>One field of a credential: secret ones are write-only (never sent back, not even to admins).</summary>
public sealed record CredentialField(string Name, string Label, bool Secret = false, string? Help = null);

/// <summary>What a connection test found, in a sentence.</summary>
public sealed record CredentialTestResult(bool Ok, string Message);

/// <summary>
/// A kind of credential (bitrix24, telegram…): the fields its connector reads, and, where the vendor has a cheap
/// read-only call, a connection test. Each connector declares its own next to the code that reads the fields.
/// </summary>
public sealed record CredentialKind(string Name, string Title, IReadOnlyList<CredentialField> Fields,
    Func<ConnectorServices, Credential, CancellationToken, Task<CredentialTestResult>>? Test = null)
{
    public bool IsSecret(string field) => Fields.FirstOrDefault(f => f.Name == field)?.Secret
        // A field no kind describes is treated as secret: better hidden than shown.
        ?? true;

    /// <summary>A test from a vendor call: the call's own error text when it failed.</summary>
    public static async Task<CredentialTestResult> FromCall(Task<VendorResult> call, string ok)
    {
        var result = await call;
        return result.Ok ? new(true, ok) : new(false, result.Error!.Description);
    }
}

/// <summary>Every kind the connectors of this assembly read; the credentials page offers these.</summary>
public static class CredentialKinds
{
    public static IReadOnlyList<CredentialKind> All { get; } =
    [
        Bitrix24.Bitrix24Api.Credential,
        Beeline.BeelineApi.Credential,
        Email.EmailSendNode.Credential,
        MoySklad.MoySkladApi.Credential,
        RetailCrm.RetailCrmApi.Credential,
        Sms.SmsSendNode.Credential,
        Telegram.SendMessageNode.Credential,
        VoxImplant.StartScenarioNode.Credential,
    ];

    public static CredentialKind? Find(string kind) => All.FirstOrDefault(k => string.Equals(k.Name, kind, StringComparison.OrdinalIgnoreCase));
}
