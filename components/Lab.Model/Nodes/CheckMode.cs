using Lab.Model.Text;

namespace Lab.Model.Nodes;

/// <summary>
/// The check mode of every step (scripts/drift): the same rendered script, run with <see cref="Runner"/>, compares
/// the machine with what the step would make it and changes nothing. It prints one <c>drift: WHAT expected=… actual=…</c>
/// line per difference and exits 0 (no drift), 3 (drift) or anything else (an error). A check is never sent secrets.
/// </summary>
public static class CheckMode
{
    /// <summary>The command line of a check: the apply runner with --check after the script (the script's text, and hash, unchanged).</summary>
    public const string Runner = StepScript.Runner + " -- --check";

    /// <summary>Exit status of a check that found drift.</summary>
    public const int DriftExit = 3;

    /// <summary>Kinds of step whose whole job is a side effect, or that need a secret to compare: a check skips them, saying why.</summary>
    public static readonly IReadOnlyDictionary<string, string> Skipped = new Dictionary<string, string>
    {
        ["driver-loaded"] = "it confirms the reboot driver-reboot scheduled; driver-reboot's check compares the loaded driver",
        ["kubeconfig"] = "it only reads the cluster's admin credential",
        ["cluster-ca"] = "it only reads the cluster's CA and certificate; a worker's join compares them",
        ["join-token"] = "it issues a fresh join token on every run",
        ["join"] = "it needs the worker's join token, a secret a check is never sent",
        ["validation-results"] = "it resumes the validation gate's Jobs; the gate's own verdict series report the measurements",
        ["validation-publish"] = "it publishes the gate's verdict; the Pushgateway's series are the record",
        ["image"] = "it builds and pushes an image; the step re-runs whenever its build context or pins change, and the registry's digest is what the Jobs run",
        ["backups"] = "it needs the restic repository password (on the NAS, a secret a check is never sent); the lab_backup series report every item's last good backup",
    };

    /// <summary>Why a check skips STEP (its kind's reason, where a per-item step is "KIND-ITEM"), or null.</summary>
    public static string? SkipReason(string step) =>
        Skipped.Where(k => step == k.Key || step.StartsWith(k.Key + "-", StringComparison.Ordinal)).OrderByDescending(k => k.Key.Length)
            .Select(k => k.Value).FirstOrDefault();

    /// <summary>The script's last line: main as apply runs it (after reading its secret lines), and as a check runs it or skips it.</summary>
    internal static string LastLine(string step, IReadOnlyList<string> secretVariables)
    {
        var apply = string.Join(" && ", secretVariables.Select(v => $"IFS= read -r {v}").Append("main </dev/null"));
        var check = SkipReason(step) is { } reason ? $"echo {Shell.Quote("skipped: " + reason)}" : "main </dev/null";
        return check == apply ? apply : $"if checking; then {check}; else {apply}; fi";
    }
}
