using System.Text.Json;

namespace Lab.Model.Text;

/// <summary>JSON string literals: the base of the YAML and HCL quoting (both accept JSON's escapes).</summary>
internal static class Json
{
    private static readonly JsonSerializerOptions Readable = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>A double-quoted string with every quote, backslash and control character escaped; readable (°C stays °C).</summary>
    public static string Quote(string value) => JsonSerializer.Serialize(value, Readable);

    /// <summary>A whole JSON document (a Grafana dashboard), every string quoted as <see cref="Quote"/> quotes it.</summary>
    public static string Render(System.Text.Json.Nodes.JsonNode document) =>
        document.ToJsonString(new JsonSerializerOptions(Readable) { WriteIndented = true }) + "\n";
}
