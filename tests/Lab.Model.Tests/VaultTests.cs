using System.Text.Json.Nodes;
using Lab.Model.Spec;
using Lab.Model.Vault;

namespace Lab.Model.Tests;

public class VaultValidationTests
{
    private static ConfigError Single(IReadOnlyList<ConfigError> errors, string key) => Assert.Single(errors, e => e.Key == key);

    private static Repo.Config EditRole(int index, Action<JsonNode> edit) =>
        Repo.ProdConfig().Edit(ConfigKeys.Vault, v => edit(v["roles"]![index]!));

    [Fact]
    public void Shipped_vault_is_seed_004s_approle_with_its_ttls()
    {
        var vault = Repo.Prod().Vault;
        var node = vault.Role(vault.NodeRole);
        Assert.Equal("compute-node", node.Name);
        Assert.Equal("compute-node-policy", node.PolicyName);
        Assert.Equal(["ngc", "huggingface", "restic", "meta"], node.Read.ToArray());
        Assert.Equal(24 * 3600, node.TokenTtlSeconds);
        Assert.Equal(720 * 3600, node.TokenMaxTtlSeconds);
        Assert.Equal(["compute-node", "validation-job", "operator"], vault.Roles.Select(r => r.Name));
        Assert.Equal(["/var/run/secrets/ngc-api-key", "/var/run/secrets/hf-token", "/var/run/secrets/restic-password"], vault.AgentFiles.Select(f => f.Path));
    }

    [Fact]
    public void A_role_referencing_an_unknown_secret_is_reported()
    {
        var errors = EditRole(1, r => r["read"] = new JsonArray("huggingface", "openai")).Errors();
        var error = Single(errors, "lab:vault.roles[1].read[1]");
        Assert.Equal("'openai' is not a declared secret.", error.Problem);
        Assert.StartsWith("use one of: ngc, huggingface, meta", error.Fix);
    }

    [Theory]
    [InlineData("sys/policies/acl/*")]
    [InlineData("auth/approle/role/compute-node/secret-id")]
    [InlineData("kv/data/ngc")]
    [InlineData("secret/data/*/x")]
    public void A_policy_path_outside_the_kv_mount_is_reported(string path)
    {
        var errors = EditRole(2, r => r["rules"] = new JsonArray(new JsonObject { ["path"] = path, ["capabilities"] = new JsonArray("read") })).Errors();
        Assert.Contains("outside the KV mount 'secret'", Single(errors, "lab:vault.roles[2].rules[0].path").Problem);
    }

    [Fact]
    public void Sudo_is_never_a_lab_capability()
    {
        var errors = EditRole(2, r => r["rules"] = new JsonArray(new JsonObject { ["path"] = "secret/metadata/*", ["capabilities"] = new JsonArray("list", "sudo") })).Errors();
        Assert.Contains("never sudo", Single(errors, "lab:vault.roles[2].rules[0].capabilities").Fix);
    }

    [Theory]
    [InlineData(0, "secret/metadata/ngc")]
    [InlineData(2, "secret/metadata/*")]
    [InlineData(1, "secret/metadata/team/+/x")]
    public void Delete_on_a_metadata_path_is_refused_for_every_role(int role, string path)
    {
        var error = Single(EditRole(role, r => r["rules"] = new JsonArray(new JsonObject { ["path"] = path, ["capabilities"] = new JsonArray("list", "delete") })).Errors(),
            $"lab:vault.roles[{role}].rules[0].capabilities");
        Assert.Contains($"grants delete on {path}", error.Problem);
        Assert.Contains("destroys every version", error.Problem);
        Assert.Contains("drop delete from this rule", error.Fix);
        // Delete on a data path is KV v2's soft delete (undelete brings the version back): allowed.
        EditRole(role, r => r["rules"] = new JsonArray(new JsonObject { ["path"] = "secret/data/ngc", ["capabilities"] = new JsonArray("delete") })).Load();
    }

    [Fact]
    public void Node_secret_ids_expire_and_have_a_use_limit_their_agents_logins_fit_in()
    {
        var node = Repo.Prod().Vault.Role("compute-node");
        Assert.Equal((2160 * 3600, 100), (node.SecretIdTtlSeconds, node.SecretIdNumUses));

        var never = Single(EditRole(0, r => r.AsObject().Remove("secretIdTtl")).Errors(), "lab:vault.roles[0].secretIdTtl");
        Assert.Contains("never expire", never.Problem);
        Assert.Contains("lab:vault.rotation", never.Fix);

        var unlimited = Single(EditRole(0, r => r["secretIdNumUses"] = 0).Errors(), "lab:vault.roles[0].secretIdNumUses");
        Assert.Contains("unlimited", unlimited.Problem);

        // 90 days of secret-id with 30-day tokens: logins at start, day 30, 60 and 90 need 4 uses without one restart.
        var tooFew = Single(EditRole(0, r => r["secretIdNumUses"] = 3).Errors(), "lab:vault.roles[0].secretIdNumUses");
        Assert.Contains("3 use(s) run out", tooFew.Problem);
        Assert.Contains("4 logins", tooFew.Problem);
        EditRole(0, r => r["secretIdNumUses"] = 4).Load();
        // Single use, HashiCorp's pattern for a one-shot secret-id, breaks the agent's first re-login.
        Assert.Single(EditRole(0, r => r["secretIdNumUses"] = 1).Errors(), e => e.Key == "lab:vault.roles[0].secretIdNumUses");
        // Only the nodes' role: operators keep their single-use secret-ids.
        Assert.Equal(1, Repo.Prod().Vault.Role("operator").SecretIdNumUses);
    }

    [Fact]
    public void Token_max_ttl_below_token_ttl_is_reported()
    {
        var errors = EditRole(0, r => r["tokenMaxTtl"] = "12h").Errors();
        var error = Single(errors, "lab:vault.roles[0].tokenMaxTtl");
        Assert.Equal("12h is below tokenTtl 24h: tokens would be cut short at every renewal.", error.Problem);
    }

    [Fact]
    public void A_duration_that_is_not_one_is_reported()
    {
        var errors = EditRole(0, r => r["tokenTtl"] = "one day").Errors();
        Assert.Contains("is not a duration", Single(errors, "lab:vault.roles[0].tokenTtl").Problem);
    }

    [Fact]
    public void A_seeded_secret_that_is_not_set_gives_the_command_that_sets_it()
    {
        var errors = Repo.ProdConfig().Edit(ConfigKeys.Vault, v => v["secrets"]![0]!["seed"] = true).Errors();
        var error = Single(errors, "lab:vaultSecrets.ngc.api_key");
        Assert.StartsWith("pulumi config set --secret --path 'lab:vaultSecrets.ngc.api_key' --stack prod --config-file stacks/Pulumi.prod.yaml < ", error.Fix);
    }

    [Fact]
    public void A_seeded_secret_that_is_set_loads_without_its_value_in_the_spec()
    {
        var lab = Repo.ProdConfig()
            .Edit(ConfigKeys.Vault, v => v["secrets"]![0]!["seed"] = true)
            .Set(ConfigKeys.VaultSecrets, """{"ngc":{"api_key":"nvapi-very-secret"}}""").Secret(ConfigKeys.VaultSecrets).Load();
        Assert.True(lab.Vault.Secrets[0].Seed);
        Assert.DoesNotContain("nvapi", lab.ToString());
    }

    [Fact]
    public void Secret_values_set_in_plaintext_are_refused()
    {
        var errors = Repo.ProdConfig().Set(ConfigKeys.VaultSecrets, """{"ngc":{"api_key":"x"}}""").Errors();
        Assert.Contains("plaintext", Single(errors, ConfigKeys.VaultSecrets).Problem);
    }

    [Fact]
    public void An_agent_file_the_node_role_cannot_read_is_reported()
    {
        var errors = Repo.ProdConfig().Edit(ConfigKeys.Vault, v => v["roles"]![0]!["read"] = new JsonArray("ngc", "meta")).Errors();
        Assert.Contains("may not read 'huggingface'", Single(errors, "lab:vault.agentFiles[1].secret").Problem);
    }

    [Fact]
    public void An_agent_file_off_tmpfs_is_reported()
    {
        var errors = Repo.ProdConfig().Edit(ConfigKeys.Vault, v => v["agentFiles"]![0]!["path"] = "/home/labops/ngc-key").Errors();
        Assert.Single(errors, e => e.Key == "lab:vault.agentFiles[0].path");
    }

    [Fact]
    public void Vault_outside_the_lab_or_without_tls_is_reported()
    {
        Assert.Contains("outside the lab subnet", Single(Repo.ProdConfig().Edit(ConfigKeys.Vault, v => v["address"] = "https://10.0.0.5:8200").Errors(), "lab:vault.address").Problem);
        Assert.Contains("https://", Single(Repo.ProdConfig().Edit(ConfigKeys.Vault, v => v["address"] = "http://192.168.50.20:8200").Errors(), "lab:vault.address").Problem);
    }
}

public class VaultRenderTests
{
    [Theory]
    [InlineData("compute-node")]
    [InlineData("validation-job")]
    [InlineData("operator")]
    public void Policies_match_their_golden_files(string role)
    {
        var vault = Repo.Prod().Vault;
        Golden.Matches($"vault/{role}-policy.hcl", VaultPolicies.Render(vault, vault.Role(role)));
    }

    [Fact]
    public void Agent_config_templates_and_unit_match_their_golden_files()
    {
        foreach (var file in VaultAgent.Files(Repo.Prod().Vault))
        {
            Golden.Matches($"vault-agent/{file.Name}", file.Content);
        }
    }

    [Fact]
    public void Agent_templates_read_the_seed_004_fields()
    {
        var vault = Repo.Prod().Vault;
        Assert.Equal("{{ with secret \"secret/data/ngc\" }}{{ index .Data.data \"api_key\" }}{{ end }}\n", VaultAgent.Template(vault, vault.AgentFiles[0]));
        Assert.Equal("{{ with secret \"secret/data/huggingface\" }}{{ index .Data.data \"token\" }}{{ end }}\n", VaultAgent.Template(vault, vault.AgentFiles[1]));
    }

    [Fact]
    public void The_agent_step_reads_its_credentials_from_stdin_after_the_script()
    {
        var lab = Repo.Prod();
        var step = VaultAgent.Step(lab, lab.Nodes[0]).Text;
        // A check is sent no secrets: it runs main without reading them.
        Assert.EndsWith("\nif checking; then main </dev/null; else IFS= read -r role_id && IFS= read -r secret_id && main </dev/null; fi\n", step);
        // Written by shell builtins (no argv), to 0600 files, and never echoed.
        Assert.Contains("umask 077\ncredential \"$role_id_file\" \"$role_id\"", step);
        Assert.Contains("  printf '%s\\n' \"$2\" >\"$1.new\"", step);
        Assert.Contains("\nreadonly role_id_file='/etc/vault-agent/role-id'\n", step);
        Assert.DoesNotMatch(@"echo[^\n]*\$(role_id|secret_id)", step);
        Assert.DoesNotMatch(@"cat\s+/var/run/secrets", step);
    }
}

/// <summary>Least privilege, proved on the rendered policy text with Vault's own path rules.</summary>
public class PolicyEvaluationTests
{
    private static readonly string[] Capabilities = ["create", "read", "update", "patch", "delete", "list", "sudo"];

    /// <summary>Paths a token of a lab role could try: every secret, data and metadata, and Vault's own API.</summary>
    private static IEnumerable<string> Probes(VaultSpec vault) =>
        vault.Secrets.SelectMany(s => new[] { $"secret/data/{s.Name}", $"secret/metadata/{s.Name}", $"secret/delete/{s.Name}", $"secret/destroy/{s.Name}" })
            .Concat(["secret/data/other", "secret/data/ngc/extra", "secret/config", "sys/policies/acl/compute-node-policy", "sys/seal", "sys/mounts/secret",
                "auth/approle/role/compute-node/secret-id", "auth/token/create", "identity/entity"]);

    private static HashSet<string> Granted(VaultSpec vault, string role)
    {
        // Everything a token of the role carries, evaluated together as Vault does.
        var policy = PolicyEvaluator.Parse([.. VaultPolicies.TokenPolicies(vault, vault.Role(role)).Select(p => p.Hcl)]);
        return Probes(vault).SelectMany(p => Capabilities.Where(c => policy.Allows(p, c)).Select(c => $"{c} {p}")).ToHashSet();
    }

    [Fact]
    public void Compute_nodes_read_exactly_their_four_secrets_and_nothing_else()
    {
        Assert.Equal(new HashSet<string> { "read secret/data/ngc", "read secret/data/huggingface", "read secret/data/restic", "read secret/data/meta" }, Granted(Repo.Prod().Vault, "compute-node"));
    }

    [Fact]
    public void The_validation_job_reads_only_the_hugging_face_token()
    {
        Assert.Equal(new HashSet<string> { "read secret/data/huggingface" }, Granted(Repo.Prod().Vault, "validation-job"));
    }

    [Fact]
    public void Operators_write_and_read_the_secrets_but_cannot_delete_destroy_or_touch_vault_itself()
    {
        var granted = Granted(Repo.Prod().Vault, "operator");
        var expected = new[] { "ngc", "huggingface", "meta" }
            .SelectMany(s => new[] { $"create secret/data/{s}", $"read secret/data/{s}", $"update secret/data/{s}", $"patch secret/data/{s}", $"read secret/metadata/{s}" })
            .ToHashSet();
        Assert.Equal(expected, granted);
    }

    [Fact]
    public void No_role_holds_sudo_or_reaches_sys_or_auth()
    {
        var vault = Repo.Prod().Vault;
        foreach (var role in vault.Roles)
        {
            var policy = PolicyEvaluator.Parse(VaultPolicies.Render(vault, role));
            Assert.All(policy.Paths, p => Assert.StartsWith($"{vault.KvMount}/", p));
            Assert.DoesNotContain(Granted(vault, role.Name), g => g.StartsWith("sudo ") || g.Contains(" sys/") || g.Contains(" auth/"));
        }
    }

    [Fact]
    public void Node_roles_never_write_under_the_kv_mount()
    {
        var vault = Repo.Prod().Vault;
        foreach (var role in new[] { "compute-node", "validation-job" })
        {
            Assert.DoesNotContain(Granted(vault, role), g => !g.StartsWith("read "));
        }
    }
}

public class PolicyEvaluatorTests
{
    private const string Policy = """
        path "secret/data/*" {
          capabilities = ["read", "list"]
        }
        path "secret/data/team/+/config" {
          capabilities = ["update"]
        }
        path "secret/data/private" {
          capabilities = ["deny"]
        }
        path "secret/data/exact" {
          capabilities = ["create"]
        }
        """;

    [Theory]
    [InlineData("secret/data/anything", "list,read")]
    [InlineData("secret/data/a/b/c", "list,read")]
    [InlineData("secret/data", "")]
    [InlineData("secret/data/exact", "create")]
    [InlineData("secret/data/private", "")]
    [InlineData("secret/data/team/ml/config", "update")]
    [InlineData("secret/data/team/ml/other", "list,read")]
    [InlineData("secret/metadata/anything", "")]
    public void Vault_path_rules_apply(string path, string expected)
    {
        var capabilities = PolicyEvaluator.Parse(Policy).Capabilities(path).Order();
        Assert.Equal(expected, string.Join(",", capabilities));
    }

    [Theory]
    // One path in two policies: the union of capabilities (vault/acl.go NewACL).
    [InlineData("secret/data/shared", "create,read,update")]
    // A deny in either policy leaves only deny, whatever the other grants.
    [InlineData("secret/data/private", "")]
    // The same path twice in one policy merges the same way.
    [InlineData("secret/data/twice", "list,read")]
    // Merging is per path string: the exact rule still beats the other policy's glob.
    [InlineData("secret/data/exact", "create")]
    [InlineData("secret/data/exactly", "list,read")]
    public void A_tokens_policies_merge_as_in_vault(string path, string expected)
    {
        const string second = """
            path "secret/data/shared" {
              capabilities = ["create", "update"]
            }
            path "secret/data/private" {
              capabilities = ["read", "update"]
            }
            path "secret/data/twice" {
              capabilities = ["read"]
            }
            path "secret/data/twice" {
              capabilities = ["list"]
            }
            """;
        const string first = """
            path "secret/data/shared" {
              capabilities = ["read"]
            }
            """;
        var capabilities = PolicyEvaluator.Parse(Policy, first, second).Capabilities(path).Order();
        Assert.Equal(expected, string.Join(",", capabilities));
    }

    [Fact]
    public void A_policy_the_evaluator_cannot_fully_read_is_refused()
    {
        Assert.Throws<FormatException>(() => PolicyEvaluator.Parse("path \"secret/data/x\" {\n  capabilities = [\"read\"]\n  allowed_parameters = {}\n}\n"));
    }
}
