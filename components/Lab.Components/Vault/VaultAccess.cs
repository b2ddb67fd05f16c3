using System.Collections.Immutable;
using System.Text.Json;
using Lab.Model.Spec;
using Pulumi;
using Pulumi.Random;
using Pulumi.Vault;
using Pulumi.Vault.AppRole;
using Pulumi.Vault.kv;

namespace Lab.Components.Vault;

/// <summary>One KV v2 secret's fields, held as a Pulumi secret, for seeding.</summary>
public sealed class SeededSecret
{
    public required string Name { get; init; }
    public required Output<ImmutableDictionary<string, string>> Fields { get; init; }
}

/// <summary>A node that logs in with the nodes' AppRole.</summary>
public sealed class VaultNode
{
    public required string Name { get; init; }
    public required Input<string> Host { get; init; }
    public required Input<int> Rebuild { get; init; }
}

public sealed class VaultAccessArgs : ResourceArgs
{
    public required Input<string> Address { get; init; }
    public required Input<string> AppRoleMount { get; init; }
    public required Input<string> KvMount { get; init; }

    /// <summary>Token and secret-id bound CIDRs: the lab subnet.</summary>
    public required Input<string> LabSubnet { get; init; }

    /// <summary>Rotation epoch: bumping it re-issues every node's secret-id.</summary>
    public required Input<int> Rotation { get; init; }

    /// <summary>Roles with their rendered policies (Lab.Model VaultPolicies).</summary>
    public required IReadOnlyList<(VaultRoleSpec Role, string Policy)> Roles { get; init; }

    /// <summary>The role whose secret-ids the nodes' vault-agents use.</summary>
    public required string NodeRole { get; init; }

    public required IReadOnlyList<VaultNode> Nodes { get; init; }

    /// <summary>The scheduled raft snapshot's role (one of Roles) and the node whose snapshot agent uses it, or null (no Vault backup).</summary>
    public (string Role, VaultNode Node)? Snapshot { get; init; }

    public IReadOnlyList<SeededSecret> Seeded { get; init; } = [];
}

/// <summary>
/// The lab's Vault: AppRole auth, a protected KV v2 mount, one least-privilege policy and AppRole
/// role per lab role, KV secrets seeded from stack secrets, and one secret-id per node.
/// </summary>
public sealed class VaultAccess : ComponentResource
{
    public const string TypeToken = "lab:vault:VaultAccess";

    /// <summary>The nodes' role-id (not a credential on its own, kept secret all the same).</summary>
    [Output] public Output<string> NodeRoleId { get; private set; }

    /// <summary>Per node, its secret-id: a Pulumi secret.</summary>
    public IReadOnlyDictionary<string, Output<string>> SecretIds { get; }

    /// <summary>Per node, the generation its secret-id was issued for (changes on rebuild or rotation).</summary>
    public IReadOnlyDictionary<string, Output<string>> SecretIdGenerations { get; }

    /// <summary>The snapshot role's role-id and its node's secret-id, as the lines its agent's step reads (a Pulumi secret), or null.</summary>
    public Output<string>? SnapshotCredentials { get; }

    public VaultAccess(string name, VaultAccessArgs args, ComponentResourceOptions? options = null)
        : base(TypeToken, name, options)
    {
        // The token comes from VAULT_TOKEN in the operator's environment: never from config, never in state.
        // The provider's child token must outlive a run that waits on driver installs: 4 h, not the default 20 min.
        var provider = new Pulumi.Vault.Provider($"{name}-provider", new Pulumi.Vault.ProviderArgs
        {
            Address = args.Address,
            MaxLeaseTtlSeconds = 4 * 3600,
        }, new CustomResourceOptions { Parent = this });
        CustomResourceOptions Child(bool protect = false, bool retain = false) => new()
        {
            Parent = this,
            Provider = provider,
            Protect = protect ? true : null,
            RetainOnDelete = retain ? true : null,
        };

        var approle = new AuthBackend($"{name}-approle", new AuthBackendArgs
        {
            Type = "approle",
            Path = args.AppRoleMount,
            Description = "lab: AppRole logins of nodes, validation jobs and operators",
        }, Child(protect: true, retain: true));

        // The secrets' home: protected and retained, so no run of the program can drop it (nor the AppRole
        // backend above, whose removal would revoke every role and secret-id). Where Vault already has
        // them, adopt them with `pulumi import` (docs/vault.md) instead of creating them.
        var kv = new Mount($"{name}-kv", new MountArgs
        {
            Path = args.KvMount,
            Type = "kv",
            Options = { ["version"] = "2" },
            Description = "lab: KV v2 secrets (NGC, Hugging Face, Meta, ...)",
        }, Child(protect: true, retain: true));

        var roles = new Dictionary<string, AuthBackendRole>();
        foreach (var (role, policyText) in args.Roles)
        {
            var policy = new Policy($"{name}-{role.PolicyName}", new PolicyArgs
            {
                Name = role.PolicyName,
                PolicyContents = policyText,
            }, Child());
            roles[role.Name] = new AuthBackendRole($"{name}-role-{role.Name}", new AuthBackendRoleArgs
            {
                Backend = approle.Path,
                RoleName = role.Name,
                TokenPolicies = { policy.Name },
                // Tokens carry only the role's policy (VaultPolicies.TokenPolicies), not Vault's "default".
                TokenNoDefaultPolicy = true,
                TokenTtl = role.TokenTtlSeconds,
                TokenMaxTtl = role.TokenMaxTtlSeconds,
                SecretIdTtl = role.SecretIdTtlSeconds,
                SecretIdNumUses = role.SecretIdNumUses,
                TokenBoundCidrs = { args.LabSubnet },
                SecretIdBoundCidrs = { args.LabSubnet },
            }, Child());
        }

        foreach (var secret in args.Seeded)
        {
            // Retained: removing a secret from the config never deletes it from Vault.
            _ = new SecretV2($"{name}-kv-{secret.Name.Replace('/', '-')}", new SecretV2Args
            {
                Mount = kv.Path,
                Name = secret.Name,
                DataJson = Output.CreateSecret(secret.Fields.Apply(f => JsonSerializer.Serialize(f))),
            }, Child(retain: true));
        }

        // One rotation keeper for every node's generation, not one each.
        var rotation = args.Rotation.Apply(r => r.ToString(System.Globalization.CultureInfo.InvariantCulture));
        // A secret-id of ROLE for NODE: a new generation only when the node is rebuilt or the stack rotates, which replaces it.
        (Output<string> SecretId, Output<string> Generation) SecretIdFor(AuthBackendRole role, VaultNode node, string prefix)
        {
            var generation = new RandomId($"{prefix}-secret-id-generation", new RandomIdArgs
            {
                ByteLength = 8,
                Keepers =
                {
                    ["node"] = node.Name,
                    ["rebuild"] = node.Rebuild.Apply(r => r.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                    ["rotation"] = rotation,
                },
            }, new CustomResourceOptions { Parent = this });
            var secretId = new AuthBackendRoleSecretId($"{prefix}-secret-id", new AuthBackendRoleSecretIdArgs
            {
                Backend = approle.Path,
                RoleName = role.RoleName,
                Metadata = generation.Hex.Apply(g => JsonSerializer.Serialize(new Dictionary<string, string> { ["node"] = node.Name, ["generation"] = g })),
                // Usable only from the node itself.
                CidrLists = new[] { node.Host.Apply(h => $"{h}/32") },
            }, Child());
            return (Output.CreateSecret(secretId.SecretId), generation.Hex);
        }

        var nodeRole = roles[args.NodeRole];
        NodeRoleId = Output.CreateSecret(nodeRole.RoleId);
        var secretIds = new Dictionary<string, Output<string>>();
        var generations = new Dictionary<string, Output<string>>();
        foreach (var node in args.Nodes)
        {
            (secretIds[node.Name], generations[node.Name]) = SecretIdFor(nodeRole, node, $"{name}-{node.Name}");
        }
        if (args.Snapshot is var (snapshotRole, snapshotNode))
        {
            var role = roles[snapshotRole];
            var (secretId, _) = SecretIdFor(role, snapshotNode, $"{name}-{snapshotNode.Name}-{snapshotRole}");
            SnapshotCredentials = Output.CreateSecret(Output.Tuple(role.RoleId, secretId).Apply(t => $"{t.Item1}\n{t.Item2}\n"));
        }
        SecretIds = secretIds;
        SecretIdGenerations = generations;

        RegisterOutputs(new Dictionary<string, object?>
        {
            ["nodeRoleId"] = NodeRoleId,
            ["kvMount"] = kv.Path,
            ["appRoleMount"] = approle.Path,
        });
    }
}
