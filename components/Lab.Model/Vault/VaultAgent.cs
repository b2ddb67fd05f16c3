using Lab.Model.Artifacts;
using Lab.Model.Nodes;
using Lab.Model.Spec;
using static Lab.Model.Text.Shell;

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

    public sealed record File(string Name, string Path, string Content);

    public static string TemplateName(AgentFileSpec file) => $"{file.Secret.Replace('/', '_')}-{file.Field}.ctmpl";

    public static string Template(VaultSpec vault, AgentFileSpec file) =>
        $"{{{{ with secret \"{vault.KvMount}/data/{file.Secret}\" }}}}{{{{ .Data.data.{file.Field} }}}}{{{{ end }}}}\n";

    public static string Config(VaultSpec vault)
    {
        var templates = vault.AgentFiles.Select(f => $$"""

            template {
              source      = "{{ConfigDir}}/templates/{{TemplateName(f)}}"
              destination = "{{f.Path}}"
              perms       = "0600"
            }
            """);
        return $$"""
            # vault-agent for the lab, rendered by Lab.Model: AppRole auto-auth, file sink, templates.
            pid_file = "/run/vault-agent/vault-agent.pid"

            vault {
              address = "{{vault.Address}}"
              ca_cert = "{{vault.CaCert}}"
            }

            auto_auth {
              method "approle" {
                mount_path = "auth/{{vault.AppRoleMount}}"
                config = {
                  role_id_file_path                   = "{{RoleIdFile}}"
                  secret_id_file_path                 = "{{SecretIdFile}}"
                  remove_secret_id_file_after_reading = false
                }
              }

              sink "file" {
                config = {
                  path = "{{TokenSink}}"
                  mode = 0600
                }
              }
            }
            {{string.Join("\n", templates)}}

            """;
    }

    public static string Unit() => $"""
        [Unit]
        Description=Vault Agent: AppRole auto-auth and the lab's secret files
        Wants=network-online.target
        After=network-online.target

        [Service]
        Type=simple
        ExecStart={Binary} agent -config={ConfigDir}/config.hcl
        Restart=on-failure
        RestartSec=5
        RuntimeDirectory=vault-agent
        RuntimeDirectoryMode=0700
        NoNewPrivileges=yes
        ProtectHome=yes
        PrivateTmp=yes

        [Install]
        WantedBy=multi-user.target

        """;

    public static IReadOnlyList<File> Files(VaultSpec vault) =>
    [
        new("config.hcl", $"{ConfigDir}/config.hcl", Config(vault)),
        .. vault.AgentFiles.Select(f => new File(TemplateName(f), $"{ConfigDir}/templates/{TemplateName(f)}", Template(vault, f))),
        new("vault-agent.service", UnitFile, Unit()),
    ];

    /// <summary>
    /// The node step: pinned vault package, agent files, and the node's role-id and secret-id, which
    /// arrive on stdin after the script (never in argv, a file of the render, or a log line).
    /// </summary>
    public static StepScript Step(LabSpec spec, NodeSpec node)
    {
        var vault = spec.Vault;
        var writes = Files(vault).Select(f => $"""
            write_file {f.Path} 0644 <<'EOF'
            {f.Content.TrimEnd('\n')}
            EOF
            """);
        var destinations = string.Join(" ", vault.AgentFiles.Select(f => Quote(f.Path)));
        return StepScript.RenderReadingSecrets(NodeSteps.Component, node.Name, 40, "vault-agent",
            $"vault-agent with AppRole '{vault.NodeRole}' and the lab's secret files",
            ["role_id", "secret_id"],
            $$"""
            if [ ! -s /etc/apt/keyrings/hashicorp.gpg ]; then
              install -d -m 0755 /etc/apt/keyrings
              curl -fsSL {{Repository}}/gpg | gpg --batch --yes --dearmor -o /etc/apt/keyrings/hashicorp.gpg
            fi
            write_file /etc/apt/sources.list.d/hashicorp.list 0644 <<EOF
            deb [signed-by=/etc/apt/keyrings/hashicorp.gpg] {{Repository}} $(sed -n 's/^VERSION_CODENAME=//p' /etc/os-release) main
            EOF
            apt_pin {{Quote($"vault={vault.AgentVersion}")}}

            install -d -m 0755 {{ConfigDir}}/templates
            {{string.Join("\n", writes)}}
            # The AppRole credentials: 0600 files written by builtins from stdin-fed variables.
            umask 077
            printf '%s\n' "$role_id" >{{RoleIdFile}}.new
            printf '%s\n' "$secret_id" >{{SecretIdFile}}.new
            mv {{RoleIdFile}}.new {{RoleIdFile}}
            mv {{SecretIdFile}}.new {{SecretIdFile}}
            unset role_id secret_id

            systemctl daemon-reload
            systemctl enable vault-agent >/dev/null
            systemctl restart vault-agent

            # Wait for auth and every secret file; never print their contents.
            files=({{TokenSink}} {{destinations}})
            for _ in $(seq 1 30); do
              absent=0
              for f in "${files[@]}"; do
                [ -s "$f" ] || absent=$((absent + 1))
              done
              [ "$absent" -eq 0 ] && break
              sleep 1
            done
            if [ "$absent" -gt 0 ]; then
              echo "vault-agent: $absent of ${#files[@]} files not written after 30 s; see: journalctl -u vault-agent" >&2
              exit 1
            fi
            echo "vault_agent=$(systemctl is-active vault-agent)"
            echo "secret_files=$((${#files[@]} - 1))"
            """,
            ShellHelper.AptPin, ShellHelper.WriteFile);
    }

    public static IEnumerable<Artifact> Artifacts(LabSpec spec) =>
        Files(spec.Vault).Select(f => new Artifact($"vault-agent/{f.Name}", f.Content));
}
