using System.Collections.Immutable;
using Lab.Model.Artifacts;
using Lab.Model.Nodes;
using Lab.Model.Spec;
using Lab.Model.Text;

namespace Lab.Model.Vault;

/// <summary>
/// vault-agent on every node (seed 004, Step 5.6): AppRole auto-auth, a file sink, and templates that
/// keep the lab's secrets in 0600 files under /var/run/secrets. Rendered here; the step installs it.
/// </summary>
public static class VaultAgent
{
    public const string ConfigDir = "/etc/vault-agent";
    public const string RoleIdFile = ConfigDir + "/role-id";
    public const string SecretIdFile = ConfigDir + "/secret-id";
    public const string TokenSink = "/run/vault-agent/token";
    public const string UnitFile = "/etc/systemd/system/vault-agent.service";
    public const string Binary = "/usr/bin/vault";

    /// <summary>HashiCorp's apt repository, where the pinned vault package comes from.</summary>
    public const string Repository = "https://apt.releases.hashicorp.com";

    /// <summary>
    /// The fingerprint of HashiCorp's Linux package signing key, as HashiCorp publishes it on
    /// https://www.hashicorp.com/trust/security (the key served at apt.releases.hashicorp.com/gpg since the January
    /// 2023 rotation, long ID AA16FCBCA621E701). The key fetched from the repository is trusted only when it is this one.
    /// </summary>
    public const string RepositoryKeyFingerprint = "798AEC654E5C15428C8E42EEAA16FCBCA621E701";

    /// <summary>One file vault-agent runs with: its config, a template, or its unit.</summary>
    public sealed record ConfigFile(string Name, string Path, string Content);

    public static string TemplateName(AgentFileSpec file) => $"{file.Secret.Replace('/', '_')}-{file.Field}.ctmpl";

    public static string Template(VaultSpec vault, AgentFileSpec file) =>
        // Go template string literals (JSON's escapes are Go's): the secret path and field are data, never template code.
        $"{{{{ with secret {Json.Quote($"{vault.KvMount}/data/{file.Secret}")} }}}}{{{{ index .Data.data {Json.Quote(file.Field)} }}}}{{{{ end }}}}\n";

    /// <summary>Where an agent finds its AppRole credentials and writes its token and pid.</summary>
    public sealed record Login(string RoleIdFile, string SecretIdFile, string TokenSink, string PidFile);

    /// <summary>The nodes' agent's.</summary>
    public static readonly Login NodeLogin = new(RoleIdFile, SecretIdFile, TokenSink, "/run/vault-agent/vault-agent.pid");

    /// <summary>The nodes' agent: the nodes' role, and a template per lab:vault.agentFiles entry.</summary>
    public static string Config(VaultSpec vault) =>
        Config(vault, NodeLogin, vault.AgentFiles);

    public static string Config(VaultSpec vault, Login login, IReadOnlyList<AgentFileSpec> files)
    {
        var templates = files.Select(f => $$"""

            template {
              source      = {{Hcl.Quote($"{ConfigDir}/templates/{TemplateName(f)}")}}
              destination = {{Hcl.Quote(f.Path)}}
              perms       = "0600"
            }
            """);
        return $$"""
            # vault-agent for the lab, rendered by Lab.Model: AppRole auto-auth, file sink, templates.
            pid_file = {{Hcl.Quote(login.PidFile)}}

            vault {
              address = {{Hcl.Quote(vault.Address)}}
              ca_cert = {{Hcl.Quote(vault.CaCert)}}
            }

            auto_auth {
              method "approle" {
                mount_path = {{Hcl.Quote($"auth/{vault.AppRoleMount}")}}
                config = {
                  role_id_file_path                   = {{Hcl.Quote(login.RoleIdFile)}}
                  secret_id_file_path                 = {{Hcl.Quote(login.SecretIdFile)}}
                  remove_secret_id_file_after_reading = false
                }
              }

              sink "file" {
                config = {
                  path = {{Hcl.Quote(login.TokenSink)}}
                  mode = 0600
                }
              }
            }
            {{string.Join("\n", templates)}}

            """;
    }

    public static string Unit() => Unit("Vault Agent: AppRole auto-auth and the lab's secret files", ConfigDir, "vault-agent");

    /// <param name="runtimeDirectory">Under /run: where its token sink and pid file are.</param>
    public static string Unit(string description, string configDir, string runtimeDirectory) => $"""
        [Unit]
        Description={description}
        Wants=network-online.target
        After=network-online.target

        [Service]
        Type=simple
        ExecStart={Binary} agent -config={configDir}/config.hcl
        Restart=on-failure
        RestartSec=5
        RuntimeDirectory={runtimeDirectory}
        RuntimeDirectoryMode=0700
        NoNewPrivileges=yes
        ProtectHome=yes
        PrivateTmp=yes

        [Install]
        WantedBy=multi-user.target

        """;

    public static IReadOnlyList<ConfigFile> Files(VaultSpec vault) =>
    [
        new("config.hcl", $"{ConfigDir}/config.hcl", Config(vault)),
        .. vault.AgentFiles.Select(f => new ConfigFile(TemplateName(f), $"{ConfigDir}/templates/{TemplateName(f)}", Template(vault, f))),
        new("vault-agent.service", UnitFile, Unit()),
    ];

    /// <param name="Files">Where each agent file goes, with its content in Contents.</param>
    /// <param name="Service">The agent's systemd service.</param>
    /// <param name="Waits">The files vault-agent must have written before the step is done: its token, then every secret file.</param>
    public sealed record AgentData(string Repository, string RepositoryKeyFingerprint, ImmutableArray<string> Packages, string ConfigDir, ImmutableArray<string> Files,
        ImmutableArray<string> Contents, string Service, string RoleIdFile, string SecretIdFile, ImmutableArray<string> Waits);

    /// <summary>
    /// The node step: pinned vault package, agent files, and the node's role-id and secret-id, which
    /// arrive on stdin after the script (never in argv, a file of the render, or a log line).
    /// </summary>
    public static StepScript Step(LabSpec spec, NodeSpec node) =>
        Step(spec, node, "vault-agent", "vault-agent with the nodes' AppRole and the lab's secret files", ConfigDir, Files(spec.Vault), "vault-agent",
            NodeLogin, [.. spec.Vault.AgentFiles.Select(f => f.Path)]);

    /// <summary>An agent's step: its files, its AppRole credentials from stdin, its service, and the wait for its token and files.</summary>
    public static StepScript Step(LabSpec spec, NodeSpec node, string step, string purpose, string configDir, IReadOnlyList<ConfigFile> files, string service, Login login, IReadOnlyList<string> secretFiles) =>
        StepScript.RenderReadingSecrets(NodeSteps.Component, node.Name, step, purpose,
            ["role_id", "secret_id"],
            new AgentData(Repository, spec.Versions.HashicorpRepositoryKey, [$"vault={spec.Vault.AgentVersion}"], configDir, [.. files.Select(f => f.Path)], [.. files.Select(f => f.Content)],
                service, login.RoleIdFile, login.SecretIdFile, [login.TokenSink, .. secretFiles]),
            "Vault/vault-agent.sh", ShellHelper.PinnedKey, ShellHelper.AptPin, ShellHelper.WriteFile);

    public static IEnumerable<Artifact> Artifacts(LabSpec spec) =>
        Files(spec.Vault).Select(f => new Artifact($"vault-agent/{f.Name}", f.Content));
}
