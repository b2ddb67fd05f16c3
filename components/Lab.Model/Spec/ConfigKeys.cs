namespace Lab.Model.Spec;

/// <summary>The keys of the lab namespace in a stack file, and where each stack's file lives.</summary>
public static class ConfigKeys
{
    public const string Namespace = "lab";
    public const string Subnet = "lab:subnet";
    public const string Ssh = "lab:ssh";
    public const string SshPrivateKey = "lab:sshPrivateKey";
    public const string Versions = "lab:versions";
    public const string Nodes = "lab:nodes";
    public const string Nas = "lab:nas";
    public const string Vault = "lab:vault";
    public const string VaultSecrets = "lab:vaultSecrets";
    public const string Cluster = "lab:cluster";
    public const string Alerts = "lab:alerts";
    public const string Validation = "lab:validation";
    public const string Slurm = "lab:slurm";
    public const string Backups = "lab:backups";

    /// <summary>Every top-level key, as <see cref="ConfigCatalog"/> defines them.</summary>
    public static IReadOnlyList<string> All => ConfigCatalog.Keys;

    /// <summary>Keys whose values must be Pulumi secrets (set with --secret).</summary>
    public static readonly IReadOnlySet<string> Secret = ConfigCatalog.Settings.Where(s => s.Secret && ConfigCatalog.Keys.Contains(s.Path)).Select(s => s.Path).ToHashSet();

    /// <summary>The dev stack's file sits beside Pulumi.yaml; every other stack's under stacks/.</summary>
    public static string StackFileFor(string stack) => stack == "dev" ? "Pulumi.dev.yaml" : $"stacks/Pulumi.{stack}.yaml";

    /// <summary>The flags that point the Pulumi CLI at a stack and its file.</summary>
    public static string StackFlags(string stack) =>
        stack == "dev" ? "--stack dev" : $"--stack {stack} --config-file {StackFileFor(stack)}";

    /// <summary>Removes the legacy ":config:" infix the language host may still send ("lab:config:nodes").</summary>
    public static string Clean(string key)
    {
        var colon = key.IndexOf(':');
        return colon > 0 && key.AsSpan(colon + 1).StartsWith("config:")
            ? string.Concat(key.AsSpan(0, colon + 1), key.AsSpan(colon + 1 + "config:".Length))
            : key;
    }
}
