using System.Text;
using Lab.Model.Spec;
using Lab.Model.Text;

namespace Lab.Model.Vault;

/// <summary>One policy per role, rendered as Vault HCL from what the role reads and writes. Nothing else is granted.</summary>
public static class VaultPolicies
{
    public static readonly string[] ReadCapabilities = ["read"];
    public static readonly string[] WriteCapabilities = ["create", "read", "update", "patch"];

    public static string Render(VaultSpec vault, VaultRoleSpec role)
    {
        var text = new StringBuilder()
            .Append("# Rendered by Lab.Model for one AppRole role of the lab.\n")
            .Append("# Least privilege: only the KV paths this role needs; no sudo, nothing outside the KV mount.\n");
        foreach (var (path, capabilities) in Rules(vault, role))
        {
            text.Append($"\npath {Hcl.Quote(path)} {{\n  capabilities = [{string.Join(", ", capabilities.Select(Hcl.Quote))}]\n}}\n");
        }
        return text.ToString();
    }

    /// <summary>
    /// The policies a token of the role carries: its own, and nothing else. Every lab role sets
    /// token_no_default_policy, so Vault's built-in "default" policy (token self-management, cubbyhole,
    /// response wrapping) is not attached; VaultAccess sets it on each AppRole role.
    /// </summary>
    public static IReadOnlyList<(string Name, string Hcl)> TokenPolicies(VaultSpec vault, VaultRoleSpec role) =>
        [(role.PolicyName, Render(vault, role))];

    /// <summary>The role's rules: read and write lists first, then its explicit rules, one block per path.</summary>
    public static IReadOnlyList<(string Path, IReadOnlyList<string> Capabilities)> Rules(VaultSpec vault, VaultRoleSpec role)
    {
        var rules = new List<(string Path, IReadOnlyList<string> Capabilities)>();
        foreach (var secret in role.Write)
        {
            rules.Add(($"{vault.KvMount}/data/{secret}", WriteCapabilities));
            rules.Add(($"{vault.KvMount}/metadata/{secret}", ReadCapabilities));
        }
        foreach (var secret in role.Read.Except(role.Write))
        {
            rules.Add(($"{vault.KvMount}/data/{secret}", ReadCapabilities));
        }
        rules.AddRange(role.Rules.Select(r => (r.Path, (IReadOnlyList<string>)r.Capabilities)));
        return rules;
    }
}
