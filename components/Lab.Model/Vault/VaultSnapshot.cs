using Lab.Model.Nodes;
using Lab.Model.Spec;
using Lab.Model.Text;

namespace Lab.Model.Vault;

/// <summary>
/// The scheduled Vault raft snapshot (issue 22, a `source: vault` item of lab:backups on raft storage): its own AppRole
/// role, whose policy allows exactly `read` on sys/storage/raft/snapshot, and its own vault-agent on the control node
/// (one agent logs in with one role): that agent keeps only a token in its sink, which lab-backup sends to Vault in a
/// header read from a file descriptor, never argv.
/// </summary>
public static class VaultSnapshot
{
    /// <summary>The API path of a raft snapshot (GET /v1/sys/storage/raft/snapshot).</summary>
    public const string ApiPath = "sys/storage/raft/snapshot";
    public const string RoleName = "vault-snapshot";
    public const string ConfigDir = "/etc/vault-agent-snapshot";
    public const string RoleIdFile = ConfigDir + "/role-id";
    public const string SecretIdFile = ConfigDir + "/secret-id";
    public const string Service = "vault-agent-snapshot";
    public const string TokenSink = "/run/" + Service + "/token";
    public const string UnitFile = "/etc/systemd/system/" + Service + ".service";

    /// <summary>Whether the stack backs Vault up: then the role, its secret-id and the agent exist.</summary>
    public static bool Scheduled(LabSpec spec) => spec.Backups?.Items.Any(i => i.Source == BackupSource.Vault) == true;

    /// <summary>The role: no KV secret, token and secret-id lifetimes as the nodes' role (rotated with lab:vault.rotation).</summary>
    public static VaultRoleSpec Role(VaultSpec vault)
    {
        var node = vault.Role(vault.NodeRole);
        return new VaultRoleSpec(RoleName, [], [], [], node.TokenTtlSeconds, node.TokenMaxTtlSeconds, node.SecretIdTtlSeconds, node.SecretIdNumUses);
    }

    /// <summary>Its policy: read on the snapshot path, nothing else (its tokens carry no default policy either).</summary>
    public static string Policy() =>
        "# Rendered by Lab.Model for the lab's scheduled raft snapshot (lab:backups, source: vault).\n"
        + "# Exactly one path, read only: no sudo, nothing else under sys/, no KV secret.\n"
        + $"\npath {Hcl.Quote(ApiPath)} {{\n  capabilities = [\"read\"]\n}}\n";

    /// <summary>The agent's config: the snapshot role's AppRole login and a token sink, no templates.</summary>
    public static readonly VaultAgent.Login Login = new(RoleIdFile, SecretIdFile, TokenSink, $"/run/{Service}/{Service}.pid");

    public static string AgentConfig(VaultSpec vault) => VaultAgent.Config(vault, Login, []);

    public static string AgentUnit() => VaultAgent.Unit("Vault Agent: the AppRole login of the scheduled raft snapshot (lab-backup)", ConfigDir, Service);

    public const string StepName = "vault-agent-snapshot";

    /// <summary>The control node's step after its vault-agent: the snapshot agent's files and its role-id and secret-id from stdin.</summary>
    public static StepScript Step(LabSpec spec) =>
        VaultAgent.Step(spec, spec.ControlNode, StepName, "vault-agent with the raft snapshot's AppRole (lab:backups, source: vault)", ConfigDir, Files(spec.Vault),
            Service, Login, []);

    public static IReadOnlyList<VaultAgent.ConfigFile> Files(VaultSpec vault) =>
    [
        new("config.hcl", $"{ConfigDir}/config.hcl", AgentConfig(vault)),
        new($"{Service}.service", UnitFile, AgentUnit()),
    ];
}
