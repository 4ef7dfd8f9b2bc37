using System.Data.Common;
using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Workflows.Engine.Store;

namespace Workflows.Server;

/// <summary>
/// The Data Protection key ring in the engine's database (table data_protection_keys), for stores that
/// several nodes share: a credential saved or a cookie issued by one node is readable by every node.
/// </summary>
public sealed class StoreKeyRing(StoreProvider store) : IXmlRepository
{
    public IReadOnlyCollection<XElement> GetAllElements()
    {
        using var connection = store.OpenConnection();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT xml FROM data_protection_keys ORDER BY name";
        using var reader = command.ExecuteReader();
        var keys = new List<XElement>();
        while (reader.Read()) keys.Add(XElement.Parse(reader.GetString(0)));
        return keys;
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        using var connection = store.OpenConnection();
        using var command = connection.CreateCommand();
        // Two nodes may make the first key at once; both keys are kept and either decrypts what it protected.
        command.CommandText = "INSERT INTO data_protection_keys (name, xml) VALUES (@name, @xml) ON CONFLICT (name) DO NOTHING";
        Add(command, "name", friendlyName);
        Add(command, "xml", element.ToString(SaveOptions.DisableFormatting));
        command.ExecuteNonQuery();
    }

    static void Add(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = "@" + name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }
}
