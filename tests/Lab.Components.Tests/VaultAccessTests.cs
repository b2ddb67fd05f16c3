using System.Text.Json;
using System.Text.Json.Nodes;
using Lab.Components.Vault;
using Lab.Model.Spec;
using Lab.Model.Vault;
using Lab.Plan;
using Pulumi;
using Pulumi.Command.Remote;
using Pulumi.Vault.kv;

namespace Lab.Components.Tests;

public class VaultAccessTests
{
    private const string Role = "vault:appRole/authBackendRole:AuthBackendRole";
    private const string SecretId = "vault:appRole/authBackendRoleSecretId:AuthBackendRoleSecretId";

    private static T In<T>(PlannedResource r, string key) => JsonSerializer.Deserialize<T>(JsonSerializer.Serialize(r.Inputs[key]))!;

    [Fact]
    public async Task Approle_kv_policies_and_roles_are_declared_on_the_labs_vault()
    {
        var plan = await Lab.Plan(Lab.Prod);
        Assert.Null(plan.Single(VaultAccess.TypeToken, "vault").ParentName);
        Assert.Equal("https://192.168.50.20:8200", plan.Single("pulumi:providers:vault", "vault-provider").Inputs["address"]);
        var approle = plan.Single("vault:index/authBackend:AuthBackend", "vault-approle");
        Assert.Equal(("approle", "approle"), ((string)approle.Inputs["type"], (string)approle.Inputs["path"]));
        Assert.All(plan.Where(r => r.Type.StartsWith("vault:", StringComparison.Ordinal)), r => Assert.Equal("vault-provider", r.Provider));
    }

    [Fact]
    public async Task The_approle_backend_is_protected_and_retained_like_the_kv_mount()
    {
        var approle = (await Lab.Plan(Lab.Prod)).Single("vault:index/authBackend:AuthBackend", "vault-approle");
        Assert.True(approle.Protect);
        Assert.True(approle.RetainOnDelete);
    }

    [Fact]
    public async Task The_kv_mount_is_version_2_protected_and_retained()
    {
        var kv = (await Lab.Plan(Lab.Prod)).Single("vault:index/mount:Mount", "vault-kv");
        Assert.Equal("secret", kv.Inputs["path"]);
        Assert.Equal("kv", kv.Inputs["type"]);
        Assert.Equal("2", In<Dictionary<string, string>>(kv, "options")["version"]);
        Assert.True(kv.Protect);
        Assert.True(kv.RetainOnDelete);
    }

    [Fact]
    public async Task The_raft_snapshot_gets_its_policy_its_role_and_a_secret_id_of_the_control_node_fed_to_its_agent_as_a_secret()
    {
        var plan = await Lab.Plan(Lab.Prod);
        var lab = LabSpecLoader.Load("prod", Lab.Prod.Config, Lab.Prod.SecretKeys);
        Assert.Equal(VaultSnapshot.Policy(), plan.Single("vault:index/policy:Policy", "vault-vault-snapshot-policy").Inputs["policy"]);
        var role = plan.Single(Role, "vault-role-vault-snapshot");
        Assert.Equal(["vault-snapshot-policy"], In<string[]>(role, "tokenPolicies"));
        Assert.True((bool)role.Inputs["tokenNoDefaultPolicy"]);
        Assert.Equal(["192.168.50.0/24"], In<string[]>(role, "tokenBoundCidrs"));
        var secretId = plan.Single(SecretId, "vault-zenon-vault-snapshot-secret-id");
        Assert.Equal("vault-snapshot", secretId.Inputs["roleName"]);
        Assert.Equal(["192.168.50.11/32"], In<string[]>(secretId, "cidrLists"));
        Assert.Single(plan, r => r.Type == SecretId && (string)r.Inputs["roleName"] == "vault-snapshot");
        // Only the control node runs the snapshot agent; its step reads role-id and secret-id on stdin, never shown.
        var step = plan.Single("command:remote:Command", "zenon-vault-agent-snapshot");
        Assert.Equal(["zenon-vault-agent"], step.DependsOn.ToArray());
        // Its stdin waits on the secret-id Vault issues at apply, and says so.
        Assert.Equal("[unknown until applied: vault-role-vault-snapshot, vault-zenon-vault-snapshot-secret-id]", step.Inputs["stdin"]);
        Assert.DoesNotContain(plan, r => r.Name.EndsWith("-vault-agent-snapshot", StringComparison.Ordinal) && r.Name != "zenon-vault-agent-snapshot");
        Assert.DoesNotContain(PolicyEvaluator.Parse(VaultSnapshot.Policy()).Paths, p => p != VaultSnapshot.ApiPath);
        Assert.True(VaultSnapshot.Scheduled(lab));
    }

    [Fact]
    public async Task Each_role_gets_its_rendered_policy_ttls_and_lab_bound_cidrs()
    {
        var plan = await Lab.Plan(Lab.Prod);
        var lab = LabSpecLoader.Load("prod", Lab.Prod.Config, Lab.Prod.SecretKeys);
        foreach (var role in lab.Vault.Roles)
        {
            Assert.Equal(VaultPolicies.Render(lab.Vault, role), plan.Single("vault:index/policy:Policy", $"vault-{role.PolicyName}").Inputs["policy"]);
            var declared = plan.Single(Role, $"vault-role-{role.Name}");
            Assert.Equal(VaultPolicies.TokenPolicies(lab.Vault, role).Select(p => p.Name), In<string[]>(declared, "tokenPolicies"));
            // Vault's "default" policy is not attached: the tokens carry exactly what the least-privilege test evaluated.
            Assert.True(In<bool>(declared, "tokenNoDefaultPolicy"));
            Assert.Equal(role.TokenTtlSeconds, In<int>(declared, "tokenTtl"));
            Assert.Equal(role.TokenMaxTtlSeconds, In<int>(declared, "tokenMaxTtl"));
            Assert.Equal(role.SecretIdTtlSeconds, In<int>(declared, "secretIdTtl"));
            Assert.Equal(role.SecretIdNumUses, In<int>(declared, "secretIdNumUses"));
            Assert.Equal(["192.168.50.0/24"], In<string[]>(declared, "tokenBoundCidrs"));
            Assert.Equal(["192.168.50.0/24"], In<string[]>(declared, "secretIdBoundCidrs"));
        }
    }

    [Fact]
    public async Task Every_node_has_one_secret_id_of_the_node_role_usable_only_from_its_own_address()
    {
        var plan = await Lab.Plan(Lab.Prod, new HealthyLabMocks(Lab.Prod));
        // The snapshot role's secret-id is the other one (The_raft_snapshot_gets_its_policy_…).
        var ids = plan.OfType(SecretId).Where(r => (string)r.Inputs["roleName"] != VaultSnapshot.RoleName).ToList();
        Assert.Equal(["vault-zenon-secret-id", "vault-gemini-1-secret-id", "vault-derpy-secret-id", "vault-rocinate-secret-id"], ids.Select(r => r.Name));
        Assert.All(ids, r => Assert.Equal("compute-node", r.Inputs["roleName"]));
        Assert.Equal(["192.168.50.13/32"], In<string[]>(plan.Single(SecretId, "vault-derpy-secret-id"), "cidrLists"));
        var metadata = JsonSerializer.Deserialize<Dictionary<string, string>>((string)plan.Single(SecretId, "vault-derpy-secret-id").Inputs["metadata"])!;
        Assert.Equal("derpy", metadata["node"]);
    }

    [Fact]
    public async Task Bumping_the_rotation_epoch_reissues_every_secret_id_and_touches_nothing_else()
    {
        var before = await Lab.Plan(Lab.Prod, new HealthyLabMocks(Lab.Prod));
        var rotated = Lab.Prod.Edit(ConfigKeys.Vault, v => v["rotation"] = 1);
        var after = await Lab.Plan(rotated, new HealthyLabMocks(rotated));
        var changed = before.Zip(after).Where(p => p.First.Canonical() != p.Second.Canonical()).Select(p => p.First.Name).ToList();
        var nodes = new[] { "zenon", "gemini-1", "derpy", "rocinate" };
        Assert.Equal(
            nodes.SelectMany(n => new[] { $"vault-{n}-secret-id-generation", $"vault-{n}-secret-id" }).Concat(nodes.Select(n => $"{n}-vault-agent"))
                // The raft snapshot's secret-id (prod backs Vault up) rotates with them, and its agent gets it.
                .Concat(["vault-zenon-vault-snapshot-secret-id-generation", "vault-zenon-vault-snapshot-secret-id", "zenon-vault-agent-snapshot"]).Order(),
            changed.Order());
    }

    [Fact]
    public async Task Secret_ids_and_the_role_id_stay_secret_and_reach_the_node_only_on_stdin()
    {
        var mocks = new HealthyLabMocks(Lab.Dev);
        var plan = await Lab.Plan(Lab.Dev, mocks);
        var vault = (VaultAccess)mocks.Declared(VaultAccess.TypeToken, "vault");
        Assert.True(await Output.IsSecretAsync(vault.NodeRoleId));
        Assert.True(await Output.IsSecretAsync(vault.SecretIds["derpy"]));

        var step = plan.Single("command:remote:Command", "derpy-vault-agent");
        var args = (CommandArgs)mocks.ArgsOf("command:remote:Command", "derpy-vault-agent");
        Assert.True(await Output.IsSecretAsync(args.Stdin!.ToOutput()));
        var secret = await vault.SecretIds["derpy"].GetValueAsync();
        Assert.EndsWith($"main </dev/null; fi\n{HealthyLabMocks.RoleId}\n{secret}\n", (string)step.Sent["stdin"]);
        Assert.Equal("[secret]", step.Inputs["stdin"]);
        Assert.Equal("none", step.Inputs["logging"]);
        Assert.Equal(["connection", "stderr", "stdout"], step.SecretOutputs.ToArray());

        var carriers = plan.Where(r => JsonSerializer.Serialize(r.Sent).Contains(secret)).Select(r => r.Name);
        Assert.Equal(["derpy-vault-agent"], carriers);
        Assert.DoesNotContain(secret, PlanPrinter.Print(Lab.Dev, plan));
    }

    [Fact]
    public async Task Seeded_kv_secrets_are_written_as_secrets_and_never_deleted()
    {
        var file = Lab.Dev.Edit(ConfigKeys.Vault, v => v["secrets"]![0]!["seed"] = true)
            .WithSecret(ConfigKeys.VaultSecrets, """{"ngc":{"api_key":"nvapi-xyz-very-secret"}}""");
        var mocks = new PlanMocks();
        var plan = await Lab.Plan(file, mocks);
        var kv = plan.Single("vault:kv/secretV2:SecretV2", "vault-kv-ngc");
        Assert.Equal("secret", kv.Inputs["mount"]);
        Assert.Equal("ngc", kv.Inputs["name"]);
        Assert.Equal("""{"api_key":"nvapi-xyz-very-secret"}""", kv.Sent["dataJson"]);
        Assert.Equal("[secret]", kv.Inputs["dataJson"]);
        Assert.True(kv.RetainOnDelete);
        var args = (SecretV2Args)mocks.ArgsOf("vault:kv/secretV2:SecretV2", "vault-kv-ngc");
        Assert.True(await Output.IsSecretAsync(args.DataJson!.ToOutput()));
        Assert.Equal(["vault-kv-ngc"], plan.Where(r => JsonSerializer.Serialize(r.Sent).Contains("nvapi-xyz")).Select(r => r.Name));
        Assert.DoesNotContain("nvapi-xyz", PlanPrinter.Print(file, plan));
    }

    [Fact]
    public async Task Unseeded_secrets_are_left_to_vault()
    {
        var plan = await Lab.Plan(Lab.Prod);
        Assert.Empty(plan.OfType("vault:kv/secretV2:SecretV2"));
        Assert.NotNull(JsonNode.Parse(Lab.Prod.Config[ConfigKeys.Vault]));
    }
}
