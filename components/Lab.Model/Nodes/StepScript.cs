using Lab.Model.Artifacts;
using Lab.Model.Text;

namespace Lab.Model.Nodes;

/// <summary>
/// One remote step of a machine's chain, rendered: a bash script run as root over SSH
/// (its text travels on stdin to <see cref="Runner"/>). The trigger is the hash of the script,
/// so a change re-runs exactly the steps whose script changed.
/// </summary>
public sealed record StepScript(string Component, string Target, int Order, string Step, string Text)
{
    /// <summary>The command line the SSH session runs: root bash reading the script from stdin.</summary>
    public const string Runner = "sudo -n /bin/bash -s";

    public string Hash => Shell.Sha256(Text);

    public Artifact ToArtifact() => new($"{Component}/{Target}/{Order:D2}-{Step}.sh", Text);

    /// <summary>
    /// Wraps a step body: strict mode, and the body inside main() so bash has parsed all of it
    /// before any command runs (a command reading stdin cannot eat the rest of the script),
    /// with stdin closed for the body.
    /// </summary>
    public static StepScript Render(string component, string target, int order, string step, string purpose, string body, params ShellHelper[] helpers) =>
        Compose(component, target, order, step, purpose, body, helpers, "main </dev/null");

    /// <summary>
    /// A step that needs secret material: the runner appends one line per variable after the script
    /// on stdin, and the script's last line reads them into these variables before main runs. The
    /// rendered script itself holds no secret.
    /// </summary>
    public static StepScript RenderReadingSecrets(string component, string target, int order, string step, string purpose,
        IReadOnlyList<string> secretVariables, string body, params ShellHelper[] helpers) =>
        Compose(component, target, order, step, purpose, body, helpers,
            string.Join(" && ", secretVariables.Select(v => $"IFS= read -r {v}").Append("main </dev/null")));

    private static StepScript Compose(string component, string target, int order, string step, string purpose, string body, ShellHelper[] helpers, string last)
    {
        var text = new System.Text.StringBuilder()
            .Append("#!/usr/bin/env bash\n")
            .Append($"# lab {component} {target}: step '{step}' — {purpose}\n")
            .Append("# Rendered by Lab.Model; idempotent: running it again on a converged machine changes nothing.\n")
            .Append("set -euo pipefail\n\n");
        foreach (var helper in helpers.Distinct())
        {
            text.Append(helper.Text).Append('\n');
        }
        // The body stays unindented: heredoc terminators must start their line.
        text.Append("main() {\n").Append(body.TrimEnd('\n')).Append("\n}\n\n").Append(last).Append('\n');
        return new StepScript(component, target, order, step, text.ToString());
    }
}

/// <summary>Shell functions a step body may use; included only in the scripts that use them.</summary>
public sealed record ShellHelper(string Name, string Text)
{
    /// <summary>write_file PATH MODE: installs stdin at PATH only when the content differs; says what changed.</summary>
    public static readonly ShellHelper WriteFile = new("write_file", """
        # write_file PATH MODE < content: replace PATH only when its content differs.
        write_file() {
          local tmp
          tmp=$(mktemp)
          cat >"$tmp"
          if ! cmp -s "$tmp" "$1"; then
            install -D -m "$2" "$tmp" "$1"
            echo "changed: $1" >&2
          fi
          rm -f "$tmp"
        }

        """);

    /// <summary>apt_pin PKG=VER...: installs exactly these versions where they differ, then holds them.</summary>
    public static readonly ShellHelper AptPin = new("apt_pin", """
        # apt_pin PKG=VERSION...: install exactly these versions where the installed one differs, then hold them.
        apt_pin() {
          local spec pkg missing=()
          for spec in "$@"; do
            pkg=${spec%%=*}
            # shellcheck disable=SC2016 # ${Version} is dpkg-query's format, not a shell expansion
            if [ "$(dpkg-query -W -f='${Version}' "$pkg" 2>/dev/null || true)" != "${spec#*=}" ]; then
              missing+=("$spec")
            fi
          done
          if [ "${#missing[@]}" -gt 0 ]; then
            echo "installing: ${missing[*]}" >&2
            DEBIAN_FRONTEND=noninteractive apt-get update -q >&2
            DEBIAN_FRONTEND=noninteractive apt-get install -y -q --allow-downgrades --no-install-recommends "${missing[@]}" >&2
          fi
          apt-mark hold "${@%%=*}" >/dev/null
        }

        """);
}
