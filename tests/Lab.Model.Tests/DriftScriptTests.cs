using System.Diagnostics;
using Lab.Model.Spec;

namespace Lab.Model.Tests;

/// <summary>
/// scripts/drift's bad input stops it with one line, exit 2, before any check connects: an invalid stack, a machine
/// not in the stack, and a machine whose offered host key is not the pinned one. A stand-in ssh on PATH records
/// whether anything was connected; a stand-in ssh-keyscan answers as OpenSSH's does.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class DriftScriptTests : IDisposable
{
    private const string Pinned = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJWsMiMtKucduyLXIeVR4tDBP9b3oHYWb45907tXebo8";
    private const string PinnedFingerprint = "SHA256:AVgSZdBMDOxm0UogRdGWfdXsVo9JP2aLu3PA8qBOW4o";
    private const string NasKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJWsMiMtKucduyLXIeVR4tDBP9b3oHYWb45907tXebo7";
    private const string Stranger = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJWsMiMtKucduyLXIeVR4tDBP9b3oHYWb45907tXebo9";

    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("lab-drift-script-");
    private string SshLog => Path.Combine(_dir.FullName, "ssh.log");

    public DriftScriptTests()
    {
        Executable("ssh", $"#!/usr/bin/env bash\necho \"$*\" >>{SshLog}\nexit 255\n");
    }

    public void Dispose() => _dir.Delete(recursive: true);

    private void Executable(string name, string text)
    {
        var path = Path.Combine(_dir.FullName, name);
        File.WriteAllText(path, text);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    private (int Code, string Stdout, string Stderr) Drift(params string[] args)
    {
        var start = new ProcessStartInfo("bash", [Path.Combine(Repo.Root, "scripts", "drift"), .. args])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["PATH"] = $"{_dir.FullName}:{Environment.GetEnvironmentVariable("PATH")}";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(4)), "scripts/drift did not finish");
        // What run-tool says when it builds the tool is not the script's answer.
        var said = string.Join('\n', stderr.Result.Split('\n').Where(l => !l.StartsWith("drift: building ", StringComparison.Ordinal) && !l.StartsWith("drift: restoring ", StringComparison.Ordinal)));
        return (process.ExitCode, stdout.Result, said);
    }

    [Fact]
    public void A_machine_not_in_the_stack_stops_it_with_one_line_naming_the_machines()
    {
        var (code, stdout, stderr) = Drift(Repo.DevFile, "derpi");
        Assert.Equal((2, ""), (code, stdout));
        Assert.Equal("drift: no machine 'derpi' in " + Repo.DevFile + " (machines: qnap derpy )\n", stderr);
        Assert.False(File.Exists(SshLog));
    }

    [Fact]
    public void An_invalid_stack_stops_it_with_one_line_naming_the_key()
    {
        var stack = Path.Combine(_dir.FullName, "Pulumi.dev.yaml");
        File.WriteAllText(stack, File.ReadAllText(Repo.DevFile).Replace("lab:ssh:", "lab:shh:", StringComparison.Ordinal));
        var (code, _, stderr) = Drift(stack);
        Assert.Equal(2, code);
        Assert.Single(stderr.TrimEnd('\n').Split('\n'));
        Assert.StartsWith($"drift: {stack} is not a valid stack, nothing was connected: ", stderr);
        Assert.Contains("lab:shh", stderr);
        Assert.False(File.Exists(SshLog));
    }

    [Fact]
    public void A_machine_out_of_reach_is_reported_with_ssh_s_own_words_once()
    {
        // ssh as OpenSSH fails on a machine that is down: its message (which starts with "ssh: "), exit 255.
        Executable("ssh", "#!/usr/bin/env bash\necho \"ssh: connect to host ${!#%% *} port 22: Connection refused\" >&2\nexit 255\n");
        var (code, stdout, _) = Drift(Repo.DevFile, "derpy");
        Assert.Equal(1, code);
        var line = stdout.Split('\n').Single(l => l.StartsWith("derpy: ", StringComparison.Ordinal));
        Assert.StartsWith("derpy: UNREACHABLE (ssh: connect to host ", line);
        Assert.DoesNotContain("ssh: ssh:", stdout);
    }

    [Fact]
    public void A_host_key_that_is_not_the_pinned_one_stops_it_before_any_check()
    {
        var file = StackFile.Read(Repo.DevFile);
        var stack = Path.Combine(_dir.FullName, "Pulumi.dev.yaml");
        static HostKey Parse(string line) => HostKey.TryParse(line, out var key, out var problem) ? key! : throw new InvalidOperationException(problem);
        File.WriteAllText(stack, HostKeyFile.Write(file, File.ReadAllText(Repo.DevFile),
            HostKeyFile.Machines(file).ToDictionary(m => m.Key, m => Parse(m.Name == "derpy" ? Pinned : NasKey))));
        // The NAS offers its pinned key; derpy (192.168.50.13) another one.
        Executable("ssh-keyscan", "#!/usr/bin/env bash\nhost=${!#}\necho \"# $host:22 SSH-2.0-OpenSSH_9.6p1\" >&2\n" +
            $"case $host in 192.168.50.13) echo \"$host {Stranger}\" ;; *) echo \"$host {NasKey}\" ;; esac\n");

        var (code, stdout, stderr) = Drift(stack);
        Assert.Equal((2, ""), (code, stdout));
        Assert.Equal($"drift: host key mismatch: derpy (192.168.50.13:22) does not offer its pinned key {PinnedFingerprint} (lab:nodes[].hostKey / lab:nas.hostKey); nothing was checked\n", stderr);
        Assert.False(File.Exists(SshLog));
    }
}
