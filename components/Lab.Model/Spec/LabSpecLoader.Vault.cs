using System.Collections.Immutable;
using System.Text.Json;
using System.Text.RegularExpressions;
using Lab.Model.Text;

namespace Lab.Model.Spec;

public static partial class LabSpecLoader
{
    private static IReadOnlyList<string> VaultFields => field ??= ConfigCatalog.Fields("lab:vault");
    private static IReadOnlyList<string> SecretFields => field ??= ConfigCatalog.Fields("lab:vault.secrets[]");
    private static IReadOnlyList<string> AgentFileFields => field ??= ConfigCatalog.Fields("lab:vault.agentFiles[]");
    private static IReadOnlyList<string> RoleFields => field ??= ConfigCatalog.Fields("lab:vault.roles[]");
    private static IReadOnlyList<string> RuleFields => field ??= ConfigCatalog.Fields("lab:vault.roles[].rules[]");

    /// <summary>Capabilities a lab policy may grant. Never sudo: no lab role administers Vault.</summary>
    public static readonly IReadOnlySet<string> AllowedCapabilities = new HashSet<string> { "create", "read", "update", "patch", "delete", "list", "deny" };

    private static VaultSpec? ReadVault(ConfigReader r, string? raw, string? rawSecrets, Ipv4Network? subnet)
    {
        const string key = ConfigKeys.Vault;
        if (r.Document(key, raw, JsonValueKind.Object, "lab:vault: {address: https://192.168.50.20:8200, kvMount: secret, secrets: [...], roles: [...]}") is not { } v)
        {
            return null;
        }
        r.RejectUnknown(v, key, VaultFields);
        var address = r.String(v, key, "address", "https://192.168.50.20:8200");
        if (address is not null && r.Url($"{key}.address", address, ["https"], rootOnly: true, "https://192.168.50.20:8200") is { } uri)
        {
            if (!Ipv4Network.TryParseAddress(uri.Host, out var ip))
            {
                // The blackbox probe of Vault's health runs in the cluster, whose DNS does not know the lab's names.
                r.Error($"{key}.address", $"'{ConfigText.Shorten(uri.Host)}' is a name; the lab's alerts probe Vault at its IPv4 address.", r.SetPathFix($"{key}.address", "https://192.168.50.20:8200"));
                address = null;
            }
            else if (subnet is not null && !subnet.Contains(ip))
            {
                r.Error($"{key}.address", $"{uri.Host} is outside the lab subnet {subnet}.", "the lab's Vault runs inside the lab: use its address there.");
                address = null;
            }
            else if (IsReserved(r, $"{key}.address", ip, subnet))
            {
                address = null;
            }
        }
        else
        {
            address = null;
        }
        var caCert = r.String(v, key, "caCert", "/usr/local/share/ca-certificates/ai-lab-ca.crt");
        if (caCert is not null && !(AbsolutePath().IsMatch(caCert) && caCert.StartsWith(TrustStoreDir, StringComparison.Ordinal) && caCert.EndsWith(".crt", StringComparison.Ordinal)))
        {
            // update-ca-certificates adds to the system trust store only the .crt files under this directory.
            r.Error($"{key}.caCert", $"'{ConfigText.Shorten(caCert)}' is not a .crt file under {TrustStoreDir}, where update-ca-certificates takes the lab CA into the system trust store.",
                r.SetPathFix($"{key}.caCert", "/usr/local/share/ca-certificates/ai-lab-ca.crt"));
            caCert = null;
        }
        var (ca, caOk) = ReadLabCa(r, v, key);
        var kvMount = MountName(r, v, key, "kvMount");
        var appRoleMount = MountName(r, v, key, "appRoleMount");
        var agentVersion = Pinned(r, v, key, "agentVersion", "1.18.2-1");
        var rotation = r.Int(v, key, "rotation");
        var secrets = ReadSecrets(r, v, key, rawSecrets);
        var roles = ReadRoles(r, v, key, kvMount, secrets);
        var nodeRole = r.String(v, key, "nodeRole", "compute-node");
        if (nodeRole is not null && roles is not null && roles.Value.All(ro => ro.Name != nodeRole))
        {
            r.Error($"{key}.nodeRole", $"'{nodeRole}' is not one of the roles.", $"use one of: {string.Join(", ", roles.Value.Select(ro => ro.Name))}.");
            nodeRole = null;
        }
        if (nodeRole is not null && roles?.FirstOrDefault(ro => ro.Name == nodeRole) is { } nodes)
        {
            NodeSecretIdLimits(r, $"{key}.roles[{roles.Value.IndexOf(nodes)}]", nodes);
        }
        var agentFiles = ReadAgentFiles(r, v, key, secrets, nodeRole is null ? null : roles?.FirstOrDefault(ro => ro.Name == nodeRole));
        return address is null || caCert is null || !caOk || kvMount is null || appRoleMount is null || agentVersion is null || rotation is null
            || secrets is null || roles is null || nodeRole is null || agentFiles is null
            ? null
            : new VaultSpec(address, caCert, kvMount, appRoleMount, agentVersion, rotation.Value, nodeRole, secrets.Value, agentFiles.Value, roles.Value, ca);
    }

    private const string TrustStoreDir = "/usr/local/share/ca-certificates/";

    /// <summary>
    /// The lab CA every node trusts for Vault's https address: its PEM certificate, or 'collect' until scripts/lab-ca
    /// has recorded it (the os step then takes the CA Vault's address presents, trust on first use). Vault is
    /// always https, so a stack with neither has nothing its nodes could check Vault by.
    /// </summary>
    private static (LabCa? Ca, bool Ok) ReadLabCa(ConfigReader r, JsonElement v, string key)
    {
        var full = $"{key}.ca";
        var collect = $"scripts/lab-ca {ConfigKeys.StackFileFor(r.Stack)} fetches the chain Vault's address presents, shows the CA's SHA-256 fingerprint to compare with " +
            "`openssl x509 -noout -fingerprint -sha256 -in CA.crt` where the CA was made, and writes it here";
        if (!v.TryGetProperty("ca", out var value) || value.ValueKind == JsonValueKind.Null)
        {
            r.Error(full, "is not set: Vault is https, and nothing would tell the nodes which CA its certificate must chain to.",
                $"{collect} (until then, {r.SetPathFix(full, LabCa.Collect)} has each node take the CA Vault presents on first use).");
            return (null, false);
        }
        if (value.ValueKind != JsonValueKind.String)
        {
            r.Error(full, "must be the lab CA's PEM certificate (a YAML block: ca: |) or 'collect'.", $"{collect}.");
            return (null, false);
        }
        var text = value.GetString()!;
        if (text == LabCa.Collect)
        {
            return (null, true);
        }
        if (text.Length > 16 * ConfigReader.MaxText)
        {
            r.Error(full, $"is {text.Length} characters long; one CA certificate is a few thousand at most.", $"{collect}.");
            return (null, false);
        }
        if (!LabCa.TryParse(text, DateTime.UtcNow, out var ca, out var problem))
        {
            r.Error(full, problem, $"{collect}; or, until the lab CA is at hand, {r.SetPathFix(full, LabCa.Collect)}.");
            return (null, false);
        }
        return (ca, true);
    }

    private static string? MountName(ConfigReader r, JsonElement v, string key, string field)
    {
        var name = r.Optional(v, key, field);
        var fallback = ConfigReader.Setting(key, field).Default!;
        if (!SecretName().IsMatch(name) || name.Contains('/'))
        {
            r.Error($"{key}.{field}", $"'{ConfigText.Shorten(name)}' is not a mount path.", r.SetPathFix($"{key}.{field}", fallback));
            return null;
        }
        return name;
    }

    private static ImmutableArray<KvSecretSpec>? ReadSecrets(ConfigReader r, JsonElement v, string key, string? rawValues)
    {
        if (r.Child(v, key, "secrets", JsonValueKind.Array, "secrets: [{name: ngc, fields: [api_key]}]") is not { } list)
        {
            return null;
        }
        JsonElement? values = null;
        if (rawValues is not null)
        {
            try
            {
                values = JsonDocument.Parse(rawValues).RootElement;
            }
            catch (JsonException)
            {
                values = null;
            }
            if (values?.ValueKind != JsonValueKind.Object)
            {
                // Never quote the value: it is a secret.
                r.Error(ConfigKeys.VaultSecrets, "must be a mapping of secret name to fields.", $"set each field on its own: pulumi config set --secret --path '{ConfigKeys.VaultSecrets}.NAME.FIELD' {ConfigKeys.StackFlags(r.Stack)} < FILE");
                values = null;
            }
        }
        var (secrets, ok) = r.Mappings(list, $"{key}.secrets", "{name: ngc, fields: [api_key]}", (item, at) =>
        {
            r.RejectUnknown(item, at, SecretFields);
            var name = r.String(item, at, "name", "ngc");
            if (name is not null && (!SecretName().IsMatch(name) || name.Split('/').Contains("..")))
            {
                r.Error($"{at}.name", $"'{ConfigText.Shorten(name)}' is not a KV path below the mount.", "use lower-case letters, digits, '_', '-' and '/', e.g. ngc or team/ngc.");
                name = null;
            }
            var fields = r.Names(item, at, "fields", "[api_key]", required: true);
            if (fields?.FirstOrDefault(f => !FieldName().IsMatch(f)) is { } badField)
            {
                r.Error($"{at}.fields", $"'{ConfigText.Shorten(badField)}' is not a field name.", "use letters, digits and '_', starting with a letter or '_', e.g. api_key.");
                fields = null;
            }
            if (fields is { IsEmpty: true })
            {
                r.Error($"{at}.fields", "lists no fields.", "name the secret's fields, e.g. [api_key].");
                fields = null;
            }
            var seed = r.Bool(item, at, "seed");
            if (name is null || fields is null || seed is null)
            {
                return null;
            }
            var unset = seed.Value
                ? fields.Value.Where(f => values is null || !values.Value.TryGetProperty(name, out var s) || s.ValueKind != JsonValueKind.Object || !s.TryGetProperty(f, out _)).ToList()
                : [];
            foreach (var field in unset)
            {
                r.Error($"{ConfigKeys.VaultSecrets}.{name}.{field}", $"is not set, but {at} is seeded from the stack.",
                    $"pulumi config set --secret --path '{ConfigKeys.VaultSecrets}.{name}.{field}' {ConfigKeys.StackFlags(r.Stack)} < FILE (or set seed: false and put it in Vault yourself).");
            }
            return unset.Count == 0 ? new KvSecretSpec(name, fields.Value, seed.Value) : null;
        });
        foreach (var group in secrets.GroupBy(s => s.Name).Where(g => g.Count() > 1))
        {
            r.Error($"{key}.secrets", $"secret '{group.Key}' is declared {group.Count()} times.", "declare each KV secret once.");
            ok = false;
        }
        return ok ? secrets : null;
    }

    private static ImmutableArray<VaultRoleSpec>? ReadRoles(ConfigReader r, JsonElement v, string key, string? kvMount, ImmutableArray<KvSecretSpec>? secrets)
    {
        if (r.Child(v, key, "roles", JsonValueKind.Array, "roles: [{name: compute-node, read: [ngc]}]") is not { } list)
        {
            return null;
        }
        var known = secrets?.Select(s => s.Name).ToList();
        var (roles, ok) = r.Mappings(list, $"{key}.roles", "{name: compute-node, read: [ngc], tokenTtl: 24h, tokenMaxTtl: 720h}", (item, at) =>
        {
            r.RejectUnknown(item, at, RoleFields);
            var name = r.String(item, at, "name", "compute-node");
            if (name is not null && !NodeName().IsMatch(name))
            {
                r.Error($"{at}.name", $"'{ConfigText.Shorten(name)}' is not a valid role name.", "use lower-case letters, digits and '-', e.g. compute-node.");
                name = null;
            }
            var read = SecretRefs(r, item, at, "read", known);
            var write = SecretRefs(r, item, at, "write", known);
            var rules = ReadRules(r, item, at, kvMount);
            var ttl = Seconds(r, item, at, "tokenTtl", "1h");
            var maxTtl = Seconds(r, item, at, "tokenMaxTtl", "24h");
            if (ttl is not null && maxTtl is not null && maxTtl < ttl)
            {
                r.Error($"{at}.tokenMaxTtl", $"{Duration.Format(maxTtl.Value)} is below tokenTtl {Duration.Format(ttl.Value)}: tokens would be cut short at every renewal.",
                    r.SetPathFix($"{at}.tokenMaxTtl", Duration.Format(ttl.Value * 30)));
                maxTtl = null;
            }
            var secretIdTtl = Seconds(r, item, at, "secretIdTtl", "2160h", fallback: ConfigReader.Setting(at, "secretIdTtl").DefaultInt());
            var secretIdUses = r.Int(item, at, "secretIdNumUses");
            return name is null || read is null || write is null || rules is null || ttl is null || maxTtl is null || secretIdTtl is null || secretIdUses is null
                ? null
                : new VaultRoleSpec(name, read.Value, write.Value, rules.Value, ttl.Value, maxTtl.Value, secretIdTtl.Value, secretIdUses.Value);
        });
        foreach (var group in roles.GroupBy(ro => ro.Name).Where(g => g.Count() > 1))
        {
            r.Error($"{key}.roles", $"role '{group.Key}' is declared {group.Count()} times.", "declare each role once.");
            ok = false;
        }
        return ok ? roles : null;
    }

    /// <summary>
    /// Node secret-ids must expire and be limited in uses, yet outlast vault-agent's logins: the agent logs
    /// in with the same secret-id (it keeps the file: remove_secret_id_file_after_reading = false) at every
    /// start and whenever its token reaches tokenMaxTtl, and each login spends one use.
    /// </summary>
    private static void NodeSecretIdLimits(ConfigReader r, string at, VaultRoleSpec role)
    {
        var ttlFix = $"{r.SetPathFix($"{at}.secretIdTtl", "2160h")}, and bump {ConfigKeys.Vault}.rotation before it runs out (docs/runbooks/unseal-vault.md).";
        if (role.SecretIdTtlSeconds == 0)
        {
            r.Error($"{at}.secretIdTtl", $"is not set for the nodes' role '{role.Name}': a node's secret-id would never expire.", ttlFix);
            return;
        }
        // Logins the agent needs within one secret-id's life with no restart at all, plus one for its first start.
        var logins = (int)Math.Ceiling(role.SecretIdTtlSeconds / (double)role.TokenMaxTtlSeconds) + 1;
        var usesFix = $"allow the {logins} logins its token lifetimes need, plus one per agent restart or node reboot in that time, e.g. {r.SetPathFix($"{at}.secretIdNumUses", Math.Max(100, logins * 4).ToString(System.Globalization.CultureInfo.InvariantCulture))}";
        if (role.SecretIdNumUses == 0)
        {
            r.Error($"{at}.secretIdNumUses", $"is unlimited for the nodes' role '{role.Name}': a leaked secret-id could log in any number of times.", usesFix);
        }
        else if (role.SecretIdNumUses < logins)
        {
            r.Error($"{at}.secretIdNumUses", $"{role.SecretIdNumUses} use(s) run out before the secret-id expires: vault-agent logs in again each time its token reaches tokenMaxTtl ({Duration.Format(role.TokenMaxTtlSeconds)}) and at every start, {logins} logins in {Duration.Format(role.SecretIdTtlSeconds)} without a single restart.", usesFix);
        }
    }

    private static ImmutableArray<string>? SecretRefs(ConfigReader r, JsonElement item, string at, string field, List<string>? known)
    {
        var names = r.Names(item, at, field, "[ngc, huggingface]");
        if (names is null || known is null)
        {
            return known is null ? null : names;
        }
        var ok = true;
        for (var i = 0; i < names.Value.Length; i++)
        {
            if (!known.Contains(names.Value[i]))
            {
                r.Error($"{at}.{field}[{i}]", $"'{ConfigText.Shorten(names.Value[i])}' is not a declared secret.",
                    known.Count == 0 ? $"declare it under {ConfigKeys.Vault}.secrets." : $"use one of: {string.Join(", ", known)}, or declare it under {ConfigKeys.Vault}.secrets.");
                ok = false;
            }
        }
        return ok ? names : null;
    }

    private static ImmutableArray<PolicyRuleSpec>? ReadRules(ConfigReader r, JsonElement item, string at, string? kvMount)
    {
        if (r.OptionalList(item, at, "rules", "[{path: secret/metadata/team/*, capabilities: [list]}]") is not { } list)
        {
            return null;
        }
        var (rules, ok) = r.Mappings(list, $"{at}.rules", "{path: secret/metadata/team/*, capabilities: [list]}", (rule, where) =>
        {
            r.RejectUnknown(rule, where, RuleFields);
            var path = r.String(rule, where, "path", "secret/data/team/*");
            if (path is not null && kvMount is not null
                && (!PolicyPath().IsMatch(path) || path.IndexOf('*') is >= 0 and var star && star != path.Length - 1 || !(path.StartsWith($"{kvMount}/data/", StringComparison.Ordinal) || path.StartsWith($"{kvMount}/metadata/", StringComparison.Ordinal))))
            {
                r.Error($"{where}.path", $"'{ConfigText.Shorten(path)}' is outside the KV mount '{kvMount}'.",
                    $"lab roles only reach secrets: use {kvMount}/data/... or {kvMount}/metadata/...");
                path = null;
            }
            var capabilities = r.Names(rule, where, "capabilities", "[read]", required: true);
            foreach (var bad in capabilities?.Where(c => !AllowedCapabilities.Contains(c)) ?? [])
            {
                r.Error($"{where}.capabilities", $"'{ConfigText.Shorten(bad)}' is not a capability a lab role may hold.", $"use {string.Join(", ", AllowedCapabilities.Order())}; never sudo.");
                capabilities = null;
            }
            if (path is not null && kvMount is not null && capabilities?.Contains("delete") == true && path.StartsWith($"{kvMount}/metadata/", StringComparison.Ordinal))
            {
                r.Error($"{where}.capabilities", $"grants delete on {path}: deleting a KV v2 secret's metadata destroys every version of it, past the reach of undelete.",
                    $"drop delete from this rule (metadata needs at most read and list). Removing a secret for good is an operator's deliberate act with their own token: vault kv metadata delete -mount={kvMount} NAME.");
                capabilities = null;
            }
            return path is null || capabilities is null ? null : new PolicyRuleSpec(path, capabilities.Value);
        });
        return ok ? rules : null;
    }

    private static ImmutableArray<AgentFileSpec>? ReadAgentFiles(ConfigReader r, JsonElement v, string key, ImmutableArray<KvSecretSpec>? secrets, VaultRoleSpec? nodeRole)
    {
        if (r.OptionalList(v, key, "agentFiles", "[{secret: ngc, field: api_key, path: /var/run/secrets/ngc-api-key}]") is not { } list)
        {
            return null;
        }
        var (files, ok) = r.Mappings(list, $"{key}.agentFiles", "{secret: ngc, field: api_key, path: /var/run/secrets/ngc-api-key}", (item, at) =>
        {
            r.RejectUnknown(item, at, AgentFileFields);
            var secret = r.String(item, at, "secret", "ngc");
            var field = r.String(item, at, "field", "api_key");
            var path = r.String(item, at, "path", "/var/run/secrets/ngc-api-key");
            var declared = secrets?.FirstOrDefault(s => s.Name == secret);
            var known = true;
            if (secret is not null && secrets is not null && declared is null)
            {
                r.Error($"{at}.secret", $"'{ConfigText.Shorten(secret)}' is not a declared secret.", $"use one of: {string.Join(", ", secrets.Value.Select(s => s.Name))}.");
                known = false;
            }
            else if (declared is not null && field is not null && !declared.Fields.Contains(field))
            {
                r.Error($"{at}.field", $"'{ConfigText.Shorten(field)}' is not a field of secret '{declared.Name}'.", $"use one of: {string.Join(", ", declared.Fields)}.");
                known = false;
            }
            else if (declared is not null && nodeRole is not null && !nodeRole.Read.Contains(declared.Name))
            {
                r.Error($"{at}.secret", $"the nodes' role '{nodeRole.Name}' may not read '{declared.Name}', so vault-agent could not render it.",
                    $"add {declared.Name} to that role's read list, or drop this file.");
                known = false;
            }
            if (path is not null && (!AbsolutePath().IsMatch(path) || !path.StartsWith("/var/run/secrets/", StringComparison.Ordinal) && !path.StartsWith("/run/secrets/", StringComparison.Ordinal)))
            {
                r.Error($"{at}.path", $"'{ConfigText.Shorten(path)}' is not under /run/secrets or /var/run/secrets.", "keep secrets on tmpfs: e.g. /var/run/secrets/ngc-api-key.");
                path = null;
            }
            return !known || secret is null || field is null || path is null ? null : new AgentFileSpec(secret, field, path);
        });
        foreach (var group in files.GroupBy(f => f.Path).Where(g => g.Count() > 1))
        {
            r.Error($"{key}.agentFiles", $"path {group.Key} is written {group.Count()} times.", "give every file its own path.");
            ok = false;
        }
        return ok ? files : null;
    }

    private static int? Seconds(ConfigReader r, JsonElement obj, string at, string field, string example, int? fallback = null)
    {
        var text = r.String(obj, at, field, example, required: fallback is null);
        if (text is null)
        {
            return fallback;
        }
        if (!Duration.TryParseSeconds(text, out var seconds))
        {
            r.Error($"{at}.{field}", $"'{ConfigText.Shorten(text)}' is not a duration.", $"write it like 24h, 90m or 30s: {r.SetPathFix($"{at}.{field}", example)}");
            return null;
        }
        return seconds;
    }

    [GeneratedRegex(ConfigPatterns.SecretName)] private static partial Regex SecretName();
    [GeneratedRegex(ConfigPatterns.FieldName)] private static partial Regex FieldName();
    [GeneratedRegex(ConfigPatterns.PolicyPath)] private static partial Regex PolicyPath();
}
