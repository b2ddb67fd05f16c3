using System.Diagnostics;
using System.Text.RegularExpressions;
using Lab.Model.Nodes;
using Lab.Model.Storage;
using Lab.Model.Text;

namespace Lab.Model.Tests;

/// <summary>
/// The check mode of the steps (scripts/drift), run for real in bash: the same script text with --check after it
/// (CheckMode.Runner) reports each difference as a drift line, changes nothing, and exits 3; an apply converges.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class CheckModeTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("lab-check-mode-");

    public void Dispose() => _dir.Delete(recursive: true);

    private sealed record Run(int Code, string Stdout, string Stderr);

    /// <summary>Runs SCRIPT as the runner does: `bash -s` reading it on stdin, with `-- --check` for a check.</summary>
    private static Run Bash(string script, bool check)
    {
        var start = new ProcessStartInfo("bash", check ? ["-s", "--", "--check"] : ["-s"])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        process.StandardInput.Write(script);
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(1)), "the script did not finish");
        return new Run(process.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>A script of the shipped helpers and BODY, composed as StepScript composes a step.</summary>
    private static string WithHelpers(string body) =>
        "set -Eeuo pipefail\n" + ShellHelper.Check.Text + ShellHelper.WriteFile.Text + ShellHelper.AptPin.Text + "main() {\n" + body + "\n}\nmain </dev/null\n";

    private static string Mode(string path) => Convert.ToString((int)File.GetUnixFileMode(path), 8);

    [Fact]
    public void The_runner_of_a_check_passes_the_flag_after_the_script_so_the_scripts_text_and_trigger_stay_the_same()
    {
        Assert.Equal(StepScript.Runner + " -- --check", CheckMode.Runner);
        Assert.Equal(3, CheckMode.DriftExit);
    }

    [Fact]
    public void A_check_of_a_managed_file_reports_content_and_mode_drift_and_leaves_the_file_as_it_found_it()
    {
        var path = Path.Combine(_dir.FullName, "etc", "lab.conf");
        var script = WithHelpers($"printf 'lab=1\\n' | write_file {Shell.Quote(path)} 0644");
        var sha = Shell.Sha256("lab=1\n");

        var absent = Bash(script, check: true);
        Assert.Equal(3, absent.Code);
        Assert.Equal($"drift: file {path} expected=sha256:{sha} actual=absent\n", absent.Stdout);
        Assert.False(File.Exists(path));

        var apply = Bash(script, check: false);
        Assert.True(apply.Code == 0, apply.Stderr);
        Assert.Contains($"changed: {path}", apply.Stderr);
        Assert.Equal("lab=1\n", File.ReadAllText(path));
        Assert.Equal("644", Mode(path));

        var clean = Bash(script, check: true);
        Assert.Equal((0, ""), (clean.Code, clean.Stdout));

        File.WriteAllText(path, "lab=2\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var edited = Bash(script, check: true);
        Assert.Equal(3, edited.Code);
        Assert.Equal([$"drift: file {path} expected=sha256:{sha} actual=sha256:{Shell.Sha256("lab=2\n")}", $"drift: mode of {path} expected=644 actual=600"],
            edited.Stdout.TrimEnd('\n').Split('\n'));
        Assert.Equal(("lab=2\n", "600"), (File.ReadAllText(path), Mode(path)));

        // Only the mode drifted: an apply restores it although the content is right.
        File.WriteAllText(path, "lab=1\n");
        var mode = Bash(script, check: false);
        Assert.Equal(($"changed: mode of {path}\n", "644"), (mode.Stderr, Mode(path)));
        Assert.Equal(0, Bash(script, check: true).Code);
    }

    [Fact]
    public void An_apply_replaces_a_file_in_one_rename_from_a_synced_sibling_and_removes_what_a_cut_run_left()
    {
        // strace sees every open and rename: the managed path itself is never opened for writing (a cut mid-write
        // would leave it half-written); the new content is synced in a temporary file beside it, then renamed onto it.
        var path = Path.Combine(_dir.FullName, "etc", "lab.conf");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, "lab=old\n");
        var leftover = Path.Combine(_dir.FullName, "etc", ".lab.conf.lab-new.Cut123");
        File.WriteAllText(leftover, "lab=ha");
        var script = Path.Combine(_dir.FullName, "step.sh");
        File.WriteAllText(script, WithHelpers($"printf 'lab=new\\n' | write_file {Shell.Quote(path)} 0644"));
        var trace = Path.Combine(_dir.FullName, "trace");

        var (code, output) = Tools.Run("strace", ["-f", "-qq", "-e", "trace=openat,rename,renameat,renameat2,fsync,fdatasync,syncfs", "-o", trace, "bash", script]);

        Assert.True(code == 0, output);
        Assert.Equal("lab=new\n", File.ReadAllText(path));
        Assert.False(File.Exists(leftover), "the temporary file a cut run left is still there");
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(path)!, ".lab.conf.lab-new.*"));
        var calls = File.ReadAllLines(trace);
        var quoted = "\"" + path + "\"";
        Assert.DoesNotContain(calls, c => c.Contains("openat(") && c.Contains(quoted) && Regex.IsMatch(c, "O_WRONLY|O_RDWR|O_TRUNC"));
        var rename = Assert.Single(calls, c => c.Contains("rename") && c.Contains(", " + quoted) && c.TrimEnd().EndsWith("= 0", StringComparison.Ordinal));
        var temporary = Regex.Match(rename, @"""([^""]*\.lab\.conf\.lab-new\.[^""]+)""").Groups[1].Value;
        Assert.StartsWith(Path.Combine(_dir.FullName, "etc", ".lab.conf.lab-new."), temporary);
        var written = Array.FindIndex(calls, c => c.Contains("openat(") && c.Contains(temporary) && c.Contains("O_WRONLY"));
        var synced = Array.FindIndex(calls, written + 1, c => Regex.IsMatch(c, @"\b(fsync|fdatasync)\("));
        Assert.True(written >= 0 && synced > written && synced < Array.IndexOf(calls, rename), "the new content was not synced before the rename:\n" + string.Join('\n', calls));
    }

    [Fact]
    public void A_check_of_pinned_packages_reads_dpkg_for_versions_and_holds_and_changes_neither()
    {
        // This machine's real dpkg database: bash is installed and not held; no package is called lab-absent.
        var (_, version) = Tools.Run("dpkg-query", ["-W", "-f=${Version}", "bash"]);
        var (_, holdsBefore) = Tools.Run("apt-mark", ["showhold"]);
        Assert.DoesNotContain("bash", holdsBefore.Split('\n'));

        var run = Bash(WithHelpers($"apt_pin bash={Shell.Quote(version.Trim())} lab-absent=1.0"), check: true);
        Assert.Equal(3, run.Code);
        Assert.Equal(["drift: hold of bash expected=hold actual=install", "drift: package lab-absent expected=1.0 actual=absent", "drift: hold of lab-absent expected=hold actual=absent"],
            run.Stdout.TrimEnd('\n').Split('\n'));
        var moved = Bash(WithHelpers("apt_pin bash=0.0-lab"), check: true);
        Assert.Contains($"drift: package bash expected=0.0-lab actual={version.Trim()}\n", moved.Stdout);
        Assert.Equal(holdsBefore, Tools.Run("apt-mark", ["showhold"]).Output);
    }

    [Fact]
    public void A_failing_command_in_a_check_is_an_error_not_drift()
    {
        var run = Bash(WithHelpers("drift thing one two\nfalse"), check: true);
        Assert.Equal(1, run.Code);
        Assert.Equal("drift: thing expected=one actual=two\n", run.Stdout);
    }

    [Fact]
    public void Converge_runs_its_command_only_in_an_apply_and_only_where_the_state_differs()
    {
        var marker = Path.Combine(_dir.FullName, "ran");
        var body = $"converge widget on \"$(cat {Shell.Quote(marker)} 2>/dev/null || echo off)\" -- sh -c {Shell.Quote($"echo on > {marker}")}";
        var check = Bash(WithHelpers(body), check: true);
        Assert.Equal((3, "drift: widget expected=on actual=off\n"), (check.Code, check.Stdout));
        Assert.False(File.Exists(marker));
        var apply = Bash(WithHelpers(body), check: false);
        Assert.Equal((0, "changed: widget\n"), (apply.Code, apply.Stderr));
        var again = Bash(WithHelpers(body), check: false);
        Assert.Equal((0, ""), (again.Code, again.Stderr));
    }

    [Fact]
    public void A_check_of_an_export_directory_names_what_differs_and_creates_nothing()
    {
        var lab = Repo.Prod();
        var step = NasExports.Steps(lab).First(s => s.Step == "export-results");
        var path = Path.Combine(_dir.FullName, "share", "results");
        var probe = Path.Combine(path, "probe");
        const string owner = "65534:65534";
        var script = step.Text;
        foreach (var (name, value) in new[] { ("path", path), ("probe_directory", probe), ("probe_owner", owner) })
        {
            script = Regex.Replace(script, $"^readonly {name}=.*$", $"readonly {name}={Shell.Quote(value)}", RegexOptions.Multiline);
        }

        var check = Bash(script, check: true);
        Assert.Equal(3, check.Code);
        Assert.Contains($"drift: directory {path} expected=present actual=absent\n", check.Stdout);
        Assert.False(Directory.Exists(path));

        Directory.CreateDirectory(probe);
        var owned = Bash(script, check: true);
        Assert.Equal(3, owned.Code);
        Assert.Contains($"drift: owner of {probe} expected={owner} actual=0:0\n", owned.Stdout);
        var apply = Bash(script, check: false);
        Assert.True(apply.Code == 0, apply.Stderr);
        Assert.Equal(0, Bash(script, check: true).Code);
    }

    [Fact]
    public void A_check_skips_a_side_effect_step_with_its_reason_and_never_reads_a_secret()
    {
        var lab = Repo.Prod();
        var token = Lab.Model.Cluster.MicroK8sSteps.IssueJoinToken(lab, lab.Nodes[2]);
        var run = Bash(token.Text, check: true);
        Assert.Equal((0, "skipped: it issues a fresh join token on every run\n"), (run.Code, run.Stdout));
        Assert.Null(CheckMode.SkipReason("os"));
        Assert.NotNull(CheckMode.SkipReason("join-token-derpy"));
    }
}
