namespace Lab.Model.Text;

/// <summary>The one quoting of values into HCL (Vault policies, vault-agent's config).</summary>
public static class Hcl
{
    /// <summary>
    /// An HCL quoted string: JSON's escapes (HCL accepts them), and template sequences made literal
    /// ("${" → "$${", "%{" → "%%{"), so a value is never interpolated or evaluated.
    /// </summary>
    public static string Quote(string value) =>
        Json.Quote(value).Replace("${", "$${", StringComparison.Ordinal).Replace("%{", "%%{", StringComparison.Ordinal);
}
