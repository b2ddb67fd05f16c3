using Lab.Model.Artifacts;
using Lab.Model.Text;

namespace Lab.Model.Nodes;

/// <summary>
/// One remote step of a machine's chain, rendered: a bash script run as root over SSH
/// (its text travels on stdin to <see cref="Runner"/>). The trigger is the hash of the script,
/// so a change re-runs exactly the steps whose script changed.
/// </summary>
/// <param name="Inputs">The values of its data block, for the plan: the only part of the script a stack changes.</param>
public sealed record StepScript(string Component, string Target, int Order, string Step, string Text, System.Collections.Immutable.ImmutableArray<ScriptValue> Inputs)
{
    /// <summary>The command line the SSH session runs: root bash reading the script from stdin.</summary>
    public const string Runner = "sudo -n /bin/bash -s";

    public string Hash => Shell.Sha256(Text);

    /// <summary>The machine may be booting when this step starts (first of a chain, or after a reboot): its connection keeps dialling.</summary>
    public bool WaitsForBoot { get; init; }

    public Artifact ToArtifact() => new($"{Component}/{Target}/{Order:D2}-{Step}.sh", Text);

    /// <summary>
    /// Renders a step: strict mode, the data block from <paramref name="data"/> (a record; null for none), the
    /// helpers, and the constant body embedded at <paramref name="body"/> (e.g. "Nodes/os.sh") inside main(),
    /// so bash has parsed all of it before any command runs (a command reading stdin cannot eat the rest of
    /// the script), with stdin closed for the body.
    /// </summary>
    /// <param name="purpose">A constant description; it must not carry config values (they belong in the data).</param>
    public static StepScript Render(string component, string target, string step, string purpose, object? data, string body, params ShellHelper[] helpers) =>
        Compose(component, target, step, purpose, data, body, helpers, CheckMode.LastLine(step, []));

    /// <summary>
    /// A step that needs secret material: the runner appends one line per variable after the script
    /// on stdin, and the script's last line reads them into these variables before main runs. The
    /// rendered script itself holds no secret.
    /// </summary>
    public static StepScript RenderReadingSecrets(string component, string target, string step, string purpose,
        IReadOnlyList<string> secretVariables, object? data, string body, params ShellHelper[] helpers) =>
        Compose(component, target, step, purpose, data, body, helpers, CheckMode.LastLine(step, secretVariables));

    /// <summary>
    /// A step that reads a document after itself on stdin (the runner appends it to the script): main's stdin is
    /// the rest of the script's stdin, which bash has not read (it reads a script from a pipe a byte at a time).
    /// </summary>
    public static StepScript RenderReadingInput(string component, string target, string step, string purpose, object? data, string body) =>
        Compose(component, target, step, purpose, data, body, [], "main");

    private static StepScript Compose(string component, string target, string step, string purpose, object? data, string body, ShellHelper[] helpers, string last)
    {
        var identity = new StepIdentity(target, step);
        var dataBlock = ScriptData.Render(identity, data);
        var texts = helpers.Prepend(ShellHelper.Check).Distinct().Select(h => h.Text).ToList();
        var main = ScriptBodies.Read(body).AsSpan().TrimEnd('\n');
        // Sized for the whole script up front: grown from empty, the builder's chunks came to twice the script again.
        var text = new System.Text.StringBuilder(Header + component.Length + purpose.Length + dataBlock.Length + texts.Sum(t => t.Length + 1) + main.Length + last.Length)
            .Append("#!/usr/bin/env bash\n")
            .Append($"# lab {component}: {purpose}\n")
            .Append("# Rendered by Lab.Model; idempotent: running it again on a converged machine changes nothing.\n")
            .Append("set -Eeuo pipefail\n\n")
            .Append(dataBlock)
            .Append("trap 'echo \"lab: step $lab_step on $lab_target failed at line $LINENO\" >&2' ERR\n\n");
        foreach (var helper in texts)
        {
            text.Append(helper).Append('\n');
        }
        // The body stays unindented: heredoc terminators must start their line.
        text.Append("main() {\n").Append(main).Append("\n}\n\n").Append(last).Append('\n');
        return new StepScript(component, target, StepOrder.Of(step), step, text.ToString(), ScriptData.Values(data));
    }

    /// <summary>The length of Compose's constant lines (shebang, comments, strict mode, trap, main's braces).</summary>
    private const int Header = 300;

    /// <summary>Which machine and step a script is, readable in its data block and in logs.</summary>
    private sealed record StepIdentity(string LabTarget, string LabStep);
}

/// <summary>Shell functions a step body may use; included only in the scripts that use them. Constant text embedded beside this file.</summary>
public sealed record ShellHelper(string Name, string Path)
{
    public string Text => ScriptBodies.Read(Path);

    /// <summary>The check mode's switch and its helpers (checking, drift, changed, converge): in every step.</summary>
    public static readonly ShellHelper Check = new("check_mode", "Nodes/Helpers/check_mode.sh");

    /// <summary>write_file PATH MODE: makes PATH hold stdin with MODE, owned by root; a check compares all three.</summary>
    public static readonly ShellHelper WriteFile = new("write_file", "Nodes/Helpers/write_file.sh");

    /// <summary>apt_pin PKG=VER...: installs exactly these versions where they differ, then holds them; a check compares versions and holds.</summary>
    public static readonly ShellHelper AptPin = new("apt_pin", "Nodes/Helpers/apt_pin.sh");

    /// <summary>pinned_key URL FINGERPRINT KEYRING: installs a vendor's repository key only when it is the pinned one.</summary>
    public static readonly ShellHelper PinnedKey = new("pinned_key", "Nodes/Helpers/pinned_key.sh");

    /// <summary>lab_ca FILE PEM ENDPOINT: puts the lab CA at FILE (the stack's, or Vault's on first use) and prints its fingerprint.</summary>
    public static readonly ShellHelper LabCa = new("lab_ca", "Nodes/Helpers/lab_ca.sh");
}
